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

from integrations.chat.render import Image, Table, Text
from integrations.chat.service import ChatReply, ChatService

log = logging.getLogger(__name__)

COLOUR = discord.Colour(0x3FA9F5)
MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_EMBEDS = 10


@dataclass
class DiscordMessage:
    """A reply ready for ``send``/``reply``: content, embeds and attached files."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)
    files: list[discord.File] = field(default_factory=list)


def strip_mentions(content: str, bot_id: int) -> str:
    """Return ``content`` without mentions of the bot (``<@id>`` and ``<@!id>``)."""
    return re.sub(rf"<@!?{bot_id}>", " ", content or "").strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table_embed(table: Table, title: str | None) -> discord.Embed:
    body = table.plain()
    room = MAX_DESCRIPTION - 8
    if len(body) > room:
        body = body[: body.rfind("\n", 0, room - 2)] + "\n…"
    embed = discord.Embed(description=f"```\n{body}\n```", colour=COLOUR)
    if title:
        embed.title = _clip(title, 256)
    return embed


def discord_message(reply: ChatReply) -> DiscordMessage:
    """Return the reply rendered for Discord (content ≤ 2000 characters, ≤ 10 embeds)."""
    texts: list[str] = []
    embeds: list[discord.Embed] = []
    files: list[discord.File] = []
    for piece in reply.pieces or [Text(reply.text)]:
        if isinstance(piece, Text):
            texts.append(piece.text)
        elif isinstance(piece, Table):
            embeds.append(_table_embed(piece, None))
        elif isinstance(piece, Image):
            try:
                files.append(discord.File(piece.path, filename=piece.name))
            except OSError:
                log.warning("chart %s is missing", piece.path)
                continue
            image = discord.Embed(title=piece.name, colour=COLOUR)
            embeds.append(image.set_image(url=f"attachment://{piece.name}"))
    embeds = embeds[:MAX_EMBEDS]
    tools = ", ".join(c["name"] for c in reply.tool_calls)
    content = _clip("\n".join(texts), MAX_CONTENT)
    if tools and embeds:
        embeds[-1].set_footer(text=f"Tools: {tools}")
    elif tools:
        content = _clip(f"{content}\n-# Tools: {tools}", MAX_CONTENT)
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
            f"discord-{channel_id}",
            destination=f"discord:{channel_id}",
        )

    async def on_message(self, message: discord.Message, me: discord.abc.User) -> bool:
        """Answer a message that mentions the bot or is a DM; return whether it answered."""
        if message.author.bot or message.author.id == me.id:
            return False
        is_dm = isinstance(message.channel, discord.DMChannel)
        if not is_dm and me not in message.mentions:
            return False
        text = strip_mentions(message.content, me.id)
        async with message.channel.typing():
            reply = await self.answer(message.author.id, message.channel.id, text)
        out = discord_message(reply)
        await message.reply(
            content=out.content or None, embeds=out.embeds, files=out.files, mention_author=False
        )
        return True

    async def on_command(self, interaction: discord.Interaction, question: str) -> None:
        """Answer ``/whispr question``: onboarding privately, else think, then answer."""
        user_id = str(interaction.user.id)
        if self.service.accounts.user_for("discord", user_id) is None:
            reply = self.service.respond_external("discord", user_id, question)
            await interaction.response.send_message(reply.text, ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        reply = await self.answer(interaction.user.id, interaction.channel_id, question)
        out = discord_message(reply)
        await interaction.followup.send(
            content=out.content or discord.utils.MISSING, embeds=out.embeds, files=out.files
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
