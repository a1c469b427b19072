"""A small thread-safe wrapper around one SQLite file (WAL mode, one lock, commit per call)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.private import private_file


class Db:
    """One SQLite connection shared by threads; every call runs under a lock and commits."""

    def __init__(self, path: Path | str, schema: Iterable[str]) -> None:
        path = Path(path)
        private_file(path)
        self.path = path
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a crash of the process; only a power loss can drop the
        # last commits. Saves an fsync per request (token last-used, audit rows).
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        with self._lock:
            for statement in schema:
                self._conn.execute(statement)
            self._conn.commit()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return all rows."""
        with self._lock:
            out = self._conn.execute(sql, params).fetchall()
            self._conn.commit()
        return out

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run a write statement; return the number of changed rows."""
        with self._lock:
            cur = self._conn.execute(sql, params)
            self._conn.commit()
        return cur.rowcount

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """Yield the connection inside one write transaction (BEGIN IMMEDIATE, so other threads
        and processes on this file wait): a read-check-write runs as one step, or not at all."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
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

    def insert(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run an INSERT; return the new row id."""
        with self._lock:
            cur = self._conn.execute(sql, params)
            self._conn.commit()
        return int(cur.lastrowid or 0)
