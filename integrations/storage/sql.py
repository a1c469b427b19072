"""One SQL interface over the two databases the stores run on, with versioned migrations.

The embedded default is a SQLite file under ``WHISPR_HOME``; given a ``postgresql://`` URL
(``WHISPR_DATABASE_URL``) the same stores run on PostgreSQL through psycopg 3. Both backends
offer the same calls (``Database``): ``rows``, ``run``, ``run_many``, ``insert``, ``records``,
``atomic``, ``ping`` and ``close``; each call commits on its own, ``atomic`` groups several.

Statements are written once, in SQLite's dialect, and ``to_postgres`` rewrites the differences
the stores use (only outside quoted literals):

| SQLite | PostgreSQL |
|---|---|
| ``?`` placeholders | ``%s`` (a literal ``%`` becomes ``%%``) |
| ``INTEGER PRIMARY KEY AUTOINCREMENT`` | ``BIGSERIAL PRIMARY KEY`` |
| ``REAL`` (8-byte float in SQLite) | ``DOUBLE PRECISION`` (PostgreSQL's ``REAL`` is 4 bytes) |
| ``INSERT OR IGNORE INTO ...`` | ``INSERT INTO ... ON CONFLICT DO NOTHING`` |
| ``instr(text, part)`` | ``strpos(text, part)`` (same 1-based position, 0 when absent) |
| ``rowid`` | ``ctid`` (a row's physical id: only to pick one of identical rows in a statement) |
| ``BEGIN IMMEDIATE`` (``atomic``) | a transaction holding ``pg_advisory_xact_lock`` |
| ``cursor.lastrowid`` (``insert``) | ``... RETURNING id`` (the table's key is named ``id``) |

``INSERT OR REPLACE`` has no rewrite (it needs the table's key): stores write an explicit
``INSERT ... ON CONFLICT (key) DO UPDATE SET ...``, which both databases run as written.
Type names are matched in upper case (as the schemas write them), functions in any case.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from assistant.private import private_file

if TYPE_CHECKING:  # psycopg is imported when a PostgreSQL store opens (~0.2 s; SQLite never)
    import psycopg

POSTGRES_SCHEMES = ("postgresql", "postgres")
"""URL schemes that select PostgreSQL; any other location is a SQLite file path."""


def is_database_url(location: Path | str) -> bool:
    """Return True when ``location`` is a PostgreSQL URL (``postgresql://...``), False for a
    SQLite file path (a ``Path`` is always a file)."""
    return isinstance(location, str) and urlsplit(location).scheme in POSTGRES_SCHEMES


def redact(url: str) -> str:
    """Return ``url`` with its password (if any) replaced by ``***``: the form to log or show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


_LITERAL = re.compile(r"('(?:[^']|'')*')")
_REWRITES = (
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b"), "BIGSERIAL PRIMARY KEY"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\binstr\(", re.IGNORECASE), "strpos("),
    (re.compile(r"\browid\b", re.IGNORECASE), "ctid"),
)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\b", re.IGNORECASE)
_UNSUPPORTED = re.compile(r"^\s*(INSERT\s+OR\s+REPLACE|REPLACE\s+INTO|PRAGMA|BEGIN)\b", re.I)


@functools.lru_cache(maxsize=1024)
def to_postgres(sql: str) -> str:
    """Return ``sql`` (SQLite dialect) rewritten for PostgreSQL (see the module's table).

    Raises:
        ValueError: the statement uses SQLite-only syntax with no rewrite (``INSERT OR
            REPLACE``, ``PRAGMA``, an explicit ``BEGIN``): write it portably instead.
    """
    if _UNSUPPORTED.match(sql):
        raise ValueError(f"no PostgreSQL form of this SQLite statement; write it portably: {sql}")
    parts = _LITERAL.split(sql)  # odd indexes are quoted literals, kept as they are
    for i in range(0, len(parts), 2):
        text = parts[i].replace("%", "%%").replace("?", "%s")
        for pattern, replacement in _REWRITES:
            text = pattern.sub(replacement, text)
        parts[i] = text
    out = "".join(parts)
    if _OR_IGNORE.match(out):
        out = (
            _OR_IGNORE.sub("INSERT", out, count=1).rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
        )
    return out


class Cursor(Protocol):
    """What a statement inside ``Database.atomic`` returns (a DB-API cursor)."""

    @property
    def rowcount(self) -> int:
        """Return how many rows the statement changed (-1 for a query)."""

    def fetchone(self) -> Any:
        """Return the next row, or None."""

    def fetchall(self) -> list[Any]:
        """Return the remaining rows."""


