"""Accounts: users, chat identities, login sessions and API tokens (a SQLite file, or
PostgreSQL when given a ``postgresql://`` URL: ``integrations.storage.sql``).

Secrets (sessions, tokens) are stored as SHA-256 digests only; passwords as scrypt hashes.
"""

from __future__ import annotations

import dataclasses
import functools
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import InvalidArgumentError
from integrations.chat.accounts import (
    AuthError,
    Role,
    User,
    check_password,
    check_username,
    hash_password,
    new_secret,
    secret_digest,
    verify_password,
)
from integrations.storage.sql import Migration, open_database

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS identities (
        channel TEXT NOT NULL, external_id TEXT NOT NULL,
        username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        PRIMARY KEY (channel, external_id))""",
    """CREATE TABLE IF NOT EXISTS sessions (
        digest TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(username)
        ON DELETE CASCADE, created REAL NOT NULL, expires REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        id TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(username)
        ON DELETE CASCADE, name TEXT NOT NULL, digest TEXT NOT NULL UNIQUE,
        created REAL NOT NULL, last_used REAL, revoked REAL)""",
    """CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, ts REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS client_failures (client TEXT NOT NULL, ts REAL NOT NULL)""",
)
MIGRATIONS = (Migration(1, SCHEMA),)
"""The accounts schema's versions (``schema_migrations`` component ``accounts``)."""
CHANNELS = ("slack", "discord")
LOGIN_FAILURES = (10, 300.0)
"""At most 10 failed logins per username in 300 s; then logins for it wait."""
CLIENT_FAILURES = (30, 300.0)
"""Failed logins allowed from one client address (any usernames) in the window."""
LAST_USED_STEP = 60.0
"""A token's last use is written at most once a minute: every API call reading it must not
also be a write (the token list shows the time to the minute)."""


