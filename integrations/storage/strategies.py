"""Strategy storage: every version in SQL, the newest indexed in the vector store for search.

The versions live in a SQLite file (the embedded default) or, given a ``postgresql://`` URL
(``WHISPR_DATABASE_URL``), in PostgreSQL through ``integrations.storage.sql``; the vectors stay in
Chroma (``WHISPR_CHROMA_URL``) either way.

Scoping: a user sees their own strategies and those shared with everyone; only the owner can
change, share or delete one. A name or id always means the user's own strategy; another user's
shared strategy is addressed as ``owner/name`` (or ``owner/id``) and listed under that name, so a
strategy bob shares under alice's name never replaces hers. Saving an existing ``spec_id``
stores a new version and keeps the old ones (and their results) intact.
"""

from __future__ import annotations

import builtins
import json
import time
from pathlib import Path
from typing import Any

from core.spec import StrategySpec, describe
from integrations.storage.sql import Database, Migration, open_database
from integrations.storage.vectors import VectorStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS strategies (
    owner TEXT NOT NULL, spec_id TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0, spec TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (owner, spec_id, version)
)"""

MIGRATIONS = (Migration(1, (SCHEMA,)),)
"""The ``strategies`` store's schema steps (``schema_migrations`` component ``strategies``)."""


