"""Settings of the channels (web, Slack, Discord), taken from ``assistant.settings`` by a function.

| variable | meaning | default |
|---|---|---|
| ``WHISPR_HOME`` | state folder (accounts, threads, charts) | ``~/.whispr`` |
| ``WHISPR_HOST`` / ``WHISPR_PORT`` | where ``whispr serve`` listens | ``127.0.0.1`` / ``8000`` |
| ``WHISPR_RATE_LIMIT`` | LLM turns per user: ``N/second|minute|hour|day`` | ``60/hour`` |
| ``WHISPR_SESSION_HOURS`` | web login lifetime | ``168`` |
| ``WHISPR_MAX_INFLIGHT`` / ``WHISPR_QUEUE_WAIT`` | API requests at once; seconds one waits before a 503 | ``64`` / ``0.5`` |
| ``WHISPR_SECURE_COOKIES`` | ``1`` behind HTTPS (cookie gets ``Secure``) | off |
| ``WHISPR_ADMIN_USER`` / ``WHISPR_ADMIN_PASSWORD`` | first admin, created when no admin exists | ``admin`` / random |
| ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET`` | Slack HTTP events mode (``/slack/events``) | unset |
| ``SLACK_APP_TOKEN`` | Slack Socket Mode (``xapp-…``) | unset |
| ``DISCORD_BOT_TOKEN`` | Discord bot | unset |
| ``LLM_PROVIDER`` … | the assistant's provider (see ``assistant.providers.registry``) | offline |
| ``WHISPR_LOG_FORMAT`` | ``text`` (for people) or ``json`` (one object a line, with request ids) | ``text`` |
| ``WHISPR_METRICS_PUBLIC`` | ``1``: anyone may read ``/metrics`` (else admins only) | off |
| ``WHISPR_DATABASE_URL`` | ``postgresql://…``: accounts, activity, alerts, watches, briefings there | SQLite files |
| ``WHISPR_REDIS_URL`` | ``redis://…``: per-user turn counts (rate limits) shared by all workers | in the database |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from assistant.settings import get_settings, reveal
from core.errors import InvalidArgumentError
from integrations.storage.sql import POSTGRES_SCHEMES, redact

REDIS_SCHEMES = ("redis", "rediss", "unix")
"""URL schemes ``WHISPR_REDIS_URL`` accepts (redis-py's ``Redis.from_url``)."""


@dataclass(frozen=True)
class ChannelSettings:
    """Everything the web app and the chat bots need; secrets are kept out of ``repr``."""

    home: Path
    host: str = "127.0.0.1"
    port: int = 8000
    rate_limit: tuple[int, float] = (60, 3600.0)
    """Turns answered by a language model, per user (they cost money)."""
    abuse_limit: tuple[int, float] = (600, 3600.0)
    """Every turn per user, offline ones included: a flood guard, not a quota."""
    session_hours: float = 168.0
    max_inflight: int = 64
    """API requests served at once (``WHISPR_MAX_INFLIGHT``); more wait ``queue_wait``."""
    queue_wait: float = 0.5
    """Seconds an API request waits for a slot before a fast 503 (``WHISPR_QUEUE_WAIT``)."""
    secure_cookies: bool = False
    max_question_chars: int = 2000
    max_body_bytes: int = 64 * 1024
    admin_user: str = "admin"
    admin_password: str | None = field(default=None, repr=False)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    discord_bot_token: str | None = field(default=None, repr=False)
    provider: str | None = None
    log_format: str = "text"
    """``text`` or ``json`` (``integrations.logs``)."""
    metrics_public: bool = False
    """True: ``GET /metrics`` needs no login; False: admins only."""
    database_url: str | None = field(default=None, repr=False)
    """``WHISPR_DATABASE_URL``: the PostgreSQL database of every store; None: SQLite files."""
    redis_url: str | None = field(default=None, repr=False)
    """``WHISPR_REDIS_URL``: where turn counts live; None: in the activity store's database."""

    @property
    def accounts_db(self) -> Path:
        """Return the SQLite file of users, sessions, tokens, audit and transcripts."""
        return self.home / "accounts.sqlite"

    @property
    def threads_db(self) -> Path:
        """Return the LangGraph checkpoint file (shared with ``whispr ask``)."""
        return self.home / "threads.sqlite"

    @property
    def accounts_location(self) -> Path | str:
        """Return where accounts and activity live: ``database_url`` when set, else
        ``accounts_db`` (what ``AccountStore`` and ``ActivityStore`` take)."""
        return self.database_url or self.accounts_db

    def store_location(self, filename: str) -> Path | str:
        """Return where the store kept in ``filename`` under ``home`` (``alerts.sqlite``,
        ``watches.sqlite``, ``briefings.sqlite``) lives: ``database_url`` when set."""
        return self.database_url or self.home / filename

    def storage_summary(self) -> str:
        """Return which storage is used, for a log line: URLs with their passwords redacted."""
        database = redact(self.database_url) if self.database_url else f"SQLite under {self.home}"
        turns = redact(self.redis_url) if self.redis_url else "the database"
        return f"storage: {database}; turn counts: {turns}"

    @property
    def charts_root(self) -> Path:
        """Return the folder under which each user's charts live (one sub-folder per user)."""
        return self.home / "charts" / "users"


def load_settings(env: Mapping[str, str] | None = None) -> ChannelSettings:
    """Return the settings from ``env`` (default: the process environment; never a file).

    Raises:
        InvalidArgumentError: a value is not accepted (``WHISPR_PORT``, ``WHISPR_RATE_LIMIT``,
            ``WHISPR_DATABASE_URL``, ...); the message names the variable.
    """
    source = os.environ if env is None else env
    settings = get_settings(env)
    return ChannelSettings(
        home=settings.home,
        host=settings.whispr_host,
        port=settings.whispr_port,
        rate_limit=settings.rate_limit,
        abuse_limit=settings.abuse_limit,
        session_hours=settings.whispr_session_hours,
        max_inflight=settings.whispr_max_inflight,
        queue_wait=settings.whispr_queue_wait,
        secure_cookies=settings.whispr_secure_cookies,
        admin_user=settings.whispr_admin_user,
        admin_password=reveal(settings.whispr_admin_password),
        slack_bot_token=reveal(settings.slack_bot_token),
        slack_signing_secret=reveal(settings.slack_signing_secret),
        slack_app_token=reveal(settings.slack_app_token),
        discord_bot_token=reveal(settings.discord_bot_token),
        provider=settings.llm_provider,
        log_format=settings.whispr_log_format,
        metrics_public=settings.whispr_metrics_public,
        database_url=_url(source, "WHISPR_DATABASE_URL", POSTGRES_SCHEMES),
        redis_url=_url(source, "WHISPR_REDIS_URL", REDIS_SCHEMES),
    )


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    """Return the URL in ``env[name]`` (None when unset or blank); raise when its scheme is
    not one of ``schemes`` (the message shows the URL with its password redacted)."""
    value = (env.get(name) or "").strip()
    if not value:
        return None
    if urlsplit(value).scheme not in schemes:
        accepted = ", ".join(f"{s}://" for s in schemes)
        raise InvalidArgumentError(f"{name} must start with {accepted}; got {redact(value)!r}")
    return value