class Transaction(ABC):
    """Statements run inside one transaction (``Database.atomic``)."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement (SQLite dialect) in the transaction; return its cursor."""


class Database(ABC):
    """A store's database: every call but ``atomic`` runs one statement and commits.

    Safe to share between threads: calls on one ``Database`` run one at a time.
    """

    dialect: str
    """``sqlite`` or ``postgresql``."""
    name: str
    """The store's name (``accounts``, ``alerts``, ...): its migrations' component."""

    @abstractmethod
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return all its rows (an empty list for a statement without rows)."""

    @abstractmethod
    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a write statement; return the number of changed rows."""

    @abstractmethod
    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run one write statement per row of ``rows`` in one transaction; return the total
        number of changed rows (e.g. how many ``INSERT OR IGNORE`` rows were new)."""

    @abstractmethod
    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT into a table whose key is ``id``; return the new row's id."""

    @abstractmethod
    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query; return its rows as dicts keyed by column name."""

    @abstractmethod
    def atomic(self, lock: str | None = None) -> AbstractContextManager[Transaction]:
        """Return a context that runs its statements as one transaction which no other
        ``atomic`` block with the same ``lock`` (default: this store's ``name``) interleaves
        with, in any thread or process: a read-check-write runs as one step, or not at all
        (rolled back when the block raises). SQLite locks the whole file whatever ``lock``."""

    @abstractmethod
    def ping(self) -> None:
        """Raise the driver's error unless the database answers (and, for SQLite, the write
        lock can be taken) now; change nothing."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection; later calls raise the driver's error."""


class _SqliteTransaction(Transaction):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(sql, tuple(params))


