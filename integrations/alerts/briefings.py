"""Scheduled briefings: a symbol's pre-market summary posted once per NYSE session.

A briefing says, for the session it is posted for: the levels of each mode asked (from
completed bars before the session, as ``atr_levels`` computes them), the pivot ribbon and phase
oscillator on the daily bars as of the previous close, the golden-gate completion odds over all
sessions up to the previous one, and the previous session's outcome. Every number comes from a
tool; nothing is computed here.

When: at the first stream event at or after its time (ET) on a session day. A live provider's
pre-market quotes post it on time; the offline replay clock starts at the open, so there a 9am
briefing posts at 09:30. A posting is recorded per (briefing, session) before it is delivered
(through the alert monitor's retry loop), so a restart never posts it twice.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from core.calendar import is_session, previous_session
from core.sources import BarSource
from integrations.alerts.sqlitefile import SqliteFile
from integrations.alerts.store import PendingFiring
from tools import ToolContext, ToolError, run_tool

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS briefings (
        briefing_id TEXT PRIMARY KEY, owner TEXT NOT NULL, destination TEXT NOT NULL,
        symbol TEXT NOT NULL, modes TEXT NOT NULL, at TEXT NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS briefing_posts (
        briefing_id TEXT NOT NULL, session TEXT NOT NULL, message TEXT NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, PRIMARY KEY (briefing_id, session))""",
)
_KEYS = ("-1", "-0.618", "-0.382", "-0.236", "+0.236", "+0.382", "+0.618", "+1")
_MODE_WORDS = {"day": "Day", "multiday": "Weekly", "swing": "Monthly", "position": "Quarterly",
               "longterm": "Yearly", "scalp": "4-hour"}  # fmt: skip


