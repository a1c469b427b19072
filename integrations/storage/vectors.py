"""The vector store: ChromaDB collections for strategies, user context and domain knowledge,
every query scoped to the requesting user.

Embedded and persistent on disk by default (``WHISPR_HOME``/chroma); a Chroma server when
``WHISPR_CHROMA_URL`` is set (``http://host:8000``). Embeddings are the offline MiniLM in
``integrations.storage.embeddings``: nothing is downloaded at run time.

Search is hybrid: the nearest items by embedding, re-ranked by the domain terms (levels, sides,
session parts) they share with the query, which a general-purpose model does not know are the
same ("+23.6 %" is the call trigger).

Scoping: every item carries ``owner`` (a user id) and ``shared`` (bool) metadata. A user's search
sees their own items plus items shared with everyone; nothing else, whatever the query says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings

from assistant.private import private_dir
from assistant.settings import get_settings
from core.errors import InvalidArgumentError
from integrations.storage.embeddings import MiniLMEmbedding, domain_tags

COLLECTIONS = ("strategies", "user_context", "knowledge")
RERANK_POOL = 5
"""Candidates fetched per wanted hit before the domain-term re-ranking."""
TAG_BONUS = 0.05
"""Cosine-distance credit per domain term (level name, side, session part) shared with the query."""


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str
    text: str
    metadata: dict[str, Any]
    distance: float
    """Cosine distance: 0 identical, 2 opposite."""


def make_client(path: Path | str | None = None, url: str | None = None) -> ClientAPI:
    """Return a Chroma client: HTTP when ``url`` (or ``WHISPR_CHROMA_URL``) is set, else embedded
    and persistent at ``path`` (default ``$WHISPR_HOME/chroma``). Telemetry is off."""
    url = url or get_settings().whispr_chroma_url
    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    root = Path(path) if path else get_settings().home / "chroma"
    private_dir(root)
    return chromadb.PersistentClient(path=str(root), settings=settings)


class VectorStore:
    """Per-user semantic storage over Chroma collections."""

    def __init__(self, client: ClientAPI, embedding: MiniLMEmbedding | None = None) -> None:
        self.client = client
        self.embedding = embedding or MiniLMEmbedding()
        self._collections: dict[str, Any] = {}

    def collection(self, name: str) -> Any:
        """Return a collection by name (created on first use with the offline embedding)."""
        if name not in COLLECTIONS:
            raise InvalidArgumentError(f"unknown collection {name!r}; accepted: {COLLECTIONS}")
        if name not in self._collections:
            # MiniLMEmbedding is an EmbeddingFunction[Documents] (text only). chromadb types the
            # parameter as EmbeddingFunction[Documents | Images] with a contravariant type
            # variable, which no text-only function satisfies, chromadb's own default included
            # (it carries a type: ignore too): chroma-core/chroma#5241.
            self._collections[name] = self.client.get_or_create_collection(
                name,
                embedding_function=self.embedding,  # type: ignore[arg-type]
                metadata={"hnsw:space": "cosine"},
            )
        return self._collections[name]

    def upsert(
        self,
        collection: str,
        item_id: str,
        text: str,
        owner: str,
        *,
        shared: bool = False,
        **metadata: Any,
    ) -> None:
        """Store or replace one item owned by ``owner``."""
        meta = {k: v for k, v in metadata.items() if v is not None}
        meta.update(owner=owner, shared=bool(shared))
        self.collection(collection).upsert(ids=[item_id], documents=[text], metadatas=[meta])

    def search(
        self,
        collection: str,
        query: str,
        user: str,
        k: int = 3,
        where: dict[str, Any] | None = None,
    ) -> list[Hit]:
        """Return the ``k`` items nearest to ``query`` among the user's own and shared items."""
        scope: dict[str, Any] = {"$or": [{"owner": user}, {"shared": True}]}
        condition = {"$and": [scope, where]} if where else scope
        col = self.collection(collection)
        res = col.query(query_texts=[query], n_results=k * RERANK_POOL, where=condition)
        hits = [
            Hit(i, d, m, float(dist))
            for i, d, m, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]
        wanted = domain_tags(query)
        if wanted:  # hybrid: embedding distance, less a bonus per shared domain term
            hits.sort(key=lambda h: h.distance - TAG_BONUS * len(wanted & domain_tags(h.text)))
        return hits[:k]

    def items(
        self, name: str, user: str, where: dict[str, Any] | None = None
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """Return (id, text, metadata) of every item the user owns (and ``where`` keeps)."""
        condition = {"$and": [{"owner": user}, where]} if where else {"owner": user}
        res = self.collection(name).get(where=condition)
        return list(zip(res["ids"], res["documents"], res["metadatas"], strict=True))

    def delete(self, name: str, user: str, item_id: str) -> bool:
        """Delete one of the user's own items; return False if they own no such item."""
        col = self.collection(name)
        found = col.get(ids=[item_id], where={"owner": user})
        if not found["ids"]:
            return False
        col.delete(ids=[item_id])
        return True

    def delete_owner(self, name: str, user: str) -> int:
        """Delete every item ``user`` owns in collection ``name`` (shared ones too); return how
        many went."""
        col = self.collection(name)
        ids = col.get(where={"owner": user})["ids"]
        if ids:
            col.delete(ids=ids)
        return len(ids)
