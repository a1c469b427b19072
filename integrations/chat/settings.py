"""Settings of the channels (web, Slack, Discord), read from the environment by a function.

| variable | meaning | default |
|---|---|---|
| ``WHISPR_HOME`` | state folder (accounts, threads, charts) | ``~/.whispr`` |
| ``WHISPR_HOST`` / ``WHISPR_PORT`` | where ``whispr serve`` listens | ``127.0.0.1`` / ``8000`` |
| ``WHISPR_RATE_LIMIT`` | LLM turns per user: ``N/second|minute|hour|day`` | ``60/hour`` |
| ``WHISPR_SESSION_HOURS`` | web login lifetime | ``168`` |
| ``WHISPR_SECURE_COOKIES`` | ``1`` behind HTTPS (cookie gets ``Secure``) | off |
| ``WHISPR_ADMIN_USER`` / ``WHISPR_ADMIN_PASSWORD`` | first admin, created when no admin exists | ``admin`` / random |
| ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET`` | Slack HTTP events mode (``/slack/events``) | unset |
| ``SLACK_APP_TOKEN`` | Slack Socket Mode (``xapp-…``) | unset |
| ``DISCORD_BOT_TOKEN`` | Discord bot | unset |
| ``LLM_PROVIDER`` … | the assistant's provider (see ``assistant.providers.registry``) | offline |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import InvalidArgumentError

_UNITS = {
    "s": 1,
    "second": 1,
    "m": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(text: str) -> tuple[int, float]:
    """Return ``(turns, seconds)`` from ``"60/hour"``, ``"10/minute"`` or ``"5/30"`` (seconds)."""
    try:
        count, unit = text.strip().lower().split("/")
        seconds = float(unit) if unit.replace(".", "", 1).isdigit() else _UNITS[unit.rstrip("s")]
        turns = int(count)
    except (ValueError, KeyError):
        raise InvalidArgumentError(
            f"invalid rate limit {text!r}; use N/second, N/minute, N/hour, N/day or N/SECONDS"
        ) from None
    if turns < 1 or seconds <= 0:
        raise InvalidArgumentError(f"invalid rate limit {text!r}: both numbers must be positive")
    return turns, float(seconds)


@dataclass(frozen=True)
class ChannelSettings:
    """Everything the web app and the chat bots need; secrets are kept out of ``repr``."""

    home: Path
    host: str = "127.0.0.1"
    port: int = 8000
    rate_limit: tuple[int, float] = (60, 3600.0)
    session_hours: float = 168.0
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

    @property
    def accounts_db(self) -> Path:
        """Return the SQLite file of users, sessions, tokens, audit and transcripts."""
        return self.home / "accounts.sqlite"

    @property
    def threads_db(self) -> Path:
        """Return the LangGraph checkpoint file (shared with ``whispr ask``)."""
        return self.home / "threads.sqlite"

    @property
    def charts_root(self) -> Path:
        """Return the folder under which each user's charts live (one sub-folder per user)."""
        return self.home / "charts" / "users"


def load_settings(env: Mapping[str, str] | None = None) -> ChannelSettings:
    """Return the settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    port = get("WHISPR_PORT") or "8000"
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise InvalidArgumentError(f"WHISPR_PORT must be a port number 0-65535, got {port!r}")
    hours = get("WHISPR_SESSION_HOURS") or "168"
    try:
        session_hours = float(hours)
    except ValueError:
        raise InvalidArgumentError(
            f"WHISPR_SESSION_HOURS must be a number, got {hours!r}"
        ) from None
    return ChannelSettings(
        home=Path(get("WHISPR_HOME") or "~/.whispr").expanduser(),
        host=get("WHISPR_HOST") or "127.0.0.1",
        port=int(port),
        rate_limit=parse_rate(get("WHISPR_RATE_LIMIT") or "60/hour"),
        session_hours=session_hours,
        secure_cookies=(get("WHISPR_SECURE_COOKIES") or "").lower() in ("1", "true", "yes"),
        admin_user=get("WHISPR_ADMIN_USER") or "admin",
        admin_password=get("WHISPR_ADMIN_PASSWORD"),
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        discord_bot_token=get("DISCORD_BOT_TOKEN"),
        provider=get("LLM_PROVIDER"),
    )
