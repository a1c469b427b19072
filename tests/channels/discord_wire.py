"""A local fake of the Discord REST API v10 (aiohttp), and gateway-format payload builders.

discord.py's real HTTP layer talks to it once ``discord.http.Route.BASE`` points at
``FakeDiscord.base``: it answers what a bot needs (log in, register commands, typing, send a
message, interaction callbacks, webhook follow-ups) with payloads shaped like Discord's, and records
every request: method, path, query, JSON body, and the parts of a multipart body.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
OWNER_ID = 900000000000000003
TOKEN = "fake-bot-token"
_ids = itertools.count(910000000000000000)


def snowflake() -> str:
    """Return a new unique id (as Discord sends ids: a string)."""
    return str(next(_ids))


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """Return a Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
    }


def message_payload(
    channel_id: int,
    author: dict[str, Any],
    content: str,
    *,
    guild_id: int | None = None,
    mentions: list[dict[str, Any]] | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """Return a MESSAGE_CREATE payload (a message object; guild messages carry ``guild_id``)."""
    data: dict[str, Any] = {
        "id": message_id or snowflake(),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


def command_payload(
    user: dict[str, Any],
    question: str,
    *,
    channel_id: int,
    guild_id: int | None = None,
    command_id: str = "920000000000000001",
) -> dict[str, Any]:
    """Return an INTERACTION_CREATE payload for ``/whispr question:<question>`` (type 2), in a
    guild channel (with ``member``) or in a DM (with ``user``)."""
    data: dict[str, Any] = {
        "id": snowflake(),
        "application_id": str(APP_ID),
        "type": 2,
        "token": f"itoken-{snowflake()}",
        "version": 1,
        "locale": "en-US",
        "attachment_size_limit": 8 * 1024 * 1024,
        "app_permissions": "0",
        "entitlements": [],
        "channel_id": str(channel_id),
        "data": {
            "id": command_id,
            "name": "whispr",
            "type": 1,
            "options": [{"name": "question", "type": 3, "value": question}],
        },
    }
    if guild_id is None:
        data["user"] = user
        data["channel"] = {"id": str(channel_id), "type": 1, "recipients": [user]}
        data["context"] = 1
    else:
        data["guild_id"] = str(guild_id)
        data["member"] = {
            "user": user,
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "2147483647",
        }
        data["channel"] = {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": "trading",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        data["context"] = 0
    return data


@dataclass
class Part:
    """One part of a multipart request body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Request:
    """One request the fake received."""

    method: str
    path: str
    """Without the ``/api/v10`` prefix, e.g. ``/channels/1/messages``."""
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    """The JSON body, or the ``payload_json`` part of a multipart body."""
    parts: list[Part] = field(default_factory=list)

    @property
    def files(self) -> list[Part]:
        """Return the attached files (``files[n]`` parts)."""
        return [p for p in self.parts if p.name.startswith("files[")]


def _json(data: Any, status: int = 200) -> web.Response:
    """Return a JSON response typed exactly ``application/json`` (as Discord does; discord.py
    only decodes bodies of that exact content type)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


class FakeDiscord:
    """The fake server: ``await start()``, point ``Route.BASE`` at ``base``, ``await stop()``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.commands: list[dict[str, Any]] = []
        self.base = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen on a free local port; return the API base URL."""
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        return self.base

    async def stop(self) -> None:
        """Stop listening; return None."""
        if self._runner is not None:
            await self._runner.cleanup()

    def find(self, method: str, prefix: str) -> list[Request]:
        """Return the recorded requests with ``method`` whose path starts with ``prefix``."""
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def clear(self) -> None:
        """Forget the recorded requests; return None."""
        self.requests.clear()

    async def _read(self, request: web.Request) -> Request:
        path = "/" + request.match_info["tail"]
        rec = Request(request.method, path, dict(request.query), dict(request.headers))
        ctype = request.content_type
        if ctype == "application/json":
            rec.json = await request.json()
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                rec.parts.append(
                    Part(
                        part.name or "",
                        part.filename,
                        part.headers.get("Content-Type", ""),
                        bytes(data),
                    )
                )
                if part.name == "payload_json":
                    rec.json = json.loads(bytes(data))
        return rec

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rec = await self._read(request)
        self.requests.append(rec)
        if request.headers.get("Authorization") not in (f"Bot {TOKEN}", None):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        method, parts = rec.method, rec.path.strip("/").split("/")
        body = rec.json if isinstance(rec.json, dict) else {}
        if method == "GET" and rec.path == "/users/@me":
            return _json(user_payload(BOT_ID, "Whispr", bot=True))
        if method == "GET" and rec.path == "/oauth2/applications/@me":
            return _json(self._application())
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            self.commands = [
                {**c, "id": snowflake(), "application_id": str(APP_ID), "version": snowflake()}
                for c in rec.json
            ]
            return _json(self.commands)
        if method == "POST" and parts[0] == "channels" and parts[-1] == "typing":
            return web.Response(status=204)
        if method == "POST" and parts[0] == "channels" and parts[-1] == "messages":
            return _json(self._sent(int(parts[1]), body))
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            return _json(self._callback(parts[1], body))
        if method == "POST" and parts[0] == "webhooks" and len(parts) == 3:
            if rec.query.get("wait") in ("1", "true", "True"):
                return _json(self._sent(0, body, webhook_id=parts[1]))
            return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "Whispr",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(OWNER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
        }

    def _sent(self, channel_id: int, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        data = message_payload(
            channel_id, user_payload(BOT_ID, "Whispr", bot=True), body.get("content") or ""
        )
        data["embeds"] = body.get("embeds") or []
        if body.get("message_reference"):
            data["message_reference"] = body["message_reference"]
        data.update(extra)
        return data

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        flags = (body.get("data") or {}).get("flags", 0)
        result: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": snowflake(),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": kind},
        }
        if kind == 4:
            message = self._sent(0, body.get("data") or {})
            message["flags"] = flags
            result["resource"]["message"] = message
        return result
