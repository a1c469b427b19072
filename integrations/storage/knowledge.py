"""The domain glossary indexed in the vector store's ``knowledge`` collection, so a question in
other words ("what is the zone where price coils before a move?") still finds its entry."""

from __future__ import annotations

from integrations.storage.vectors import VectorStore
from tools.explain import glossary

OWNER = "whispr"
MAX_DISTANCE = 0.6
"""Cosine distance beyond which a hit is not an answer (unrelated questions stay unanswered)."""


class GlossaryIndex:
    """Semantic look-up of glossary terms; the entries are (re)indexed on construction."""

    def __init__(self, vectors: VectorStore) -> None:
        self.vectors = vectors
        for entry in glossary():
            text = f"{entry.term}: {', '.join(entry.aliases)}. {entry.text}"
            self.vectors.upsert(
                "knowledge", f"glossary-{entry.term}", text, OWNER, shared=True, term=entry.term
            )

    def nearest_term(self, question: str) -> str | None:
        """Return the glossary term nearest in meaning to ``question``, or None if none is close."""
        hits = self.vectors.search("knowledge", question, OWNER, k=1)
        if not hits or hits[0].distance > MAX_DISTANCE:
            return None
        return str(hits[0].metadata["term"])
