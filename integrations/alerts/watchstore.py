"""Strategy watches and their paper journal in SQLite (or PostgreSQL, given a URL).

A *watch* runs a saved strategy spec (a snapshot taken when the watch was asked for, so a later
edit of the strategy does not change a running watch) on live or replayed bars. Each trade the
watch takes is a *paper trade* (nothing is ever sent to a broker); each entry and exit is a
*signal* posted once to the watch's destination. Signals are keyed by (watch, trade entry time,
kind), so a restart or a re-evaluation never records or posts the same signal twice; delivery
goes through the alert monitor's retry loop (``pending`` / ``mark`` have the alert store's shape).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.spec import StrategySpec
from integrations.alerts.sqlitefile import SqliteFile
from integrations.alerts.store import PendingFiring

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS watches (
        watch_id TEXT PRIMARY KEY, owner TEXT NOT NULL, destination TEXT NOT NULL,
        symbol TEXT NOT NULL, strategy TEXT NOT NULL, spec TEXT NOT NULL,
        anchor TEXT NOT NULL, start TEXT NOT NULL, paused INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS paper_trades (
        watch_id TEXT NOT NULL, entry_time TEXT NOT NULL, owner TEXT NOT NULL,
        symbol TEXT NOT NULL, strategy TEXT NOT NULL, side TEXT NOT NULL, qty INTEGER NOT NULL,
        entry_price REAL NOT NULL, stop REAL, exit_time TEXT, exit_price REAL, reason TEXT,
        pnl REAL, r_multiple REAL, PRIMARY KEY (watch_id, entry_time))""",
    """CREATE TABLE IF NOT EXISTS watch_signals (
        watch_id TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL, message TEXT NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, PRIMARY KEY (watch_id, key))""",
)

JOURNAL_COLUMNS = (
    "watch_id",
    "symbol",
    "strategy",
    "side",
    "qty",
    "entry_time",
    "entry_price",
    "stop",
    "exit_time",
    "exit_price",
    "reason",
    "pnl",
    "r_multiple",
)
"""The paper journal's columns, in the order lists and CSV exports show them."""


@dataclass(frozen=True)
class Watch:
    """A strategy watched on one symbol, posting to one destination."""

    watch_id: str
    owner: str
    destination: str
    symbol: str
    spec: StrategySpec
    anchor: str
    """ISO time (ET) of the first bar the watch evaluates: its warm-up starts here ('' until
    the runner first sees the watch)."""
    start: str
    """ISO time (ET) of the stream when the runner first saw the watch: trades entered at or
    after it are the watch's, earlier ones are warm-up ('' until then)."""
    paused: bool