class SqliteStrategyStore:
    """``tools.ports.StrategyStore`` over SQL (versions) and Chroma (search by meaning).

    ``location`` is a SQLite file path (made 0600 with its folder) or a PostgreSQL URL.
    """

    def __init__(self, location: Path | str, vectors: VectorStore | None = None) -> None:
        self.db: Database = open_database(location, "strategies", MIGRATIONS)
        self.vectors = vectors
        if vectors is not None:
            self.reconcile()

    def reconcile(self) -> int:
        """Index every newest version the vector store lacks (a save cut off between the SQLite
        commit and the index write); return how many were added."""
        vectors = self.vectors
        if vectors is None:
            return 0
        rows = self._rows(
            "SELECT owner, spec, shared FROM strategies s WHERE version = (SELECT MAX(version) "
            "FROM strategies t WHERE t.owner=s.owner AND t.spec_id=s.spec_id)",
            (),
        )
        added = 0
        known: dict[str, set[str]] = {}
        for owner, raw, shared in rows:
            if owner not in known:
                known[owner] = {i for i, _, _ in vectors.items("strategies", owner)}
            spec = StrategySpec.model_validate_json(raw)
            if f"{owner}:{spec.spec_id}" in known[owner]:
                continue
            vectors.upsert(
                "strategies",
                f"{owner}:{spec.spec_id}",
                self._text(spec),
                owner,
                **({"shared": True} if shared else {}),
                name=spec.name,
                version=spec.version,
                spec_id=spec.spec_id,
            )
            added += 1
        return added

    def _rows(self, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
        return self.db.rows(sql, params)

    def save(self, user: str, spec: StrategySpec) -> StrategySpec:
        """Store ``spec`` for ``user`` and return it as stored: version 1, or the next version
        of an existing id (numbered and written in one step, also across workers)."""
        with self.db.atomic() as tx:
            row = tx.execute(
                "SELECT MAX(version) FROM strategies WHERE owner=? AND spec_id=?",
                (user, spec.spec_id),
            ).fetchone()
            version = (row[0] or 0) + 1
            stored = spec.model_copy(update={"version": version})
            tx.execute(
                "INSERT INTO strategies (owner, spec_id, version, name, shared, spec, created) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    user,
                    stored.spec_id,
                    version,
                    stored.name,
                    0,
                    stored.model_dump_json(),
                    time.time(),
                ),
            )
        if self.vectors is not None:
            self.vectors.upsert(
                "strategies",
                f"{user}:{stored.spec_id}",
                self._text(stored),
                user,
                name=stored.name,
                version=version,
                spec_id=stored.spec_id,
            )
        return stored

    @staticmethod
    def _text(spec: StrategySpec) -> str:
        return f"{spec.name}. {spec.description} {describe(spec)}"

    def _visible(self, user: str) -> list[StrategySpec]:
        rows = self._rows(
            "SELECT spec, owner FROM strategies s WHERE (owner=? OR shared=1) AND version = "
            "(SELECT MAX(version) FROM strategies t WHERE t.owner=s.owner AND t.spec_id=s.spec_id)"
            " ORDER BY owner != ?, created",
            (user, user),
        )
        return [self._as_seen(user, spec, owner) for spec, owner in rows]

    @staticmethod
    def _as_seen(user: str, raw: str, owner: str) -> StrategySpec:
        """Return a stored spec as ``user`` sees it: another owner's under ``owner/name``."""
        spec = StrategySpec.model_validate_json(raw)
        return spec if owner == user else spec.model_copy(update={"name": f"{owner}/{spec.name}"})

    @staticmethod
    def _scope(user: str, ref: str) -> tuple[str, str, str]:
        """Return (SQL condition, owner, key): the user's own by default, ``owner/name`` for a
        strategy another user shared."""
        owner, sep, rest = ref.strip().partition("/")
        if sep and owner and rest and owner != user:
            return "owner=? AND shared=1", owner, rest.strip().lower()
        key = rest.strip().lower() if sep and owner == user else ref.strip().lower()
        return "owner=?", user, key

    def list(self, user: str) -> list[StrategySpec]:
        """Return the newest version of every strategy the user can see."""
        return self._visible(user)

    def get(self, user: str, ref: str, version: int | None = None) -> StrategySpec | None:
        """Return a visible strategy by id or name (case-insensitive); newest unless ``version``."""
        where, owner, key = self._scope(user, ref)
        rows = self._rows(
            f"SELECT spec, version FROM strategies WHERE {where} AND "
            "(lower(spec_id)=? OR lower(name)=?) ORDER BY version DESC",
            (owner, key, key),
        )
        for spec, ver in rows:
            if version is None or ver == version:
                return self._as_seen(user, spec, owner)
        return None

    def versions(self, user: str, ref: str) -> builtins.list[StrategySpec]:
        """Return every stored version of a visible strategy, oldest first."""
        where, owner, key = self._scope(user, ref)
        rows = self._rows(
            f"SELECT spec FROM strategies WHERE {where} AND "
            "(lower(spec_id)=? OR lower(name)=?) ORDER BY version",
            (owner, key, key),
        )
        return [self._as_seen(user, r[0], owner) for r in rows]

    def search(
        self, user: str, query: str, k: int = 3
    ) -> builtins.list[tuple[StrategySpec, float]]:
        """Return up to ``k`` visible strategies nearest in meaning to ``query`` (distance)."""
        if self.vectors is None:
            return []
        out = []
        for hit in self.vectors.search("strategies", query, user, k=k):
            owner = hit.id.partition(":")[0]
            ref = str(hit.metadata["spec_id"])
            spec = self.get(user, ref if owner == user else f"{owner}/{ref}")
            if spec is not None:
                out.append((spec, hit.distance))
        return out

    def share(self, user: str, ref: str) -> bool:
        """Share one of the user's strategies with everyone; False if they own none by that name."""
        spec = self.get(user, ref) if "/" not in ref or ref.startswith(f"{user}/") else None
        if spec is None:
            return False
        changed = self.db.run(
            "UPDATE strategies SET shared=1 WHERE owner=? AND spec_id=?", (user, spec.spec_id)
        )
        if changed and self.vectors is not None:
            self.vectors.upsert(
                "strategies",
                f"{user}:{spec.spec_id}",
                self._text(spec),
                user,
                shared=True,
                name=spec.name,
                version=spec.version,
                spec_id=spec.spec_id,
            )
        return bool(changed)

    def delete(self, user: str, ref: str) -> bool:
        """Delete every version of one of the user's own strategies (never another's)."""
        spec = self.get(user, ref) if "/" not in ref or ref.startswith(f"{user}/") else None
        if spec is None:
            return False
        changed = self.db.run(
            "DELETE FROM strategies WHERE owner=? AND spec_id=?", (user, spec.spec_id)
        )
        if changed and self.vectors is not None:
            self.vectors.delete("strategies", user, f"{user}:{spec.spec_id}")
        return bool(changed)

    # personal data (``whispr users export`` / ``delete --purge``)
    def owned(self, user: str) -> builtins.list[dict[str, Any]]:
        """Return every stored version of every strategy ``user`` owns (shared or not), with
        its spec as data, oldest first."""
        rows = self._rows(
            "SELECT spec_id, version, name, shared, created, spec FROM strategies WHERE owner=? "
            "ORDER BY created, spec_id, version",
            (user,),
        )
        return [
            {
                "spec_id": spec_id,
                "version": version,
                "name": name,
                "shared": bool(shared),
                "created": created,
                "spec": json.loads(spec),
            }
            for spec_id, version, name, shared, created, spec in rows
        ]

    def purge_owner(self, user: str) -> int:
        """Delete every strategy ``user`` owns, all versions, and their search entries (other
        users lose what ``user`` shared with them); return how many versions went."""
        gone = self.db.run("DELETE FROM strategies WHERE owner=?", (user,))
        if self.vectors is not None:
            self.vectors.delete_owner("strategies", user)
        return gone
