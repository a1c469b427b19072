"""What users did: the audit log, conversation transcripts and LLM-turn counts, in a SQLite file
or PostgreSQL (``integrations.storage.sql``); turn counts in Redis when ``redis_url`` is given.

Every row carries the username; every read takes one, so no query can return another user's
rows unless the caller passes ``None`` on purpose (the admin's audit view).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrations.storage.sql import Migration, open_database
from integrations.storage.turns import RedisTurns

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS deliveries (key TEXT PRIMARY KEY, ts REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, username TEXT NOT NULL,
        channel TEXT NOT NULL, event TEXT NOT NULL, tool TEXT, args TEXT, outcome TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS audit_user ON audit (username, ts)",
    """CREATE TABLE IF NOT EXISTS threads (
        username TEXT NOT NULL, thread_id TEXT NOT NULL, channel TEXT NOT NULL,
        title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
        PRIMARY KEY (username, thread_id))""",
    """CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, thread_id TEXT NOT NULL,
        role TEXT NOT NULL, body TEXT NOT NULL, ts REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS messages_thread ON messages (username, thread_id, id)",
    "CREATE TABLE IF NOT EXISTS turns (username TEXT NOT NULL, ts REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS turns_user ON turns (username, ts)",
    """CREATE TABLE IF NOT EXISTS notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, ts REAL NOT NULL,
        message TEXT NOT NULL, read INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS notifications_user ON notifications (username, id)",
)
MIGRATIONS = (Migration(1, SCHEMA),)
"""The activity schema's versions (``schema_migrations`` component ``activity``)."""


