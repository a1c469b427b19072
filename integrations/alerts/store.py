"""Durable alerts: rules and firings in SQLite (or PostgreSQL, given a URL). A firing is keyed
by (rule, session), so a restart never records or delivers the same firing twice, and of two
workers that see the same crossing only one records it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.alerts import AlertRule
from integrations.alerts.sqlitefile import SqliteFile

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS alerts (
        rule_id TEXT PRIMARY KEY, owner TEXT NOT NULL, destination TEXT NOT NULL,
        symbol TEXT NOT NULL, level TEXT NOT NULL, direction TEXT NOT NULL,
        ribbon TEXT, paused INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL,
        window_start TEXT, window_end TEXT)""",
    """CREATE TABLE IF NOT EXISTS firings (
        rule_id TEXT NOT NULL, session TEXT NOT NULL, fired_at TEXT NOT NULL,
        price REAL NOT NULL, level_price REAL NOT NULL, message TEXT NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, PRIMARY KEY (rule_id, session))""",
)


@dataclass(frozen=True)
class StoredAlert:
    """A rule with its optional ribbon filter, time-of-day window and paused flag."""

    rule: AlertRule
    ribbon: str | None
    paused: bool
    window: tuple[str, str] | None = None
    """("HH:MM", "HH:MM") ET: fire only on a crossing at or after the start, before the end."""

    def in_window(self, hhmm: str) -> bool:
        """Return whether a crossing at ``hhmm`` (ET) may fire this alert."""
        return self.window is None or self.window[0] <= hhmm < self.window[1]


@dataclass(frozen=True)
class PendingFiring:
    """A recorded firing not yet delivered."""

    rule_id: str
    session: str
    destination: str
    message: str
    attempts: int


_ALERT_COLUMNS = ("rule_id", "owner", "destination", "symbol", "level", "direction", "ribbon",
                  "paused", "created", "window_start", "window_end")  # fmt: skip


