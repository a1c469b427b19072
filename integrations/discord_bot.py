"""The Discord channel (discord.py): the ``/whispr`` slash command and @mentions (and DMs).

Both call one function, ``ChatService.respond_external("discord", <Discord user id>, …)``, and
render with ``discord_message``: the answer text as the message content, every table as an
embed holding a monospace block, every chart as an attached PNG shown in an embed, and the tools
that ran in the last embed's footer. The slash command defers first (Discord shows "Whispr is
thinking…") and then sends the answer; a mention shows the typing indicator meanwhile.

Needs ``DISCORD_BOT_TOKEN``. No privileged intent: Discord delivers the content of messages
that mention the bot, and of DMs, without the message-content intent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field

import discord
from discord import app_commands

from integrations.chat.daily import daily_thread
from integrations.chat.render import Image, Table, Text
from integrations.chat.service import SORRY, ChatReply, ChatService

log = logging.getLogger(__name__)

COLOUR = discord.Colour(0x3FA9F5)
MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_EMBEDS = 10
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000
EMBED_RESERVE = 300
"""Characters kept back from each table for the embeds that may follow (a chart's title)."""
NO_PINGS = discord.AllowedMentions.none()
"""Answers echo user text: never let them ping @everyone, roles or users."""


@dataclass
class DiscordMessage:
    """A reply ready for ``send``/``reply``: content, embeds and attached files."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)
    files: list[discord.File] = field(default_factory=list)


def strip_mentions(content: str, bot_id: int) -> str:
    """Return ``content`` without mentions of the bot (``<@id>`` and ``<@!id>``), channel
    mentions as ``#id`` (``<#1234>`` → ``#1234``)."""
    text = re.sub(rf"<@!?{bot_id}>", " ", content or "")
    return re.sub(r"<#(\d+)>", r"#\1", text).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table_embed(table: Table, room: int) -> discord.Embed | None:
    """Return the table as an embed whose description fits ``room`` characters (None if the
    room cannot hold even a header line)."""
    room = min(room, MAX_DESCRIPTION)
    body = table.plain()
    fence = len("```\n\n```")
    if len(body) + fence > room:
        cut = body.rfind("\n", 0, room - fence - 2)
        if cut <= 0:
            return None
        body = body[:cut] + "\n…"
    return discord.Embed(description=f"```\n{body}\n```", colour=COLOUR)


def _embed_size(embed: discord.Embed) -> int:
    """Return the characters Discord counts towards the 6000 per message (title, description,
    footer)."""
    return len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")


def discord_message(reply: ChatReply) -> DiscordMessage:
    """Return the reply rendered for Discord within its limits: content ≤ 2000 characters,
    ≤ 10 embeds and attachments, each description ≤ 4096, all embeds ≤ 6000 characters. What
    does not fit is dropped and said so in the content; the tools that ran go in the footer."""
    texts: list[str] = []
    embeds: list[discord.Embed] = []
    files: list[discord.File] = []
    tools = ", ".join(c["name"] for c in reply.tool_calls)
    footer = _clip(f"Tools: {tools}", MAX_FOOTER) if tools else ""
    budget = MAX_EMBED_TOTAL - len(footer)
    dropped = 0
    for piece in reply.pieces or [Text(reply.text)]:
        if isinstance(piece, Text):
            texts.append(piece.text)
            continue
        if len(embeds) >= MAX_EMBEDS:
            dropped += 1
            continue
        if isinstance(piece, Table):
            embed = _table_embed(piece, budget - EMBED_RESERVE)
            if embed is None:
                dropped += 1
                continue
        elif isinstance(piece, Image):
            title = _clip(piece.name, 256)
            if len(title) > budget:
                dropped += 1
                continue
            try:
                files.append(discord.File(piece.path, filename=piece.name))
            except OSError:
                log.warning("chart %s is missing", piece.path)
                continue
            embed = discord.Embed(title=title, colour=COLOUR)
            embed.set_image(url=f"attachment://{piece.name}")
        else:
            continue
        budget -= _embed_size(embed)
        embeds.append(embed)
    content = "\n".join(texts).strip()
    if dropped:
        note = f"\n({dropped} more table(s) or chart(s) did not fit in one Discord message.)"
        content = _clip(content, MAX_CONTENT - len(note)) + note
    if footer and embeds:
        embeds[-1].set_footer(text=footer)
    elif footer:
        content = _clip(content, MAX_CONTENT - len(footer) - 4) + f"\n-# {footer}"
    content = _clip(content, MAX_CONTENT)
    if not content and not embeds:
        content = reply.text.strip()[:MAX_CONTENT] or "…"
    return DiscordMessage(content, embeds, files)


class DiscordChannel:
    """Turns Discord messages and interactions into ``respond`` calls."""

    def __init__(self, service: ChatService) -> None:
        self.service = service

    async def answer(self, user_id: int, channel_id: int | None, text: str) -> ChatReply:
        """Return the reply for a Discord user (in a worker thread: the assistant blocks)."""
        return await asyncio.to_thread(
            self.service.respond_external,
            "discord",
            str(user_id),
            text,
            daily_thread(f"discord-{channel_id}"),  # Discord has no reply threads: one a day
            destination=f"discord:{channel_id}",
        )

    async def on_message(self, message: discord.Message, me: discord.abc.User) -> bool:
        """Answer a message that mentions the bot or is a DM; return whether it answered."""
        if message.author.bot or message.author.id == me.id:
            return False
        is_dm = isinstance(message.channel, discord.DMChannel)
        if not is_dm and not any(m.id == me.id for m in message.mentions):
            return False
        text = strip_mentions(message.content, me.id)
        async with message.channel.typing():
            reply = await self.answer(message.author.id, message.channel.id, text)
        out = discord_message(reply)
        # A plain reference (not ``message.reply``): the answer still arrives when the question
        # was deleted meanwhile.
        await message.channel.send(
            content=out.content or None,
            embeds=out.embeds,
            files=out.files,
            reference=message.to_reference(fail_if_not_exists=False),
            allowed_mentions=NO_PINGS,
            mention_author=False,
        )
        return True

    async def on_command(self, interaction: discord.Interaction, question: str) -> None:
        """Answer ``/whispr question``: onboarding privately, else think, then answer; return
        None. A failure after deferring still ends the "thinking…" with an apology."""
        user_id = str(interaction.user.id)
        if self.service.accounts.user_for("discord", user_id) is None:
            reply = await asyncio.to_thread(
                self.service.respond_external, "discord", user_id, question
            )
            await interaction.response.send_message(
                _clip(reply.text, MAX_CONTENT), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.defer(thinking=True)
        try:
            reply = await self.answer(interaction.user.id, interaction.channel_id, question)
            out = discord_message(reply)
        except Exception:
            log.exception("discord command failed for %s", user_id)
            out = DiscordMessage(SORRY)
        await interaction.followup.send(
            content=out.content or discord.utils.MISSING,
            embeds=out.embeds,
            files=out.files,
            allowed_mentions=NO_PINGS,
        )


class WhisprBot(discord.Client):
    """The Discord client with the ``/whispr`` command and the mention handler."""

    def __init__(self, service: ChatService, *, sync_commands: bool = True) -> None:
        super().__init__(intents=discord.Intents.default())
        self.channel = DiscordChannel(service)
        self.tree = app_commands.CommandTree(self)
        self.sync_commands = sync_commands
        channel = self.channel

        @self.tree.command(name="whispr", description="Ask Whispr about SPX/SPY levels and stats")
        @app_commands.describe(question="e.g. what's the SPY put trigger for June 12, 2019?")
        async def whispr(
            interaction: discord.Interaction, question: app_commands.Range[str, 1, 2000]
        ) -> None:
            await channel.on_command(interaction, question)

    async def setup_hook(self) -> None:
        """Register the slash command with Discord (global commands can take a while)."""
        if self.sync_commands:
            await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        """Answer mentions and DMs."""
        if self.user is not None:
            await self.channel.on_message(message, self.user)


def build_bot(service: ChatService, *, sync_commands: bool = True) -> WhisprBot:
    """Return the bot; run it with ``bot.run(DISCORD_BOT_TOKEN)`` or ``await bot.start(...)``."""
    return WhisprBot(service, sync_commands=sync_commands)
