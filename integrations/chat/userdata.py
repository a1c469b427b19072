"""Everything stored about one user, across every store: exported as one JSON document
(``whispr users export``) or purged (``whispr users delete --purge``), the two GDPR requests.

Where a user's data lives (all under ``WHISPR_HOME``):

| store | what |
|---|---|
| ``accounts.sqlite`` (``AccountStore``) | account, chat identities, API tokens, sessions |
| ``accounts.sqlite`` (``ActivityStore``) | audit log, transcripts, alert inbox, turn counts |
| ``alerts.sqlite`` | alerts they own and those alerts' firings |
| ``whispr.sqlite`` + Chroma ``strategies`` | strategies they own, every version |
| Chroma ``user_context`` | remembered facts |
| ``threads.sqlite`` | LangGraph checkpoints of their threads (``<user>/<thread>``) |
| ``charts/users/<user>/`` | chart PNGs |

The export never holds secrets: no password hash, no token or session digest.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import InvalidArgumentError
from integrations.alerts.briefings import SqliteBriefingStore
from integrations.alerts.store import SqliteAlertStore
from integrations.alerts.watchstore import SqliteWatchStore
from integrations.chat.activity import ActivityStore
from integrations.chat.settings import ChannelSettings
from integrations.chat.store import AccountStore
from integrations.storage.sql import is_database_url, open_database
from integrations.storage.strategies import SqliteStrategyStore
from integrations.storage.vectors import VectorStore, make_client

EXPORT_FORMAT = "whispr-user-export"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class UserStores:
    """The stores that hold users' data, opened on one home."""

    accounts: AccountStore
    activity: ActivityStore
    alerts: SqliteAlertStore
    strategies: SqliteStrategyStore
    vectors: VectorStore
    threads_db: Path | str
    """Where LangGraph's checkpoints live: the SQLite file, or the PostgreSQL URL
    (``WHISPR_DATABASE_URL``); thread ids are ``<user>/<thread>``."""
    charts_root: Path
    """One chart folder per user under it."""
    watches: SqliteWatchStore | None = None
    """Strategy watches and the paper journal."""
    briefings: SqliteBriefingStore | None = None
    """Scheduled briefings."""


def open_stores(settings: ChannelSettings) -> UserStores:
    """Return the stores of ``settings.home`` (Chroma: ``WHISPR_CHROMA_URL`` when set; accounts,
    activity, alerts, strategies, watches, briefings: ``WHISPR_DATABASE_URL`` and
    ``WHISPR_REDIS_URL``)."""
    home = settings.home
    vectors = VectorStore(make_client(home / "chroma"))
    return UserStores(
        accounts=AccountStore(settings.accounts_location),
        activity=ActivityStore(settings.accounts_location, redis_url=settings.redis_url),
        alerts=SqliteAlertStore(settings.store_location("alerts.sqlite")),
        strategies=SqliteStrategyStore(settings.store_location("whispr.sqlite"), vectors),
        vectors=vectors,
        threads_db=settings.database_url or settings.threads_db,
        charts_root=settings.charts_root,
        watches=SqliteWatchStore(settings.store_location("watches.sqlite")),
        briefings=SqliteBriefingStore(settings.store_location("briefings.sqlite")),
    )


def _postgres_thread_ids(url: str, username: str) -> list[str]:
    """Return ``username``'s checkpointed thread ids in the PostgreSQL database at ``url``
    (none before LangGraph has made its tables)."""
    db = open_database(url, "threads", ())
    try:
        if not db.rows("SELECT to_regclass('checkpoints') IS NOT NULL")[0][0]:
            return []
        prefix = f"{username}/"
        rows = db.rows(
            "SELECT DISTINCT thread_id FROM checkpoints WHERE substr(thread_id, 1, ?) = ? "
            "ORDER BY thread_id",
            (len(prefix), prefix),
        )
    finally:
        db.close()
    return [r[0] for r in rows]