class SqliteAlertStore(SqliteFile):
    """Alerts and firings in a SQLite file (``location`` a path) or PostgreSQL (a URL)."""

    def __init__(self, location: Path | str) -> None:
        super().__init__(location, SCHEMA, name="alerts")
        if self.sql.dialect == "sqlite":  # files made before windows (and migrations) existed
            columns = {row[1] for row in self.sql.rows("PRAGMA table_info(alerts)")}
            for column in ("window_start", "window_end"):
                if column not in columns:
                    self.sql.run(f"ALTER TABLE alerts ADD COLUMN {column} TEXT")

    def add(
        self,
        rule: AlertRule,
        ribbon: str | None = None,
        window: tuple[str, str] | None = None,
    ) -> None:
        """Store a new alert rule (replacing one with the same id: every column, unpaused)."""
        start, end = window or (None, None)
        updates = ", ".join(f"{c}=excluded.{c}" for c in _ALERT_COLUMNS[1:])
        self._exec(
            "INSERT INTO alerts VALUES (?,?,?,?,?,?,?,0,?,?,?) "
            f"ON CONFLICT (rule_id) DO UPDATE SET {updates}",
            (
                rule.rule_id,
                rule.owner,
                rule.destination,
                rule.symbol,
                rule.level,
                rule.direction,
                ribbon,
                time.time(),
                start,
                end,
            ),
        )

    def alerts(self, owner: str | None = None, *, active_only: bool = False) -> list[StoredAlert]:
        """Return alerts (of one owner when given), oldest first."""
        sql = (
            "SELECT rule_id, owner, destination, symbol, level, direction, ribbon, paused, "
            "window_start, window_end FROM alerts"
        )
        where, params = [], []
        if owner is not None:
            where.append("owner=?")
            params.append(owner)
        if active_only:
            where.append("paused=0")
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._exec(sql + " ORDER BY created", tuple(params))
        return [
            StoredAlert(
                AlertRule(
                    rule_id=r[0],
                    owner=r[1],
                    destination=r[2],
                    symbol=r[3],
                    level=r[4],
                    direction=r[5],
                ),
                r[6],
                bool(r[7]),
                (str(r[8]), str(r[9])) if r[8] else None,
            )
            for r in rows
        ]

    def set_paused(self, owner: str, rule_id: str, paused: bool) -> bool:
        """Pause or resume one of the owner's alerts; False if they have none by that id."""
        sql = "UPDATE alerts SET paused=? WHERE owner=? AND rule_id=?"
        return self._change(sql, (int(paused), owner, rule_id)) > 0

    def set_filters(
        self, owner: str, rule_id: str, *, ribbon: str | None, window: tuple[str, str] | None
    ) -> bool:
        """Replace one of the owner's alert's ribbon filter and time window (paused state,
        creation time and firing history stay); False if they have none by that id."""
        start, end = window or (None, None)
        return (
            self._change(
                "UPDATE alerts SET ribbon=?, window_start=?, window_end=? "
                "WHERE owner=? AND rule_id=?",
                (ribbon, start, end, owner, rule_id),
            )
            > 0
        )

    def delete(self, owner: str, rule_id: str) -> bool:
        """Delete one of the owner's alerts; return whether it existed."""
        return self._change("DELETE FROM alerts WHERE owner=? AND rule_id=?", (owner, rule_id)) > 0

    def record(
        self,
        rule_id: str,
        session: str,
        fired_at: str,
        price: float,
        level_price: float,
        message: str,
    ) -> bool:
        """Record a firing; return False when this rule already fired in this session (also
        when another worker recorded it first: the (rule, session) key decides)."""
        return (
            self._change(
                "INSERT OR IGNORE INTO firings (rule_id, session, fired_at, price, level_price, "
                "message) VALUES (?,?,?,?,?,?)",
                (rule_id, session, fired_at, price, level_price, message),
            )
            > 0
        )

    def record_many(self, rows: list[tuple[str, str, str, float, float, str]]) -> int:
        """Record many firings in one transaction; return how many were new."""
        return self.sql.run_many(
            "INSERT OR IGNORE INTO firings (rule_id, session, fired_at, price, level_price, "
            "message) VALUES (?,?,?,?,?,?)",
            rows,
        )

    def fired(self, session: str) -> set[str]:
        """Return the ids of rules that already fired in ``session``."""
        return {r[0] for r in self._exec("SELECT rule_id FROM firings WHERE session=?", (session,))}

    def pending(self) -> list[PendingFiring]:
        """Return recorded firings not yet delivered, oldest first."""
        rows = self._exec(
            "SELECT f.rule_id, f.session, a.destination, f.message, f.attempts FROM firings f "
            "JOIN alerts a ON a.rule_id = f.rule_id WHERE f.delivered=0 ORDER BY f.fired_at"
        )
        return [PendingFiring(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]

    def mark(self, rule_id: str, session: str, error: str | None) -> None:
        """Mark a delivery attempt: delivered when ``error`` is None, else count the failure."""
        if error is None:
            self._exec(
                "UPDATE firings SET delivered=1, attempts=attempts+1, last_error=NULL "
                "WHERE rule_id=? AND session=?",
                (rule_id, session),
            )
        else:
            self._exec(
                "UPDATE firings SET attempts=attempts+1, last_error=? WHERE rule_id=? AND "
                "session=?",
                (error[:500], rule_id, session),
            )

    def history(self, owner: str, rule_id: str) -> list[dict[str, Any]]:
        """Return the firings of one of ``owner``'s alerts, newest first: session, time (ET),
        price, level price and whether it was delivered (empty for another owner's alert)."""
        rows = self._exec(
            "SELECT f.session, f.fired_at, f.price, f.level_price, f.delivered FROM firings f "
            "JOIN alerts a ON a.rule_id = f.rule_id WHERE a.owner=? AND f.rule_id=? "
            "ORDER BY f.fired_at DESC",
            (owner, rule_id),
        )
        keys = ("session", "fired_at", "price", "level_price", "delivered")
        return [dict(zip(keys, (*r[:4], bool(r[4])), strict=True)) for r in rows]

    # personal data (``whispr users export`` / ``delete --purge``)
    def owner_records(self, owner: str) -> dict[str, list[dict[str, Any]]]:
        """Return ``owner``'s alerts (every column) and the firings of those alerts."""
        alerts = self.sql.records("SELECT * FROM alerts WHERE owner=? ORDER BY created", (owner,))
        firings = self.sql.records(
            "SELECT f.* FROM firings f JOIN alerts a ON a.rule_id = f.rule_id "
            "WHERE a.owner=? ORDER BY f.fired_at",
            (owner,),
        )
        return {"alerts": alerts, "firings": firings}

    def purge_owner(self, owner: str) -> int:
        """Delete ``owner``'s alerts and their firings in one transaction; return how many
        rows went."""
        with self.sql.atomic() as tx:
            gone = tx.execute(
                "DELETE FROM firings WHERE rule_id IN (SELECT rule_id FROM alerts WHERE owner=?)",
                (owner,),
            ).rowcount
            gone += tx.execute("DELETE FROM alerts WHERE owner=?", (owner,)).rowcount
        return gone