class SqliteDatabase(Database):
    """One SQLite connection shared by threads (one lock, commit per call).

    ``wal=True`` is the accounts and alert files' mode: WAL journal, ``synchronous=NORMAL`` (a commit
    survives a crash of the process; only a power loss can drop the last commits), foreign
    keys on and a 10 s busy timeout. ``wal=False`` is the plain mode (strategies) (rollback
    journal, 5 s busy timeout). The file is created 0600 in a 0700 folder.
    """

    dialect = "sqlite"

    def __init__(self, path: Path | str, *, name: str, wal: bool = False) -> None:
        path = Path(path)
        private_file(path)
        self.path = path
        self.name = name
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10 if wal else 5)
        if wal:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return all its rows."""
        with self._lock:
            out = self._conn.execute(sql, tuple(params)).fetchall()
            self._conn.commit()
        return out

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a write statement; return the number of changed rows."""
        with self._lock:
            cur = self._conn.execute(sql, tuple(params))
            self._conn.commit()
        return cur.rowcount

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run ``sql`` once per row in one transaction; return the number of changed rows."""
        with self._lock:
            before = self._conn.total_changes
            self._conn.executemany(sql, [tuple(r) for r in rows])
            self._conn.commit()
            return self._conn.total_changes - before

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT; return the new row id."""
        with self._lock:
            cur = self._conn.execute(sql, tuple(params))
            self._conn.commit()
        return int(cur.lastrowid or 0)

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query; return its rows as dicts keyed by column name."""
        with self._lock:
            cur = self._conn.execute(sql, tuple(params))
            names = [c[0] for c in cur.description]
            out = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            self._conn.commit()
        return out

    @contextmanager
    def atomic(self, lock: str | None = None) -> Iterator[Transaction]:
        """Yield a transaction begun with BEGIN IMMEDIATE (other threads and processes on
        this file wait); committed at the end, rolled back if the block raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTransaction(self._conn)
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()

    def ping(self) -> None:
        """Raise ``sqlite3.Error`` unless the file can be read and written now: take the write
        lock (BEGIN IMMEDIATE), read the schema, and roll back, changing nothing."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                self._conn.rollback()

    def close(self) -> None:
        """Close the connection; later calls raise ``sqlite3.ProgrammingError``."""
        with self._lock:
            self._conn.close()


def _pg_params(params: Sequence[Any]) -> tuple[Any, ...]:
    # PostgreSQL text cannot hold NUL (SQLite can): it becomes U+FFFD, as lone surrogates do
    return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) else p for p in params)


class _PostgresTransaction(Transaction):
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(to_postgres(sql), _pg_params(params))


class PostgresDatabase(Database):
    """One PostgreSQL connection (psycopg 3, autocommit) shared by threads under a lock.

    The URL may carry libpq options, e.g. ``?options=-csearch_path%3Dmyschema`` to put the
    tables in another schema (the tests do). A connection the server dropped is opened again
    on the next call (that call's statement is not retried: it raises); one closed with
    ``close`` stays closed. Each worker process opens its own connections.
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, name: str, connect_timeout: float = 10.0) -> None:
        self.url = url
        self.name = name
        self._timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn = self._connect()

    def __repr__(self) -> str:
        return f"PostgresDatabase({redact(self.url)!r}, name={self.name!r})"

    def _connect(self) -> psycopg.Connection[Any]:
        import psycopg  # here: only PostgreSQL users pay for the import

        return psycopg.connect(self.url, autocommit=True, connect_timeout=int(self._timeout))

    def _live(self) -> psycopg.Connection[Any]:
        if self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return all its rows (none for a statement without a result)."""
        with self._lock:
            cur = self._live().execute(to_postgres(sql), _pg_params(params))
            return cur.fetchall() if cur.description else []

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a write statement; return the number of changed rows."""
        with self._lock:
            return self._live().execute(to_postgres(sql), _pg_params(params)).rowcount

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run ``sql`` once per row in one transaction; return the number of changed rows."""
        if not rows:
            return 0
        with self._lock:
            conn = self._live()
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(to_postgres(sql), [_pg_params(r) for r in rows])
                return cur.rowcount

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT with ``RETURNING id`` appended; return the new row's id."""
        with self._lock:
            cur = self._live().execute(to_postgres(sql) + " RETURNING id", _pg_params(params))
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query; return its rows as dicts keyed by column name."""
        with self._lock:
            cur = self._live().execute(to_postgres(sql), _pg_params(params))
            names = [c.name for c in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    @contextmanager
    def atomic(self, lock: str | None = None) -> Iterator[Transaction]:
        """Yield a transaction that first takes the advisory lock named ``lock`` (default:
        this store's name) within the current schema; the lock is released at commit or
        rollback, so blocks with the same lock run one after another across processes."""
        with self._lock:
            conn = self._live()
            with conn.transaction():
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended("
                    "coalesce(current_schema(), '') || ':' || %s, 0))",
                    (lock or self.name,),
                )
                yield _PostgresTransaction(conn)

    def ping(self) -> None:
        """Raise ``psycopg.Error`` unless the server answers a query now."""
        with self._lock:
            self._live().execute("SELECT 1").fetchone()

    def close(self) -> None:
        """Close the connection; later calls raise ``psycopg.OperationalError``."""
        with self._lock:
            self._conn.close()


@dataclass(frozen=True)
class Migration:
    """One step of a store's schema: its statements (SQLite dialect), run in one transaction."""

    version: int
    statements: tuple[str, ...]


MIGRATIONS_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL, version INTEGER NOT NULL, applied REAL NOT NULL,
    PRIMARY KEY (component, version))"""
"""Which migrations of which store (``component``) ran, and when (epoch seconds)."""


def migrate(db: Database, component: str, migrations: Sequence[Migration]) -> list[int]:
    """Apply the ``migrations`` of ``component`` not yet recorded in ``schema_migrations``, in
    version order, and record them; return the versions applied now (empty when up to date).

    Idempotent, and safe when several processes start at once: the whole check-and-apply runs
    under one lock (``atomic(lock="schema_migrations")``), so a second process waits and then
    finds the versions recorded. Assumes the statements are safe on an older database made
    before migrations existed (``CREATE ... IF NOT EXISTS``): its tables are kept as they are.
    """
    applied: list[int] = []
    with db.atomic(lock="schema_migrations") as tx:
        tx.execute(MIGRATIONS_TABLE)
        rows = tx.execute(
            "SELECT version FROM schema_migrations WHERE component = ?", (component,)
        ).fetchall()
        done = {int(r[0]) for r in rows}
        for step in sorted(migrations, key=lambda m: m.version):
            if step.version in done:
                continue
            for statement in step.statements:
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_migrations (component, version, applied) VALUES (?, ?, ?)",
                (component, step.version, time.time()),
            )
            applied.append(step.version)
    return applied


def open_database(
    location: Path | str, name: str, migrations: Sequence[Migration], *, wal: bool = False
) -> Database:
    """Return the database at ``location`` with ``name``'s migrations applied: PostgreSQL
    when it is a ``postgresql://`` URL, else the SQLite file at that path (``wal`` chooses
    the SQLite mode, see ``SqliteDatabase``; PostgreSQL ignores it).

    Raises:
        psycopg.OperationalError: the PostgreSQL server cannot be reached (the message names
            host and port, never the password).
    """
    db: Database
    if is_database_url(location):
        db = PostgresDatabase(str(location), name=name)
    else:
        db = SqliteDatabase(location, name=name, wal=wal)
    migrate(db, name, migrations)
    return db
