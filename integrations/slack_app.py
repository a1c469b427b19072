"""The Slack channel (slack-bolt): mentions, direct messages and the ``/whispr`` command.

Every message goes through ``ChatService.respond_external("slack", <Slack user id>, …)``: a
linked user gets an answer scoped to their account, anyone else a polite onboarding text. In a
channel Whispr replies in the message's thread: it first posts "working…" and then updates
that message with the answer; tables become Block Kit (the first one a native ``table`` block,
any further ones preformatted rich text) and charts are uploaded into the thread.

Modes: HTTP events (``POST /slack/events`` on ``whispr serve``; Bolt verifies the
``X-Slack-Signature`` of every request with ``SLACK_SIGNING_SECRET``) or Socket Mode
(``SLACK_APP_TOKEN``, no public URL needed). The app manifest is ``slack_manifest.yaml``.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from fastapi import FastAPI, Request, Response
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ContextBlock,
    MarkdownTextObject,
    RawTextObject,
    RichTextBlock,
    RichTextPreformattedElement,
    SectionBlock,
    TableBlock,
)
from slack_sdk.models.blocks.block_elements import RichTextElementParts
from starlette.concurrency import run_in_threadpool

from integrations.chat.daily import daily_thread
from integrations.chat.render import Image, Table, Text, markdown
from integrations.chat.service import ChatReply, ChatService

log = logging.getLogger(__name__)

WORKING = "working…"
MAX_SECTION = 3000
MAX_BLOCKS = 50
MAX_TABLE_ROWS = 100
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def clean_text(text: str) -> str:
    """Return a Slack message's text without bot mentions, channel references as ``#name``
    (``<#C0123|spx>`` → ``#spx``), and Slack's escapes undone."""
    text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", _MENTION.sub(" ", text or ""))
    return html.unescape(text).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table_block(table: Table) -> dict[str, Any]:
    rows = [table.header, *table.rows][:MAX_TABLE_ROWS]
    cells = [[RawTextObject(text=c or " ") for c in row] for row in rows]
    settings = [{"align": a} for a in table.align]
    return TableBlock(rows=cells, column_settings=settings).to_dict()


def _preformatted(text: str) -> dict[str, Any]:
    element = RichTextPreformattedElement(elements=[RichTextElementParts.Text(text=text)])
    return RichTextBlock(elements=[element]).to_dict()


def _sections(text: str) -> list[dict[str, Any]]:
    # Cut before escaping (an entity must not be split), but count the escaped length: Slack's
    # 3000-character limit applies to what is sent.
    chunks: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in text:
        width = len(_escape(char))
        if size + width > MAX_SECTION:
            chunks.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    chunks.append("".join(chunk))
    return [SectionBlock(text=MarkdownTextObject(text=_escape(c))).to_dict() for c in chunks if c]


def slack_blocks(reply: ChatReply) -> list[dict[str, Any]]:
    """Return the reply as Block Kit blocks: text sections, tables, and a context line naming
    the tools that ran. Slack allows one ``table`` block per message; later tables are
    preformatted rich text."""
    blocks: list[dict[str, Any]] = []
    has_table = False
    for piece in reply.pieces or [Text(reply.text)]:
        if isinstance(piece, Text):
            blocks.extend(_sections(piece.text))
        elif isinstance(piece, Table) and not has_table:
            blocks.append(_table_block(piece))
            has_table = True
        elif isinstance(piece, Table):
            blocks.append(_preformatted(piece.plain()))
    if reply.tool_calls:
        names = ", ".join(f"`{c['name']}`" for c in reply.tool_calls)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Tools: {names}")]).to_dict())
    return blocks[:MAX_BLOCKS]


def fallback_text(reply: ChatReply) -> str:
    """Return the message text Slack shows in notifications (tables as code blocks), with
    ``&``, ``<`` and ``>`` escaped so that Slack does not read them as links or mentions."""
    return _escape(markdown(reply.pieces) if reply.pieces else reply.text)


class SlackChannel:
    """Turns Slack events into ``respond`` calls and replies into Slack messages."""

    def __init__(self, service: ChatService) -> None:
        self.service = service

    def first_time(self, event_id: str | None) -> bool:
        """Return False for an event id already handled (Slack retries deliveries); the ids are
        stored, so a retry after a restart is not answered twice."""
        if not event_id:
            return True
        return self.service.activity.first_delivery("slack", event_id)

    def answer_in_thread(
        self, client: WebClient, user_id: str, channel: str, text: str, thread_ts: str | None
    ) -> None:
        """Post "working…" (in the thread when ``thread_ts``), then update it with the answer."""
        if self.service.accounts.user_for("slack", user_id) is None:
            reply = self.service.respond_external("slack", user_id, text)
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=fallback_text(reply))
            return
        working = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=WORKING)
        # a Slack thread is its own conversation; a DM without one rolls each session day
        key = f"slack-{channel}-{thread_ts}" if thread_ts else daily_thread(f"slack-{channel}")
        reply = self.service.respond_external(
            "slack", user_id, text, key, destination=f"slack:{channel}"
        )
        answer = fallback_text(reply)
        try:
            client.chat_update(
                channel=channel, ts=working["ts"], text=answer, blocks=slack_blocks(reply)
            )
        except SlackApiError as exc:
            # e.g. invalid_blocks (a workspace without table blocks): keep the answer as text
            # rather than leaving "working…" forever.
            log.warning("chat.update with blocks failed: %s", exc)
            client.chat_update(channel=channel, ts=working["ts"], text=answer)
        self.upload_charts(client, reply, channel, thread_ts)

    def upload_charts(
        self, client: WebClient, reply: ChatReply, channel: str, thread_ts: str | None
    ) -> None:
        """Upload the reply's chart images into the thread (a failed upload is logged only)."""
        for piece in reply.pieces:
            if isinstance(piece, Image):
                try:
                    client.files_upload_v2(
                        channel=channel, thread_ts=thread_ts, file=piece.path, title=piece.name
                    )
                except (SlackApiError, OSError) as exc:
                    log.warning("chart upload failed: %s", exc)

    def register(self, app: App) -> None:
        """Attach the listeners: app mentions, direct messages and ``/whispr``."""

        @app.event("app_mention")
        def on_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
            if not self.first_time(body.get("event_id")):
                return
            thread_ts = event.get("thread_ts") or event["ts"]
            self.answer_in_thread(
                client,
                event["user"],
                event["channel"],
                clean_text(event.get("text", "")),
                thread_ts,
            )

        @app.event("message")
        def on_message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
            if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
                return
            if not event.get("user"):
                return
            if not self.first_time(body.get("event_id")):
                return
            self.answer_in_thread(
                client, event["user"], event["channel"], clean_text(event.get("text", "")),
                event.get("thread_ts"),
            )  # fmt: skip

        @app.command("/whispr")
        def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
            ack(text=WORKING)
            reply = self.service.respond_external(
                "slack", command["user_id"], clean_text(command.get("text", "")),
                daily_thread(f"slack-{command['channel_id']}"),
                destination=f"slack:{command['channel_id']}",
            )  # fmt: skip
            respond(
                text=fallback_text(reply),
                blocks=slack_blocks(reply),
                response_type="ephemeral",
                replace_original=True,
            )


