"""Build the chat service from settings, and create the first admin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.providers.registry import build_model, choose_provider
from assistant.service import checkpointer_for
from core.sources import BarSource
from integrations.alerts.briefings import SqliteBriefingStore
from integrations.alerts.store import SqliteAlertStore
from integrations.alerts.watchstore import SqliteWatchStore
from integrations.chat.accounts import Role, random_password
from integrations.chat.activity import ActivityStore
from integrations.chat.service import ChatService
from integrations.chat.settings import ChannelSettings
from integrations.chat.store import AccountStore
from integrations.marketdata.registry import get_source
from integrations.storage.knowledge import GlossaryIndex
from integrations.storage.memory import VectorMemory
from integrations.storage.strategies import SqliteStrategyStore
from integrations.storage.vectors import VectorStore, make_client


def default_services(home: Path, database_url: str | None = None) -> dict[str, Any]:
    """Return the stores ``whispr ask`` uses (same files under ``home``), keyed by service;
    strategies, alerts, watches and briefings in PostgreSQL when ``database_url`` is given
    (strategies' vectors stay in Chroma)."""
    vectors = VectorStore(make_client(home / "chroma"))
    return {
        "strategies": SqliteStrategyStore(database_url or home / "whispr.sqlite", vectors),
        "memory": VectorMemory(vectors),
        "knowledge": GlossaryIndex(vectors),
        "alerts": SqliteAlertStore(database_url or home / "alerts.sqlite"),
        "watches": SqliteWatchStore(database_url or home / "watches.sqlite"),
        "briefings": SqliteBriefingStore(database_url or home / "briefings.sqlite"),
    }


def build_service(
    settings: ChannelSettings,
    *,
    source: BarSource | None = None,
    services: dict[str, Any] | None = None,
    model: Any = None,
) -> ChatService:
    """Return the chat service for ``settings``: accounts, transcripts and threads on disk,
    the configured LLM provider built once, and the stores (default: ``default_services``)."""
    provider = choose_provider(settings.provider)
    return ChatService(
        AccountStore(settings.accounts_location),
        ActivityStore(settings.accounts_location, redis_url=settings.redis_url),
        source if source is not None else get_source(None),
        provider=provider,
        model=model if model is not None else build_model(provider),
        checkpointer=checkpointer_for(settings.database_url or settings.threads_db),
        services=(
            default_services(settings.home, settings.database_url) if services is None else services
        ),
        charts_root=settings.charts_root,
        rate_limit=settings.rate_limit,
        abuse_limit=settings.abuse_limit,
        max_chars=settings.max_question_chars,
    )


def bootstrap_admin(accounts: AccountStore, settings: ChannelSettings) -> str | None:
    """Create the first admin when no admin exists (users made with ``whispr users add`` before
    the first ``serve`` do not stop it; ``WHISPR_ADMIN_PASSWORD`` is used when set).

    Returns:
        The generated password when one was made up (print it once), else None: an admin
        already exists, or the password came from ``WHISPR_ADMIN_PASSWORD``.
    """
    if any(u.role == Role.ADMIN for u in accounts.users()):
        return None
    if accounts.get(settings.admin_user) is not None:
        return None  # the name is taken by a non-admin: never promote it silently
    password = settings.admin_password or random_password()
    accounts.add_user(settings.admin_user, password, Role.ADMIN)
    return None if settings.admin_password else password
