"""Durable alerts: rules and firings in SQLite. A firing is keyed by (rule, session), so a
restart never records or delivers the same firing twice."""

from __future__ import annotations

import sqlite3
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


class SqliteAlertStore(SqliteFile):
    """Alerts and firings on disk."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(alerts)")}
        for column in ("window_start", "window_end"):  # files made before windows existed
            if column not in columns:
                self.db.execute(f"ALTER TABLE alerts ADD COLUMN {column} TEXT")
        self.db.commit()

    def add(
        self,
        rule: AlertRule,
        ribbon: str | None = None,
        window: tuple[str, str] | None = None,
    ) -> None:
        """Store a new alert rule (replacing one with the same id)."""
        start, end = window or (None, None)
        self._exec(
            "INSERT OR REPLACE INTO alerts VALUES (?,?,?,?,?,?,?,0,?,?,?)",
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
        with self._lock:
            cur = self.db.execute(
                "UPDATE alerts SET paused=? WHERE owner=? AND rule_id=?",
                (int(paused), owner, rule_id),
            )
            self.db.commit()
        return cur.rowcount > 0

    def set_filters(
        self, owner: str, rule_id: str, *, ribbon: str | None, window: tuple[str, str] | None
    ) -> bool:
        """Replace one of the owner's alert's ribbon filter and time window (paused state,
        creation time and firing history stay); False if they have none by that id."""
        start, end = window or (None, None)
        with self._lock:
            cur = self.db.execute(
                "UPDATE alerts SET ribbon=?, window_start=?, window_end=? "
                "WHERE owner=? AND rule_id=?",
                (ribbon, start, end, owner, rule_id),
            )
            self.db.commit()
        return cur.rowcount > 0

    def delete(self, owner: str, rule_id: str) -> bool:
        """Delete one of the owner's alerts."""
        with self._lock:
            cur = self.db.execute(
                "DELETE FROM alerts WHERE owner=? AND rule_id=?", (owner, rule_id)
            )
            self.db.commit()
        return cur.rowcount > 0

    def record(
        self,
        rule_id: str,
        session: str,
        fired_at: str,
        price: float,
        level_price: float,
        message: str,
    ) -> bool:
        """Record a firing; return False when this rule already fired in this session."""
        with self._lock:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO firings (rule_id, session, fired_at, price, level_price, "
                "message) VALUES (?,?,?,?,?,?)",
                (rule_id, session, fired_at, price, level_price, message),
            )
            self.db.commit()
        return cur.rowcount > 0

    def record_many(self, rows: list[tuple[str, str, str, float, float, str]]) -> int:
        """Record many firings in one transaction; return how many were new."""
        with self._lock:
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO firings (rule_id, session, fired_at, price, level_price, "
                "message) VALUES (?,?,?,?,?,?)",
                rows,
            )
            self.db.commit()
            return self.db.total_changes - before

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
        with self._lock:
            alerts = self.db.execute(
                "SELECT * FROM alerts WHERE owner=? ORDER BY created", (owner,)
            )
            alert_rows = [_as_dict(alerts, row) for row in alerts.fetchall()]
            firings = self.db.execute(
                "SELECT f.* FROM firings f JOIN alerts a ON a.rule_id = f.rule_id "
                "WHERE a.owner=? ORDER BY f.fired_at",
                (owner,),
            )
            firing_rows = [_as_dict(firings, row) for row in firings.fetchall()]
        return {"alerts": alert_rows, "firings": firing_rows}

    def purge_owner(self, owner: str) -> int:
        """Delete ``owner``'s alerts and their firings in one transaction; return how many
        rows went."""
        with self._lock:
            try:
                gone = self.db.execute(
                    "DELETE FROM firings WHERE rule_id IN (SELECT rule_id FROM alerts WHERE "
                    "owner=?)",
                    (owner,),
                ).rowcount
                gone += self.db.execute("DELETE FROM alerts WHERE owner=?", (owner,)).rowcount
            except BaseException:
                self.db.rollback()
                raise
            self.db.commit()
        return gone


def _as_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}
