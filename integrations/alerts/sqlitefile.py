"""One SQLite file shared by a store's methods: a private file, its schema, a lock, and the two
statement helpers every store uses (rows back, or the number of rows changed)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.private import private_file


class SqliteFile:
    """A store's connection (usable from any thread, one statement at a time)."""

    def __init__(self, path: Path | str, schema: Sequence[str]) -> None:
        private_file(Path(path))
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        for statement in schema:
            self.db.execute(statement)
        self.db.commit()
        self._lock = threading.Lock()

    def _exec(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and commit; return its rows."""
        with self._lock:
            rows = self.db.execute(sql, params).fetchall()
            self.db.commit()
            return rows

    def _change(self, sql: str, params: tuple[object, ...]) -> int:
        """Run one statement and commit; return how many rows it changed."""
        with self._lock:
            cur = self.db.execute(sql, params)
            self.db.commit()
            return cur.rowcount
