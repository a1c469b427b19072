"""A store's database shared by its methods: a private SQLite file (the embedded default) or
PostgreSQL when given a ``postgresql://`` URL, its schema applied as versioned migrations, and
the two statement helpers every store uses (rows back, or the number of rows changed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from integrations.storage.sql import Database, Migration, open_database


class SqliteFile:
    """A store's connection (usable from any thread, one statement at a time).

    ``location`` is a SQLite file path or a PostgreSQL URL; ``schema`` is migration 1 of the
    store ``name`` (``schema_migrations``), ``later`` its further migrations in order. SQLite
    files run in WAL mode with ``synchronous=NORMAL``, like the accounts file: a recorded firing
    survives a crash or ``kill -9`` of the process (only a power loss can drop the last commits),
    a commit costs no disk flush (one flush cost ~13 ms here, more than a second of a full
    feed's ticks), and readers in other processes do not block the live engine's writes.
    """

    def __init__(
        self,
        location: Path | str,
        schema: Sequence[str],
        *,
        name: str,
        later: Sequence[Migration] = (),
    ) -> None:
        self.sql: Database = open_database(
            location, name, (Migration(1, tuple(schema)), *later), wal=True
        )

    def _exec(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and commit; return its rows."""
        return self.sql.rows(sql, params)

    def _change(self, sql: str, params: tuple[object, ...]) -> int:
        """Run one statement and commit; return how many rows it changed."""
        return self.sql.run(sql, params)