def _thread_ids(threads_db: Path | str, username: str) -> list[str]:
    """Return the checkpointed thread ids of ``username`` (``<user>/...``)."""
    if is_database_url(threads_db):
        return _postgres_thread_ids(str(threads_db), username)
    threads_db = Path(threads_db)
    if not threads_db.is_file():
        return []
    prefix = f"{username}/"
    with closing(sqlite3.connect(str(threads_db))) as conn:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='checkpoints'"
        ).fetchall():
            return []
        rows = conn.execute(
            "SELECT DISTINCT thread_id FROM checkpoints WHERE substr(thread_id, 1, ?) = ? "
            "ORDER BY thread_id",
            (len(prefix), prefix),
        ).fetchall()
    return [r[0] for r in rows]


def _chart_folder(stores: UserStores, username: str) -> Path:
    folder = stores.charts_root / username
    if folder.resolve().parent != stores.charts_root.resolve():
        raise InvalidArgumentError(f"invalid username {username!r}")
    return folder


def export_user(stores: UserStores, username: str) -> dict[str, Any]:
    """Return everything stored about ``username`` as JSON-ready data.

    Raises:
        InvalidArgumentError: no store holds anything of ``username``.
    """
    name = username.strip().lower()
    charts = _chart_folder(stores, name)
    memory = sorted(
        stores.vectors.items("user_context", name), key=lambda i: float(i[2].get("created", 0))
    )
    data: dict[str, Any] = {
        "account": stores.accounts.account(name),
        **stores.activity.user_records(name),
        **stores.alerts.owner_records(name),
        **(stores.watches.owner_records(name) if stores.watches else {}),
        **(stores.briefings.owner_records(name) if stores.briefings else {}),
        "strategies": stores.strategies.owned(name),
        "memory": [{"id": i, "text": t, "created": m.get("created")} for i, t, m in memory],
        "threads": _thread_ids(stores.threads_db, name),
        "charts": sorted(p.name for p in charts.glob("*.png")) if charts.is_dir() else [],
    }
    if not any(data.values()):
        raise InvalidArgumentError(f"no user {name!r} and no data of theirs")
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "username": name,
        **data,
    }


def purge_user(stores: UserStores, username: str) -> dict[str, int]:
    """Delete ``username``'s account and everything stored about them; return how many items
    went from each store. The account goes last, so a purge cut short can be run again."""
    name = username.strip().lower()
    charts = _chart_folder(stores, name)
    gone: dict[str, int] = {}
    gone["charts"] = len(list(charts.glob("*"))) if charts.is_dir() else 0
    if charts.is_dir():
        shutil.rmtree(charts)
    gone["memory"] = stores.vectors.delete_owner("user_context", name)
    gone["strategies"] = stores.strategies.purge_owner(name)
    gone["alerts and firings"] = stores.alerts.purge_owner(name)
    if stores.watches is not None:
        gone["watches and paper trades"] = stores.watches.purge_owner(name)
    if stores.briefings is not None:
        gone["briefings"] = stores.briefings.purge_owner(name)
    threads = _thread_ids(stores.threads_db, name)
    if threads and is_database_url(stores.threads_db):
        from assistant.service import checkpointer_for  # LangGraph is imported when needed

        saver = checkpointer_for(stores.threads_db)  # its own tables: checkpoints, blobs, writes
        try:
            for thread in threads:
                saver.delete_thread(thread)
        finally:
            pool = getattr(saver, "conn", None)
            if pool is not None:
                pool.close()
    elif threads:
        with closing(sqlite3.connect(str(stores.threads_db), timeout=30)) as conn, conn:
            for thread in threads:
                conn.execute("DELETE FROM checkpoints WHERE thread_id = ?", (thread,))
                conn.execute("DELETE FROM writes WHERE thread_id = ?", (thread,))
    gone["threads"] = len(threads)
    gone["audit, transcripts and inbox"] = stores.activity.purge_user(name)
    gone["account"] = int(stores.accounts.delete_user(name))
    return gone
