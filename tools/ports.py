"""Storage interfaces the tools depend on; ``integrations.storage`` implements them."""

from __future__ import annotations

from typing import Protocol

from core.spec import StrategySpec


class StrategyStore(Protocol):
    """Per-user, versioned strategy storage with search by meaning."""

    def save(self, user: str, spec: StrategySpec) -> StrategySpec:
        """Store a spec (a new version when its id exists) and return what was stored."""
        ...

    def get(self, user: str, ref: str, version: int | None = None) -> StrategySpec | None:
        """Return the user's (or a shared) strategy by id or name; the newest version by default."""
        ...

    def list(self, user: str) -> list[StrategySpec]:
        """Return the newest version of each strategy the user can see."""
        ...

    def search(self, user: str, query: str, k: int = 3) -> list[tuple[StrategySpec, float]]:
        """Return the user's and shared strategies nearest in meaning to ``query``."""
        ...

    def delete(self, user: str, ref: str) -> bool:
        """Delete every version of one of the user's own strategies."""
        ...

    def share(self, user: str, ref: str) -> bool:
        """Share one of the user's own strategies with everyone."""
        ...

    def versions(self, user: str, ref: str) -> list[StrategySpec]:
        """Return every version of a visible strategy, oldest first."""
        ...


class MemoryStore(Protocol):
    """Per-user facts and preferences."""

    def add(self, user: str, text: str) -> str:
        """Remember a fact; return its id."""
        ...

    def list(self, user: str) -> list[tuple[str, str]]:
        """Return (id, text) of the user's facts."""
        ...

    def forget(self, user: str, fact_id: str | None = None) -> int:
        """Forget one fact or all; return how many were removed."""
        ...