def build_slack_app(
    service: ChatService,
    *,
    bot_token: str | None = None,
    signing_secret: str | None = None,
    client: WebClient | None = None,
    process_before_response: bool = False,
) -> App:
    """Return the Bolt app answering through ``service``.

    Args:
        service: the channel-neutral chat service.
        bot_token: ``SLACK_BOT_TOKEN`` (``xoxb-…``); Bolt checks it with ``auth.test``.
        signing_secret: ``SLACK_SIGNING_SECRET``; requests with a bad signature get 401.
        client: a ready ``WebClient`` (e.g. with another ``base_url``) instead of the token.
        process_before_response: run listeners before acknowledging (serverless, tests).
    """
    app = App(
        client=client or WebClient(token=bot_token),
        signing_secret=signing_secret,
        process_before_response=process_before_response,
    )
    SlackChannel(service).register(app)
    return app


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Return the Socket Mode handler; call ``.start()`` (blocking) or ``.connect()``."""
    return SocketModeHandler(app, app_token)


def mount_events(web: FastAPI, app: App, path: str = "/slack/events") -> None:
    """Serve Slack's HTTP events mode on ``web`` at ``path`` through Bolt's FastAPI/Starlette
    adapter. Bolt verifies the request signature (401 when wrong or older than 5 minutes);
    dispatch runs in a worker thread so a slow listener never blocks the event loop."""

    @web.post(path, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        stamp = request.headers.get("x-slack-request-timestamp", "")
        if not stamp.isdigit() or len(stamp) > 12:  # Bolt would fail on int() with a 500
            return Response("invalid request timestamp", status_code=401)
        bolt_request = to_bolt_request(request, await request.body())
        return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_request))
