"""Per-key turn counts in Redis (``WHISPR_REDIS_URL``), shared by every worker.

Each limit key (``alice`` for model turns, ``any:alice`` for the flood guard) is one sorted set
``<prefix>turns:<key>`` of turn times (epoch seconds as scores). ``take`` runs one Lua script,
so the check and the count are one step on the server: no interleaving of workers lets more
than ``limit`` turns through a window. A set expires one window after its last turn. Every
key's name is also kept in ``<prefix>turnkeys:<user>`` (the part after the first ``:``, as
the SQL stores read a key), so a user's turns can be exported and purged without a scan.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # redis is imported when a Redis store opens (~0.3 s; the default never)
    import redis

_TAKE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  return tostring(math.max(1, tonumber(oldest[2]) + window - now))
end
local ttl = math.ceil(window * 1000) + 1000
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SADD', KEYS[2], ARGV[5])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return '0'
"""
"""KEYS: the turn set, the user's index of keys. ARGV: now, window, limit, a unique member,
the limit key. Returns the wait in seconds as text (Lua numbers would be cut to integers)."""


def user_of(key: str) -> str:
    """Return the username a limit key belongs to: the part after the first ``:`` (all of it
    when there is none), as ``ActivityStore`` reads keys in SQL."""
    return key.split(":", 1)[-1]


class RedisTurns:
    """Turn counts of limit keys in one Redis database, under ``prefix``.

    Assumes the workers' clocks agree (turn times are the caller's ``time.time()``, as in the
    SQL stores). Opens no connection until the first call; the client is thread-safe.
    """

    def __init__(self, url: str, prefix: str = "whispr:") -> None:
        import redis  # here: only Redis users pay for the import

        self.prefix = prefix
        self.client: redis.Redis = redis.Redis.from_url(url, decode_responses=True)
        self._take = self.client.register_script(_TAKE)

    def _set(self, key: str) -> str:
        return f"{self.prefix}turns:{key}"

    def _index(self, user: str) -> str:
        return f"{self.prefix}turnkeys:{user}"

    def take(self, key: str, limit: int, window: float) -> float:
        """Count one turn of ``key`` unless ``limit`` turns were counted in the last ``window``
        seconds; return 0 when counted, else the seconds until the next free turn (>= 1)."""
        now = time.time()
        member = f"{now!r}:{uuid.uuid4().hex[:8]}"
        keys = [self._set(key), self._index(user_of(key))]
        wait = self._take(keys=keys, args=[repr(now), repr(window), limit, member, key])
        return float(cast(str, wait))

    def taken(self, key: str, window: float) -> int:
        """Return how many turns ``key`` took in the last ``window`` seconds."""
        return int(self.client.zcount(self._set(key), f"({time.time() - window!r}", "+inf"))

    def _keys(self, user: str) -> list[str]:
        return sorted(str(k) for k in cast(set[Any], self.client.smembers(self._index(user))))

    def records(self, user: str) -> list[dict[str, Any]]:
        """Return the counted turns of ``user``'s keys still kept, oldest first, as
        ``{"key": ..., "ts": ...}``."""
        out: list[dict[str, Any]] = []
        for key in self._keys(user):
            turns = cast(list[Any], self.client.zrange(self._set(key), 0, -1, withscores=True))
            out.extend({"key": key, "ts": float(ts)} for _, ts in turns)
        return sorted(out, key=lambda r: r["ts"])

    def purge(self, user: str) -> int:
        """Delete every turn count of ``user``'s keys; return how many turns went."""
        keys = self._keys(user)
        gone = 0
        for key in keys:
            gone += int(self.client.zcard(self._set(key)))
        self.client.delete(self._index(user), *(self._set(k) for k in keys))
        return gone

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()
