"""User context: facts and preferences a user stated ("I trade SPX 0DTE", "risk 0.5% per trade"),
kept per user in the vector store's ``user_context`` collection."""

from __future__ import annotations

import time
import uuid

from integrations.storage.vectors import VectorStore


class VectorMemory:
    """``tools.ports.MemoryStore`` over Chroma: add, list, search and forget a user's facts."""

    def __init__(self, vectors: VectorStore) -> None:
        self.vectors = vectors

    def add(self, user: str, text: str) -> str:
        """Remember one fact for ``user``; return its id."""
        fact_id = f"m{uuid.uuid4().hex[:10]}"
        self.vectors.upsert("user_context", fact_id, text.strip(), user, created=time.time())
        return fact_id

    def list(self, user: str) -> list[tuple[str, str]]:
        """Return (id, text) of the user's facts, oldest first."""
        items = self.vectors.items("user_context", user)
        items.sort(key=lambda item: float(item[2].get("created", 0)))
        return [(i, t) for i, t, _ in items]

    def forget(self, user: str, fact_id: str | None = None) -> int:
        """Forget one fact (by id) or all of the user's facts; return how many were removed."""
        ids = [fact_id] if fact_id else [i for i, _ in self.list(user)]
        return sum(self.vectors.delete("user_context", user, i) for i in ids)