def _safe_text(value: object) -> str:
    """Return ``value`` as text SQLite and JSON can store: a lone surrogate becomes U+FFFD."""
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _clean(value: object) -> object:
    """Return ``value`` with every string made storable (``_safe_text``), containers walked."""
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, dict):
        return {_safe_text(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _limit(limit: int) -> str:
    """Return the LIMIT clause for ``limit`` rows; none when negative (SQLite reads a negative
    LIMIT as no limit; PostgreSQL refuses one). ``limit`` is an int, never user text."""
    return "" if limit < 0 else f" LIMIT {int(limit)}"


@dataclass(frozen=True)
class AuditEntry:
    """One audited action: who, when, where, what, with which arguments, and how it ended."""

    id: int
    ts: float
    username: str
    channel: str
    event: str
    tool: str | None
    args: dict[str, Any] | None
    outcome: str

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ThreadInfo:
    """A conversation of one user, as listed in the sidebar."""

    thread_id: str
    channel: str
    title: str
    created: float
    updated: float


class ActivityStore:
    """Audit log, transcripts, notifications and turn counts in one database.

    ``location`` is a SQLite file path (the embedded default, WAL mode; the accounts file) or
    a PostgreSQL URL. With ``redis_url``, turn counts (``take_turn``, ``turns_taken``) live in
    Redis under ``redis_prefix``, shared by every worker; without, in the database's ``turns``.
    """

    def __init__(
        self,
        location: Path | str,
        *,
        redis_url: str | None = None,
        redis_prefix: str = "whispr:",
    ) -> None:
        self.db = open_database(location, "activity", MIGRATIONS, wal=True)
        self.turns = RedisTurns(redis_url, redis_prefix) if redis_url else None
        """Where turns are counted when not in the database (None: the ``turns`` table)."""

    # audit
    def audit(
        self,
        username: str,
        channel: str,
        event: str,
        outcome: str,
        tool: str | None = None,
        args: dict[str, Any] | None = None,
    ) -> None:
        """Append one audit entry (arguments stored as JSON)."""
        self.db.run(
            "INSERT INTO audit (ts, username, channel, event, tool, args, outcome) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                time.time(),
                username,
                channel,
                event,
                tool,
                None if args is None else json.dumps(_clean(args), default=str, sort_keys=True),
                _safe_text(outcome) if isinstance(outcome, str) else outcome,
            ),
        )

    def audit_log(self, username: str | None, limit: int = 100) -> list[AuditEntry]:
        """Return the newest ``limit`` entries (all when negative) of ``username`` (of everyone
        when None), newest first."""
        sql = "SELECT id, ts, username, channel, event, tool, args, outcome FROM audit"
        rows = (
            self.db.rows(sql + " WHERE username = ? ORDER BY id DESC" + _limit(limit), (username,))
            if username is not None
            else self.db.rows(sql + " ORDER BY id DESC" + _limit(limit))
        )
        return [
            AuditEntry(i, ts, u, c, e, t, None if a is None else json.loads(a), o)
            for i, ts, u, c, e, t, a, o in rows
        ]

    # transcripts
    def add_message(
        self, username: str, thread_id: str, channel: str, role: str, body: dict[str, Any]
    ) -> None:
        """Append a message to one of ``username``'s threads (creating the thread)."""
        now = time.time()
        title = str(body.get("text", ""))[:80] or "conversation"
        self.db.run(
            "INSERT INTO threads VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username, thread_id) "
            "DO UPDATE SET updated = excluded.updated",
            (username, thread_id, channel, title, now, now),
        )
        self.db.run(
            "INSERT INTO messages (username, thread_id, role, body, ts) VALUES (?, ?, ?, ?, ?)",
            (username, thread_id, role, json.dumps(body, default=str), now),
        )

    def threads(self, username: str, limit: int = 200) -> list[ThreadInfo]:
        """Return ``username``'s ``limit`` (all when negative) most recently updated threads,
        most recent first."""
        rows = self.db.rows(
            "SELECT thread_id, channel, title, created, updated FROM threads "
            "WHERE username = ? ORDER BY updated DESC" + _limit(limit),
            (username,),
        )
        return [ThreadInfo(*r) for r in rows]

    def thread(self, username: str, thread_id: str) -> ThreadInfo | None:
        """Return one of ``username``'s threads, or None (also when it is someone else's)."""
        rows = self.db.rows(
            "SELECT thread_id, channel, title, created, updated FROM threads "
            "WHERE username = ? AND thread_id = ?",
            (username, thread_id),
        )
        return ThreadInfo(*rows[0]) if rows else None

    def messages(self, username: str, thread_id: str) -> list[dict[str, Any]]:
        """Return the messages of one of ``username``'s threads, oldest first."""
        rows = self.db.rows(
            "SELECT role, body, ts FROM messages WHERE username = ? AND thread_id = ? ORDER BY id",
            (username, thread_id),
        )
        return [{"role": r, "ts": ts, **json.loads(b)} for r, b, ts in rows]

    def rename_thread(self, username: str, thread_id: str, title: str) -> bool:
        """Set the title of one of ``username``'s threads; return whether it exists."""
        return (
            self.db.run(
                "UPDATE threads SET title = ? WHERE username = ? AND thread_id = ?",
                (_safe_text(title), username, thread_id),
            )
            > 0
        )

    def delete_thread(self, username: str, thread_id: str) -> bool:
        """Delete one of ``username``'s threads and its messages; return whether it existed."""
        self.db.run(
            "DELETE FROM messages WHERE username = ? AND thread_id = ?", (username, thread_id)
        )
        return (
            self.db.run(
                "DELETE FROM threads WHERE username = ? AND thread_id = ?", (username, thread_id)
            )
            > 0
        )

    # notifications (alert firings for web users)
    def add_notification(self, username: str, message: str) -> int:
        """Store an alert message in ``username``'s inbox; return its id."""
        return self.db.insert(
            "INSERT INTO notifications (username, ts, message) VALUES (?, ?, ?)",
            (username, time.time(), message),
        )

    def notifications(
        self, username: str, *, after: int = 0, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Return ``username``'s first ``limit`` (all when negative) notifications with an id
        above ``after``, oldest first."""
        rows = self.db.rows(
            "SELECT id, ts, message, read FROM notifications WHERE username = ? AND id > ? "
            "ORDER BY id" + _limit(limit),
            (username, after),
        )
        return [{"id": i, "ts": ts, "message": m, "read": bool(r)} for i, ts, m, r in rows]

    def mark_read(self, username: str, up_to: int) -> int:
        """Mark ``username``'s notifications up to id ``up_to`` read; return how many changed."""
        return self.db.run(
            "UPDATE notifications SET read = 1 WHERE username = ? AND id <= ? AND read = 0",
            (username, up_to),
        )

    # de-duplication of retried deliveries (Slack retries an event it thinks was not handled)
    def first_delivery(self, channel: str, event_id: str, keep: float = 86400.0) -> bool:
        """Return True the first time ``event_id`` of ``channel`` is seen, False for a retry,
        across restarts (the ids are kept a day)."""
        now = time.time()
        with self.db.atomic() as conn:
            conn.execute("DELETE FROM deliveries WHERE ts < ?", (now - keep,))
            cur = conn.execute(
                "INSERT OR IGNORE INTO deliveries VALUES (?, ?)", (f"{channel}:{event_id}", now)
            )
        return cur.rowcount == 1

    # rate limiting
    def turns_taken(self, username: str, window: float) -> int:
        """Return how many turns ``username`` (a limit's key) took in the last ``window`` seconds."""
        if self.turns is not None:
            return self.turns.taken(username, window)
        with self.db.atomic() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM turns WHERE username = ? AND ts > ?",
                (username, time.time() - window),
            ).fetchone()
        return int(row[0])

    def take_turn(self, username: str, limit: int, window: float) -> float:
        """Count one LLM turn for ``username`` unless ``limit`` turns were taken in the last
        ``window`` seconds; return 0 when counted, else the seconds until the next free turn
        (at least 1). Atomic across threads and processes in every backend."""
        if self.turns is not None:
            return self.turns.take(username, limit, window)
        now = time.time()
        with self.db.atomic() as conn:  # check and count in one step: no race lets two through
            conn.execute("DELETE FROM turns WHERE ts < ?", (now - window,))
            rows = conn.execute(
                "SELECT ts FROM turns WHERE username = ? AND ts > ? ORDER BY ts",
                (username, now - window),
            ).fetchall()
            if len(rows) >= limit:
                return max(1.0, rows[len(rows) - limit][0] + window - now)
            conn.execute("INSERT INTO turns VALUES (?, ?)", (username, now))
        return 0.0

    # personal data (``whispr users export`` / ``delete --purge``)
    _TURN_KEY = "(username = ? OR substr(username, instr(username, ':') + 1) = ?)"
    """Rate-limit keys of a user: ``alice`` (model turns) and ``<kind>:alice`` (flood guard)."""

    def user_records(self, username: str) -> dict[str, Any]:
        """Return everything stored about ``username``, oldest first: audit entries, threads
        with their messages, inbox notifications and the times of their counted turns."""
        audit = self.db.rows(
            "SELECT id, ts, username, channel, event, tool, args, outcome FROM audit "
            "WHERE username = ? ORDER BY id",
            (username,),
        )
        threads = self.db.rows(
            "SELECT thread_id, channel, title, created, updated FROM threads "
            "WHERE username = ? ORDER BY created",
            (username,),
        )
        turns = self.db.rows(
            f"SELECT username, ts FROM turns WHERE {self._TURN_KEY} ORDER BY ts",
            (username, username),
        )
        return {
            "audit": [
                AuditEntry(i, ts, u, c, e, t, None if a is None else json.loads(a), o).to_dict()
                for i, ts, u, c, e, t, a, o in audit
            ],
            "transcripts": [
                {**ThreadInfo(*t).__dict__, "messages": self.messages(username, t[0])}
                for t in threads
            ],
            "notifications": self.notifications(username, limit=-1),
            "turns": [{"key": k, "ts": ts} for k, ts in turns]
            + ([] if self.turns is None else self.turns.records(username)),
        }

    def purge_user(self, username: str) -> int:
        """Delete every row of ``username`` (audit, transcripts, notifications, turn counts) in
        one transaction (turn counts in Redis right after it); return how many rows went."""
        gone = 0
        with self.db.atomic() as conn:
            for table in ("audit", "messages", "threads", "notifications"):
                gone += conn.execute(
                    f"DELETE FROM {table} WHERE username = ?", (username,)
                ).rowcount
            gone += conn.execute(
                f"DELETE FROM turns WHERE {self._TURN_KEY}", (username, username)
            ).rowcount
        if self.turns is not None:
            gone += self.turns.purge(username)
        return gone