@functools.cache
def _dummy_hash() -> str:
    """Return a password hash checked for unknown usernames, so they take as long as known ones."""
    return hash_password("not a real password, only for timing")


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed (never the secret itself)."""

    id: str
    username: str
    name: str
    created: float
    last_used: float | None
    revoked: float | None


class AccountStore:
    """Users, identities, sessions and tokens in one database.

    ``location`` is a SQLite file path (the embedded default, WAL mode) or a PostgreSQL URL;
    the schema's migrations run when the store opens.
    """

    def __init__(self, location: Path | str) -> None:
        self.db = open_database(location, "accounts", MIGRATIONS, wal=True)

    # users
    def add_user(self, username: str, password: str, role: Role) -> User:
        """Create a user; raise ``InvalidArgumentError`` if the name is taken or invalid."""
        name = check_username(username)
        check_password(password)
        if self.get(name) is not None:
            raise InvalidArgumentError(f"user {name!r} already exists")
        self.db.run(
            "INSERT INTO users VALUES (?, ?, ?, 0, ?)",
            (name, hash_password(password), Role(role).value, time.time()),
        )
        return User(name, Role(role))

    def get(self, username: str) -> User | None:
        """Return the user named ``username`` (any case), or None."""
        rows = self.db.rows(
            "SELECT username, role, disabled FROM users WHERE username = ?",
            (username.strip().lower(),),
        )
        return User(rows[0][0], Role(rows[0][1]), bool(rows[0][2])) if rows else None

    def users(self) -> list[User]:
        """Return every user, by name."""
        rows = self.db.rows("SELECT username, role, disabled FROM users ORDER BY username")
        return [User(n, Role(r), bool(d)) for n, r, d in rows]

    def count(self) -> int:
        """Return how many users exist."""
        return int(self.db.rows("SELECT COUNT(*) FROM users")[0][0])

    def set_role(self, username: str, role: Role) -> bool:
        """Change a user's role; return whether the user exists."""
        return (
            self.db.run(
                "UPDATE users SET role = ? WHERE username = ?", (Role(role).value, username.lower())
            )
            > 0
        )

    def set_disabled(self, username: str, disabled: bool) -> bool:
        """Disable (or re-enable) a user; disabling also ends their sessions."""
        changed = self.db.run(
            "UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username.lower())
        )
        if disabled:
            self.db.run("DELETE FROM sessions WHERE username = ?", (username.lower(),))
        return changed > 0

    def set_password(self, username: str, password: str) -> bool:
        """Replace a user's password, end their sessions and revoke their API tokens (a changed
        password is usually a suspected leak); return whether the user exists."""
        check_password(password)
        changed = self.db.run(
            "UPDATE users SET password_hash = ? WHERE username = ?",
            (hash_password(password), username.lower()),
        )
        self.db.run("DELETE FROM sessions WHERE username = ?", (username.lower(),))
        self.db.run(
            "UPDATE tokens SET revoked = ? WHERE username = ? AND revoked IS NULL",
            (time.time(), username.lower()),
        )
        return changed > 0

    def authenticate(self, username: str, password: str, client: str = "") -> User:
        """Return the user when the password matches; raise ``AuthError`` (same text) if not."""
        name = username.strip().lower()
        now = time.time()
        limit, window = LOGIN_FAILURES
        with self.db.atomic() as conn:
            # count this attempt as a failure before checking it, in the same step as the limit
            # check, so parallel guesses cannot all pass the check (scrypt takes ~50 ms)
            recent = conn.execute(
                "SELECT COUNT(*) FROM login_failures WHERE username = ? AND ts > ?",
                (name, now - window),
            ).fetchone()[0]
            if recent >= limit:
                raise AuthError("too many failed logins for this user; wait 5 minutes")
            if client:
                climit, cwindow = CLIENT_FAILURES
                tried = conn.execute(
                    "SELECT COUNT(*) FROM client_failures WHERE client = ? AND ts > ?",
                    (client, now - cwindow),
                ).fetchone()[0]
                if tried >= climit:
                    raise AuthError("too many failed logins from this address; wait 5 minutes")
                conn.execute("INSERT INTO client_failures VALUES (?, ?)", (client, now))
            conn.execute("INSERT INTO login_failures VALUES (?, ?)", (name, now))
        rows = self.db.rows(
            "SELECT password_hash, role, disabled FROM users WHERE username = ?", (name,)
        )
        # an unknown name costs the same hash as a known one: timing must not reveal which exist
        stored = rows[0][0] if rows else _dummy_hash()
        if not verify_password(password, stored) or not rows or rows[0][2]:
            raise AuthError("wrong username or password")
        self.db.run("DELETE FROM login_failures WHERE username = ?", (name,))
        if client:  # this attempt was not a failure after all
            self.db.run(
                "DELETE FROM client_failures WHERE rowid = (SELECT MAX(rowid) FROM "
                "client_failures WHERE client = ? AND ts = ?)",
                (client, now),
            )
        return User(name, Role(rows[0][1]))

    # chat identities
    def link(self, username: str, channel: str, external_id: str) -> None:
        """Map a Slack or Discord user id to ``username`` (replacing an earlier mapping)."""
        if channel not in CHANNELS:
            raise InvalidArgumentError(
                f"unknown channel {channel!r}; accepted: {', '.join(CHANNELS)}"
            )
        if self.get(username) is None:
            raise InvalidArgumentError(f"no user {username!r}")
        ext = external_id.strip()
        if not ext or len(ext) > 64:
            raise InvalidArgumentError("the external id must have 1 to 64 characters")
        self.db.run(
            "INSERT INTO identities VALUES (?, ?, ?) ON CONFLICT (channel, external_id) "
            "DO UPDATE SET username = excluded.username",
            (channel, ext, username.lower()),
        )

    def unlink(self, channel: str, external_id: str) -> bool:
        """Remove a chat identity mapping; return whether it existed."""
        return (
            self.db.run(
                "DELETE FROM identities WHERE channel = ? AND external_id = ?",
                (channel, external_id),
            )
            > 0
        )

    def identities(self, username: str) -> list[tuple[str, str]]:
        """Return the (channel, external id) pairs mapped to ``username``."""
        return [
            (c, e)
            for c, e in self.db.rows(
                "SELECT channel, external_id FROM identities WHERE username = ? "
                "ORDER BY channel, external_id",
                (username.lower(),),
            )
        ]

    def user_for(self, channel: str, external_id: str) -> User | None:
        """Return the enabled user a chat identity maps to, or None (unknown or disabled)."""
        rows = self.db.rows(
            "SELECT u.username, u.role, u.disabled FROM identities i JOIN users u "
            "ON u.username = i.username WHERE i.channel = ? AND i.external_id = ?",
            (channel, external_id),
        )
        if not rows or rows[0][2]:
            return None
        return User(rows[0][0], Role(rows[0][1]))

    # sessions
    def new_session(self, username: str, ttl_seconds: float) -> str:
        """Start a login session; return its secret (the cookie value)."""
        secret = new_secret()
        now = time.time()
        self.db.run("DELETE FROM sessions WHERE expires < ?", (now,))
        self.db.run(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)",
            (secret_digest(secret), username.lower(), now, now + ttl_seconds),
        )
        return secret

    def end_session(self, secret: str) -> None:
        """End a login session (logout)."""
        self.db.run("DELETE FROM sessions WHERE digest = ?", (secret_digest(secret),))

    def session_user(self, secret: str) -> User:
        """Return the user of a live session; raise ``AuthError`` when unknown or expired."""
        rows = self.db.rows(
            "SELECT u.username, u.role, u.disabled FROM sessions s JOIN users u "
            "ON u.username = s.username WHERE s.digest = ? AND s.expires > ?",
            (secret_digest(secret), time.time()),
        )
        if not rows or rows[0][2]:
            raise AuthError("your session has expired; log in again")
        return User(rows[0][0], Role(rows[0][1]))

    # API tokens
    def new_token(self, username: str, name: str) -> tuple[TokenInfo, str]:
        """Create an API token; return its info and the secret (shown to the user once)."""
        label = name.strip()[:64] or "token"
        secret = new_secret("wsp_")
        info = TokenInfo(uuid.uuid4().hex[:12], username.lower(), label, time.time(), None, None)
        self.db.run(
            "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            (info.id, info.username, info.name, secret_digest(secret), info.created),
        )
        return info, secret

    def tokens(self, username: str | None = None) -> list[TokenInfo]:
        """Return the tokens of ``username`` (all users' when None), newest first."""
        sql = "SELECT id, username, name, created, last_used, revoked FROM tokens"
        rows = (
            self.db.rows(sql + " WHERE username = ? ORDER BY created DESC", (username.lower(),))
            if username
            else self.db.rows(sql + " ORDER BY created DESC")
        )
        return [TokenInfo(*r) for r in rows]

    def revoke_token(self, token_id: str, username: str | None) -> bool:
        """Revoke a token (only the owner's unless ``username`` is None, i.e. an admin)."""
        now = time.time()
        if username is None:
            return (
                self.db.run(
                    "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                    (now, token_id),
                )
                > 0
            )
        return (
            self.db.run(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND username = ? AND revoked IS NULL",
                (now, token_id, username.lower()),
            )
            > 0
        )

    def token_user(self, secret: str) -> User:
        """Return the user of a live API token; raise ``AuthError`` when unknown or revoked."""
        digest = secret_digest(secret)
        rows = self.db.rows(
            "SELECT u.username, u.role, u.disabled, t.revoked, t.last_used FROM tokens t "
            "JOIN users u ON u.username = t.username WHERE t.digest = ?",
            (digest,),
        )
        if not rows or rows[0][2] or rows[0][3] is not None:
            raise AuthError("invalid or revoked API token")
        now = time.time()
        if rows[0][4] is None or now - rows[0][4] >= LAST_USED_STEP:
            self.db.run("UPDATE tokens SET last_used = ? WHERE digest = ?", (now, digest))
        return User(rows[0][0], Role(rows[0][1]))

    # personal data (``whispr users export`` / ``delete``)
    def account(self, username: str) -> dict[str, Any] | None:
        """Return what is stored about ``username``'s account, or None when there is none:
        role, state, creation time (epoch seconds), chat identities, API tokens and login
        sessions. Never the password hash, nor a token's or session's secret or digest."""
        name = username.strip().lower()
        rows = self.db.rows(
            "SELECT username, role, disabled, created FROM users WHERE username = ?", (name,)
        )
        if not rows:
            return None
        sessions = self.db.rows(
            "SELECT created, expires FROM sessions WHERE username = ? ORDER BY created", (name,)
        )
        failures = self.db.rows(
            "SELECT ts FROM login_failures WHERE username = ? ORDER BY ts", (name,)
        )
        return {
            "username": rows[0][0],
            "role": rows[0][1],
            "disabled": bool(rows[0][2]),
            "created": rows[0][3],
            "identities": [{"channel": c, "external_id": e} for c, e in self.identities(name)],
            "tokens": [dataclasses.asdict(t) for t in self.tokens(name)],
            "sessions": [{"created": c, "expires": e} for c, e in sessions],
            "failed_logins": [ts for (ts,) in failures],
        }

    def delete_user(self, username: str) -> bool:
        """Delete ``username``'s account with its chat identities, sessions, API tokens and
        failed-login count, in one transaction; return whether the account existed."""
        name = username.strip().lower()
        with self.db.atomic() as conn:
            conn.execute("DELETE FROM identities WHERE username = ?", (name,))
            conn.execute("DELETE FROM sessions WHERE username = ?", (name,))
            conn.execute("DELETE FROM tokens WHERE username = ?", (name,))
            conn.execute("DELETE FROM login_failures WHERE username = ?", (name,))
            cur = conn.execute("DELETE FROM users WHERE username = ?", (name,))
        return cur.rowcount > 0