class SqliteWatchStore(SqliteFile):
    """Watches, paper trades and signals in a SQLite file (``location`` a path) or PostgreSQL
    (a URL)."""

    def __init__(self, location: Path | str) -> None:
        super().__init__(location, SCHEMA, name="watches")

    # -- watches ---------------------------------------------------------------------------

    def add(
        self, watch_id: str, owner: str, destination: str, symbol: str, spec: StrategySpec
    ) -> None:
        """Store a new watch of ``spec`` (a snapshot) on ``symbol``; the runner fixes its anchor
        and start when it first sees it."""
        self._exec(
            "INSERT INTO watches VALUES (?,?,?,?,?,?,'','',0,?) ON CONFLICT (watch_id) DO UPDATE "
            "SET owner=excluded.owner, destination=excluded.destination, "
            "symbol=excluded.symbol, strategy=excluded.strategy, spec=excluded.spec, "
            "anchor='', start='', paused=0, created=excluded.created",
            (watch_id, owner, destination, symbol, spec.name, spec.model_dump_json(), time.time()),
        )

    def watches(self, owner: str | None = None, *, active_only: bool = False) -> list[Watch]:
        """Return watches (of one owner when given), oldest first."""
        where, params = [], []
        if owner is not None:
            where.append("owner=?")
            params.append(owner)
        if active_only:
            where.append("paused=0")
        sql = (
            "SELECT watch_id, owner, destination, symbol, spec, anchor, start, paused FROM watches"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY created, watch_id"
        )
        return [
            Watch(
                r[0],
                r[1],
                r[2],
                r[3],
                StrategySpec.model_validate_json(r[4]),
                r[5],
                r[6],
                bool(r[7]),
            )
            for r in self._exec(sql, tuple(params))
        ]

    def set_paused(self, owner: str, watch_id: str, paused: bool) -> bool:
        """Pause or resume one of ``owner``'s watches; return whether it exists."""
        sql = "UPDATE watches SET paused=? WHERE owner=? AND watch_id=?"
        return self._change(sql, (int(paused), owner, watch_id)) > 0

    def start(self, watch_id: str, anchor: str, start: str) -> None:
        """Fix a watch's anchor and start (set once, when the runner first sees it)."""
        self._change(
            "UPDATE watches SET anchor=?, start=? WHERE watch_id=? AND start=''",
            (anchor, start, watch_id),
        )

    def delete(self, owner: str, watch_id: str) -> bool:
        """Delete one of ``owner``'s watches (its journal stays); return whether it existed."""
        return (
            self._change("DELETE FROM watches WHERE owner=? AND watch_id=?", (owner, watch_id)) > 0
        )

    # -- paper trades and signals ----------------------------------------------------------

    def record_entry(
        self, watch: Watch, trade: dict[str, Any], message: str, *, post: bool = True
    ) -> bool:
        """Record a paper trade's entry and its signal (already settled, never posted, when not
        ``post``); return False when already recorded."""
        sql = (
            "INSERT OR IGNORE INTO paper_trades (watch_id, entry_time, owner, symbol, "
            "strategy, side, qty, entry_price, stop) VALUES (?,?,?,?,?,?,?,?,?)"
        )
        row = (watch.watch_id, trade["entry_time"], watch.owner, watch.symbol, watch.spec.name,
               trade["side"], trade["qty"], trade["entry_price"], trade["stop"])  # fmt: skip
        return self._record(sql, row, watch, trade, "entry", message, post)

    def record_exit(
        self, watch: Watch, trade: dict[str, Any], message: str, *, post: bool = True
    ) -> bool:
        """Record a paper trade's exit and its signal (already settled, never posted, when not
        ``post``); return False when already recorded."""
        sql = (
            "UPDATE paper_trades SET exit_time=?, exit_price=?, reason=?, pnl=?, r_multiple=? "
            "WHERE watch_id=? AND entry_time=? AND exit_time IS NULL"
        )
        row = (trade["exit_time"], trade["exit_price"], trade["reason"], trade["pnl"],
               trade["r_multiple"], watch.watch_id, trade["entry_time"])  # fmt: skip
        return self._record(sql, row, watch, trade, "exit", message, post)

    def _record(
        self,
        sql: str,
        row: tuple[object, ...],
        watch: Watch,
        trade: dict[str, Any],
        kind: str,
        message: str,
        post: bool,
    ) -> bool:
        """Apply the trade's change and, when it changed a row, add its ``kind`` signal (keyed
        by the entry time and kind, dated by that side's time), in one transaction (of two
        workers recording the same change, only one sees it new and adds the signal)."""
        with self.sql.atomic() as tx:
            new = tx.execute(sql, row).rowcount > 0
            if new:
                tx.execute(
                    "INSERT OR IGNORE INTO watch_signals (watch_id, key, at, message, delivered) "
                    "VALUES (?,?,?,?,?)",
                    (watch.watch_id, f"{trade['entry_time']} {kind}", trade[f"{kind}_time"],
                     message, int(not post)),
                )  # fmt: skip
        return new

    def journal(self, owner: str, watch_id: str | None = None) -> list[dict[str, Any]]:
        """Return ``owner``'s paper trades (of one watch when given), oldest entry first; an
        open trade has no exit fields."""
        sql = f"SELECT {', '.join(JOURNAL_COLUMNS)} FROM paper_trades WHERE owner=?"
        params: tuple[object, ...] = (owner,)
        if watch_id:
            sql += " AND watch_id=?"
            params = (owner, watch_id)
        rows = self._exec(sql + " ORDER BY entry_time, watch_id", params)
        return [dict(zip(JOURNAL_COLUMNS, row, strict=True)) for row in rows]

    def pending(self) -> list[PendingFiring]:
        """Return recorded signals not yet delivered, oldest first (the monitor delivers them)."""
        rows = self._exec(
            "SELECT s.watch_id, s.key, w.destination, s.message, s.attempts FROM watch_signals s "
            "JOIN watches w ON w.watch_id = s.watch_id WHERE s.delivered=0 ORDER BY s.at, s.key"
        )
        return [PendingFiring(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]

    def mark(self, rule_id: str, session: str, error: str | None) -> None:
        """Mark a delivery attempt of signal (``rule_id`` = watch id, ``session`` = signal key):
        delivered when ``error`` is None, else count the failure."""
        if error is None:
            sql = "UPDATE watch_signals SET delivered=1, attempts=attempts+1, last_error=NULL"
            params: tuple[object, ...] = (rule_id, session)
        else:
            sql = "UPDATE watch_signals SET attempts=attempts+1, last_error=?"
            params = (error[:500], rule_id, session)
        self._exec(sql + " WHERE watch_id=? AND key=?", params)

    # personal data (``whispr users export`` / ``delete --purge``)
    def owner_records(self, owner: str) -> dict[str, list[dict[str, Any]]]:
        """Return ``owner``'s watches and paper journal."""
        watches = [
            {
                "watch_id": w.watch_id,
                "symbol": w.symbol,
                "strategy": w.spec.name,
                "destination": w.destination,
                "start": w.start,
                "paused": w.paused,
            }
            for w in self.watches(owner)
        ]
        return {"watches": watches, "paper_trades": self.journal(owner)}

    def purge_owner(self, owner: str) -> int:
        """Delete ``owner``'s watches, signals and paper trades in one transaction; return how
        many rows went."""
        with self.sql.atomic() as tx:
            gone = tx.execute(
                "DELETE FROM watch_signals WHERE watch_id IN "
                "(SELECT watch_id FROM watches WHERE owner=?)",
                (owner,),
            ).rowcount
            gone += tx.execute("DELETE FROM paper_trades WHERE owner=?", (owner,)).rowcount
            gone += tx.execute("DELETE FROM watches WHERE owner=?", (owner,)).rowcount
        return gone
