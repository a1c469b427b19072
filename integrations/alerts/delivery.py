"""Deliver alert firings to the channel each alert was asked from.

A firing's destination is ``<channel>:<id>``: ``slack:C0123`` (a Slack channel or DM id),
``discord:1234`` (a Discord channel id), ``web:alice`` (alice's inbox on the web page and
``GET /api/notifications``); ``terminal`` and anything else is printed. A channel that is not
configured, or that answers with an error, raises ``DeliveryError``: the monitor records the error
and retries with backoff, so nothing is lost while a channel is down.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from core.errors import WhisprError

log = logging.getLogger(__name__)

DISCORD_API = "https://discord.com/api/v10"
DISCORD_MAX_CONTENT = 2000


class DeliveryError(WhisprError):
    """A firing could not be delivered (channel not configured, down, or refusing)."""


class Inbox(Protocol):
    """Where web users' notifications are kept (``ActivityStore``)."""

    def add_notification(self, username: str, message: str) -> int:
        """Store a notification for ``username``; return its id."""
        ...


@dataclass
class DiscordPoster:
    """Posts plain messages to a Discord channel through the REST API (bot token auth)."""

    token: str
    base_url: str = DISCORD_API
    timeout: float = 10.0

    def post(self, channel_id: str, text: str) -> None:
        """Create a message in ``channel_id``; raise ``DeliveryError`` on any non-2xx answer."""
        if not channel_id.isdigit():
            raise DeliveryError(f"a Discord channel id is a number, got {channel_id!r}")
        headers = {
            "Authorization": f"Bot {self.token}",
            "User-Agent": f"DiscordBot (https://github.com/whispr, 1) Python/{platform.python_version()}",
        }
        content = (
            text if len(text) <= DISCORD_MAX_CONTENT else text[: DISCORD_MAX_CONTENT - 1] + "…"
        )
        try:
            response = httpx.post(
                f"{self.base_url}/channels/{channel_id}/messages",
                json={"content": content, "allowed_mentions": {"parse": []}},
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Discord unreachable: {exc.__class__.__name__}") from None
        if response.status_code >= 300:
            try:
                reason = response.json().get("message", "")
            except ValueError:
                reason = response.text[:200]
            raise DeliveryError(f"Discord answered {response.status_code}: {reason}")


class ChannelRouter:
    """A ``deliver(destination, message)`` callable for the alert monitor."""

    def __init__(
        self,
        *,
        slack: WebClient | None = None,
        discord: DiscordPoster | None = None,
        inbox: Inbox | None = None,
        terminal: Callable[[str], None] = print,
    ) -> None:
        self.slack = slack
        self.discord = discord
        self.inbox = inbox
        self.terminal = terminal

    def __call__(self, destination: str, message: str) -> None:
        """Deliver ``message`` to ``destination``; raise ``DeliveryError`` when it cannot."""
        channel, _, target = destination.partition(":")
        if channel == "slack":
            self._slack(target, message)
        elif channel == "discord":
            if self.discord is None:
                raise DeliveryError("Discord is not configured (set DISCORD_BOT_TOKEN)")
            self.discord.post(target, message)
        elif channel in ("web", "api"):
            if self.inbox is None:
                raise DeliveryError("no web inbox here (alerts for the web need `whispr serve`)")
            self.inbox.add_notification(target, message)
        else:
            self.terminal(f"[{destination}] {message}")

    def _slack(self, channel_id: str, message: str) -> None:
        if self.slack is None:
            raise DeliveryError("Slack is not configured (set SLACK_BOT_TOKEN)")
        try:
            self.slack.chat_postMessage(channel=channel_id, text=message)
        except SlackApiError as exc:
            raise DeliveryError(f"Slack refused: {exc.response.get('error', 'error')}") from None
        except OSError as exc:  # URLError and socket errors
            raise DeliveryError(f"Slack unreachable: {exc.__class__.__name__}") from None


def channel_router(
    *,
    slack_bot_token: str | None,
    discord_bot_token: str | None,
    inbox: Inbox | None,
    terminal: Callable[[str], None] = print,
) -> ChannelRouter:
    """Return the router for the configured channels (Slack and Discord when their bot tokens
    are set; the web inbox when given; the rest to ``terminal``)."""
    return ChannelRouter(
        slack=WebClient(token=slack_bot_token) if slack_bot_token else None,
        discord=DiscordPoster(discord_bot_token) if discord_bot_token else None,
        inbox=inbox,
        terminal=terminal,
    )
