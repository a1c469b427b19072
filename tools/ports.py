"""Storage interfaces the tools depend on; ``integrations.storage`` implements them."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Protocol

from core.alerts import AlertRule
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

    def search(
        self, user: str, query: str, k: int = 3
    ) -> builtins.list[tuple[StrategySpec, float]]:
        """Return the user's and shared strategies nearest in meaning to ``query``."""
        ...

    def delete(self, user: str, ref: str) -> bool:
        """Delete every version of one of the user's own strategies."""
        ...

    def share(self, user: str, ref: str) -> bool:
        """Share one of the user's own strategies with everyone."""
        ...

    def versions(self, user: str, ref: str) -> builtins.list[StrategySpec]:
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


class StoredAlert(Protocol):
    """An alert as an ``AlertStore`` returns it: the rule and its filters."""

    @property
    def rule(self) -> AlertRule:
        """The symbol, level, direction, owner and destination."""
        ...

    @property
    def ribbon(self) -> str | None:
        """The ribbon state the crossing must agree with, if any."""
        ...

    @property
    def paused(self) -> bool:
        """True while the alert is paused."""
        ...

    @property
    def window(self) -> tuple[str, str] | None:
        """("HH:MM", "HH:MM") ET: fire only on a crossing inside it."""
        ...


class AlertStore(Protocol):
    """Per-user level alerts."""

    def history(self, owner: str, rule_id: str) -> builtins.list[dict[str, Any]]:
        """Return the firings of one of the owner's alerts, newest first."""
        ...

    def add(
        self, rule: AlertRule, ribbon: str | None = None, window: tuple[str, str] | None = None
    ) -> None:
        """Store a new alert rule (replacing one with the same id)."""
        ...

    def alerts(
        self, owner: str | None = None, *, active_only: bool = False
    ) -> Sequence[StoredAlert]:
        """Return alerts (of one owner when given), oldest first."""
        ...

    def set_paused(self, owner: str, rule_id: str, paused: bool) -> bool:
        """Pause or resume one of the owner's alerts; False if they have none by that id."""
        ...

    def delete(self, owner: str, rule_id: str) -> bool:
        """Delete one of the owner's alerts; False if they have none by that id."""
        ...

    def set_filters(
        self, owner: str, rule_id: str, *, ribbon: str | None, window: tuple[str, str] | None
    ) -> bool:
        """Replace one of the owner's alert's ribbon filter and time window (paused state,
        creation time and firing history stay); False if they have none by that id."""
        ...


class WatchLine(Protocol):
    """A strategy watch as a ``WatchStore`` returns it."""

    @property
    def watch_id(self) -> str:
        """The watch's id, e.g. 'w1a2b3c4'."""
        ...

    @property
    def symbol(self) -> str:
        """The symbol watched."""
        ...

    @property
    def spec(self) -> StrategySpec:
        """The strategy spec watched (a snapshot taken when the watch was made)."""
        ...

    @property
    def destination(self) -> str:
        """Where its entries and exits are posted."""
        ...

    @property
    def start(self) -> str:
        """ISO time (ET) the watch started ('' until the live engine first sees it)."""
        ...

    @property
    def paused(self) -> bool:
        """True while the watch is paused."""
        ...


class WatchStore(Protocol):
    """Per-user strategy watches and their paper journal."""

    def add(
        self, watch_id: str, owner: str, destination: str, symbol: str, spec: StrategySpec
    ) -> None:
        """Store a new watch of ``spec`` on ``symbol``."""
        ...

    def watches(
        self, owner: str | None = None, *, active_only: bool = False
    ) -> Sequence[WatchLine]:
        """Return watches (of one owner when given), oldest first."""
        ...

    def set_paused(self, owner: str, watch_id: str, paused: bool) -> bool:
        """Pause or resume one of the owner's watches; False if they have none by that id."""
        ...

    def delete(self, owner: str, watch_id: str) -> bool:
        """Delete one of the owner's watches (its journal stays); False if none by that id."""
        ...

    def journal(self, owner: str, watch_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Return the owner's paper trades, oldest first (open trades have no exit fields)."""
        ...


class BriefingStore(Protocol):
    """Per-user scheduled briefings."""

    def add(
        self, briefing_id: str, owner: str, destination: str, symbol: str, modes: list[str], at: str
    ) -> None:
        """Store a briefing of ``symbol`` posted at ``at`` (HH:MM ET) each session."""
        ...

    def briefings(
        self, owner: str | None = None, *, active_only: bool = False
    ) -> builtins.list[dict[str, Any]]:
        """Return briefings as dicts (id, symbol, modes, at, destination, paused)."""
        ...

    def set_paused(self, owner: str, briefing_id: str, paused: bool) -> bool:
        """Pause or resume one of the owner's briefings; False if none by that id."""
        ...

    def delete(self, owner: str, briefing_id: str) -> bool:
        """Delete one of the owner's briefings; False if none by that id."""
        ...