class SqliteBriefingStore(SqliteFile):
    """Briefings and their postings in a SQLite file (``location`` a path) or PostgreSQL (a
    URL); ``pending``/``mark`` have the alert store's shape, so the alert monitor delivers
    them."""

    def __init__(self, location: Path | str) -> None:
        super().__init__(location, SCHEMA, name="briefings")

    def add(
        self,
        briefing_id: str,
        owner: str,
        destination: str,
        symbol: str,
        modes: list[str],
        at: str,
    ) -> None:
        """Store a briefing of ``symbol`` (levels of ``modes``) posted at ``at`` (HH:MM ET)."""
        self._exec(
            "INSERT INTO briefings VALUES (?,?,?,?,?,?,0,?) ON CONFLICT (briefing_id) DO UPDATE "
            "SET owner=excluded.owner, destination=excluded.destination, "
            "symbol=excluded.symbol, modes=excluded.modes, at=excluded.at, paused=0, "
            "created=excluded.created",
            (briefing_id, owner, destination, symbol, json.dumps(modes), at, time.time()),
        )

    def briefings(
        self, owner: str | None = None, *, active_only: bool = False
    ) -> list[dict[str, Any]]:
        """Return briefings (of one owner when given), oldest first, as dicts with ``id``,
        ``owner``, ``destination``, ``symbol``, ``modes``, ``at`` and ``paused``."""
        where, params = [], []
        if owner is not None:
            where.append("owner=?")
            params.append(owner)
        if active_only:
            where.append("paused=0")
        sql = "SELECT briefing_id, owner, destination, symbol, modes, at, paused FROM briefings"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created, briefing_id"
        return [
            {"id": r[0], "owner": r[1], "destination": r[2], "symbol": r[3],
             "modes": json.loads(r[4]), "at": r[5], "paused": bool(r[6])}
            for r in self._exec(sql, tuple(params))
        ]  # fmt: skip

    def set_paused(self, owner: str, briefing_id: str, paused: bool) -> bool:
        """Pause or resume one of ``owner``'s briefings; return whether it exists."""
        sql = "UPDATE briefings SET paused=? WHERE owner=? AND briefing_id=?"
        return self._change(sql, (int(paused), owner, briefing_id)) > 0

    def delete(self, owner: str, briefing_id: str) -> bool:
        """Delete one of ``owner``'s briefings; return whether it existed."""
        sql = "DELETE FROM briefings WHERE owner=? AND briefing_id=?"
        return self._change(sql, (owner, briefing_id)) > 0

    def posted(self, session: str) -> set[str]:
        """Return the ids of briefings already recorded for ``session``."""
        rows = self._exec("SELECT briefing_id FROM briefing_posts WHERE session=?", (session,))
        return {r[0] for r in rows}

    def record(self, briefing_id: str, session: str, message: str) -> bool:
        """Record a posting; return False when this briefing was already posted for ``session``."""
        return (
            self._change(
                "INSERT OR IGNORE INTO briefing_posts (briefing_id, session, message) VALUES (?,?,?)",
                (briefing_id, session, message),
            )
            > 0
        )

    def pending(self) -> list[PendingFiring]:
        """Return recorded postings not yet delivered, oldest session first."""
        rows = self._exec(
            "SELECT p.briefing_id, p.session, b.destination, p.message, p.attempts "
            "FROM briefing_posts p JOIN briefings b ON b.briefing_id = p.briefing_id "
            "WHERE p.delivered=0 ORDER BY p.session, p.briefing_id"
        )
        return [PendingFiring(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]

    def mark(self, rule_id: str, session: str, error: str | None) -> None:
        """Mark a delivery attempt of briefing ``rule_id`` for ``session``."""
        if error is None:
            sql = "UPDATE briefing_posts SET delivered=1, attempts=attempts+1, last_error=NULL"
            params: tuple[object, ...] = (rule_id, session)
        else:
            sql = "UPDATE briefing_posts SET attempts=attempts+1, last_error=?"
            params = (error[:500], rule_id, session)
        self._exec(sql + " WHERE briefing_id=? AND session=?", params)

    def owner_records(self, owner: str) -> dict[str, list[dict[str, Any]]]:
        """Return ``owner``'s briefings (``whispr users export``)."""
        return {"briefings": self.briefings(owner)}

    def purge_owner(self, owner: str) -> int:
        """Delete ``owner``'s briefings and their postings in one transaction; return how many
        rows went."""
        with self.sql.atomic() as tx:
            gone = tx.execute(
                "DELETE FROM briefing_posts WHERE briefing_id IN "
                "(SELECT briefing_id FROM briefings WHERE owner=?)",
                (owner,),
            ).rowcount
            gone += tx.execute("DELETE FROM briefings WHERE owner=?", (owner,)).rowcount
        return gone


def _run(ctx: ToolContext, name: str, args: dict[str, Any]) -> Any:
    result = run_tool(ctx, name, args)
    return None if isinstance(result, ToolError) else result


def briefing_text(
    source: BarSource, symbol: str, session: dt.date, modes: list[str], label: str = "live"
) -> str:
    """Return the briefing of ``symbol`` for ``session``: each mode's levels, the daily ribbon
    and oscillator at the previous close, the golden-gate odds to the previous session and the
    previous session's outcome (each from its tool; a part a tool refuses is left out)."""
    ctx = ToolContext(source=source, today=session)
    prev = previous_session(session)
    lines = [f"{symbol} briefing for {session:%a %Y-%m-%d} ({label})"]
    for mode in modes:
        lv = _run(ctx, "atr_levels", {"symbol": symbol, "date": session.isoformat(), "mode": mode})
        if lv is None:
            continue
        ladder = " · ".join(f"{k} {lv.levels[k]:.2f}" for k in _KEYS if k in lv.levels)
        lines.append(
            f"{_MODE_WORDS.get(mode, mode)} (from {lv.period_start}): PC {lv.previous_close:.2f}, "
            f"ATR {lv.atr:.2f} · {ladder}"
        )
    ind = _run(
        ctx, "indicator_state", {"symbol": symbol, "timeframe": "1d", "date": prev.isoformat()}
    )
    if ind is not None:
        lines.append(
            f"Daily at the {prev:%m-%d} close: ribbon {ind.spine}, conviction {ind.conviction}, "
            f"PO {ind.phase_oscillator:+.1f} ({ind.po_zone.replace('_', ' ')}"
            f"{', compressed' if ind.compressed else ''})"
        )
    gg = _run(ctx, "golden_gate_stats", {"symbol": symbol, "end": prev.isoformat()})
    if gg is not None:
        odds = ", ".join(
            f"{s.direction} {s.completion_pct:.1f}% of {s.triggers} triggers"
            for s in gg.sides
            if s.completion_pct is not None
        )
        lines.append(f"Golden gate completion odds ({gg.first_date} to {gg.last_date}): {odds}")
    out = _run(ctx, "session_outcome", {"symbol": symbol, "date": prev.isoformat()})
    if out is not None:
        gates = "; ".join(
            f"{g.side} gate {g.status.replace('_', ' ')}"
            + (f" at {g.completed_at or g.failed_at or g.triggered_at}" if g.triggered_at else "")
            for g in (out.bull, out.bear)
        )
        lines.append(
            f"{prev:%a %m-%d}: open {out.open:.2f}, close {out.close:.2f} "
            f"({out.change.points:+.2f}), range {out.range_points:.2f} = {out.range_pct}% of ATR; "
            f"{gates}"
        )
    return "\n".join(lines)


class BriefingRunner:
    """Posts the due briefings as stream events arrive (one check per event, a store read at
    most ``refresh_seconds`` apart)."""

    def __init__(
        self,
        store: SqliteBriefingStore,
        source: BarSource,
        *,
        label: str = "live",
        refresh_seconds: float = 1.0,
        wall: Any = time.monotonic,
    ) -> None:
        self.store = store
        self.source = source
        self.label = label
        self.refresh_seconds = refresh_seconds
        self.wall = wall
        self.active: list[dict[str, Any]] = []
        self._checked = -float("inf")
        self._done: dict[str, set[str]] = {}

    def on_event(self, now: pd.Timestamp) -> int:
        """Record every briefing due at ``now`` (tz-aware ET) not yet posted this session;
        return how many were recorded."""
        if self.wall() - self._checked >= self.refresh_seconds:
            self._checked = self.wall()
            self.active = self.store.briefings(active_only=True)
        day = now.date()
        if not self.active or not is_session(day):
            return 0
        session = day.isoformat()
        done = self._done.setdefault(session, self.store.posted(session))
        clock = f"{now:%H:%M}"
        recorded = 0
        for b in self.active:
            if b["id"] in done or clock < b["at"]:
                continue
            text = briefing_text(self.source, b["symbol"], day, b["modes"], self.label)
            recorded += self.store.record(b["id"], session, text)
            done.add(b["id"])
        return recorded
