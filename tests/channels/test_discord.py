"""The Discord channel end to end: discord.py's real client, HTTP layer, gateway parsers and
command tree, talking to a local fake of the Discord REST API (``discord_wire``), over the real
chat service (offline planner, shipped data).

Right answers are computed by hand: SPY on 2019-06-11 closed at 288.90 with ATR 3.49, so the
put trigger for 2019-06-12 is 288.90 - 0.236 * 3.49 = 288.08.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from integrations.chat.render import Image, Table, Text
from integrations.chat.service import ChatReply
from integrations.discord_bot import WhisprBot, build_bot, discord_message, strip_mentions
from integrations.storage.memory import VectorMemory
from integrations.storage.vectors import VectorStore, make_client
from tests.channels.conftest import PUT_TRIGGER_QUESTION, World, make_world
from tests.channels.discord_wire import (
    BOT_ID,
    TOKEN,
    FakeDiscord,
    command_payload,
    message_payload,
    user_payload,
)

ALICE_ID, BOB_ID, STRANGER_ID = 710000000000000001, 710000000000000002, 710000000000000099
GUILD_ID, CHANNEL_ID, DM_CHANNEL_ID = 720000000000000001, 730000000000000001, 740000000000000001
PUT_TRIGGER = f"{288.90 - 0.236 * 3.49:.2f}"
LEVELS_QUESTION = "chart SPY day levels for June 12, 2019"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

ALICE = user_payload(ALICE_ID, "alice_d")
BOB = user_payload(BOB_ID, "bob_d")
STRANGER = user_payload(STRANGER_ID, "stranger")
BOT = user_payload(BOT_ID, "Whispr", bot=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A world whose alice and bob are linked to Discord ids, with a real memory store."""
    home = tmp_path_factory.mktemp("whispr-discord")
    world = make_world(home)
    world.service.services["memory"] = VectorMemory(VectorStore(make_client(home / "chroma")))
    world.service.accounts.link("alice", "discord", str(ALICE_ID))
    world.service.accounts.link("bob", "discord", str(BOB_ID))
    return world


@pytest_asyncio.fixture
async def wire(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[WhisprBot, FakeDiscord]]:
    """A logged-in bot (commands synced) whose REST calls go to a fresh fake Discord."""
    fake = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    bot = build_bot(world.service, sync_commands=True)
    await bot.login(TOKEN)
    try:
        yield bot, fake
    finally:
        await bot.close()
        await fake.stop()


async def settle(timeout: float = 60.0) -> None:
    """Wait for the tasks discord.py started for dispatched events; return None."""
    me = asyncio.current_task()
    for _ in range(3):
        tasks = [
            t
            for t in asyncio.all_tasks()
            if t is not me and t.get_name().startswith(("discord.py:", "CommandTree"))
        ]
        if tasks:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout)
        await asyncio.sleep(0)


def mention(author: dict, text: str, *, channel_id: int = CHANNEL_ID) -> dict:
    """Return a guild MESSAGE_CREATE payload of ``author`` mentioning the bot."""
    return message_payload(
        channel_id, author, f"<@{BOT_ID}> {text}", guild_id=GUILD_ID, mentions=[BOT]
    )


async def ask_by_mention(bot: WhisprBot, fake: FakeDiscord, author: dict, text: str) -> dict:
    """Dispatch a mention through the gateway parser; return the JSON of the bot's reply."""
    fake.clear()
    bot._connection.parse_message_create(mention(author, text))
    await settle()
    sent = fake.find("POST", f"/channels/{CHANNEL_ID}/messages")
    assert len(sent) == 1, [r.path for r in fake.requests]
    return sent[0].json


# --- rendering -------------------------------------------------------------------------------


def test_strip_mentions_removes_both_forms() -> None:
    """Both mention forms of the bot go; other users' mentions stay."""
    assert strip_mentions(f"<@{BOT_ID}> hi <@!{BOT_ID}> <@42>", BOT_ID) == "hi   <@42>"


def test_put_trigger_reply_renders_the_answer(world: World) -> None:
    """The put-trigger answer is the content, the tool that ran its last line (no chart was
    asked for, so no embed)."""
    reply = world.service.respond_external(
        "discord", str(ALICE_ID), PUT_TRIGGER_QUESTION, "render-1"
    )
    assert reply.status == "ok"
    out = discord_message(reply)
    assert PUT_TRIGGER in out.content
    assert "/tmp" not in out.content and ".png" not in out.content
    assert out.embeds == [] and out.files == []
    assert out.content.endswith("\n-# Tools: atr_levels")


def test_levels_table_becomes_a_monospace_embed(world: World) -> None:
    """The day-levels table is an embed holding a code block with the -0.236 row."""
    reply = world.service.respond_external("discord", str(ALICE_ID), LEVELS_QUESTION, "render-2")
    out = discord_message(reply)
    tables = [e for e in out.embeds if e.description]
    assert len(tables) == 1
    description = tables[0].description
    assert description.startswith("```\n") and description.endswith("\n```")
    rows = [line.split() for line in description.splitlines()]
    assert ["-0.236", PUT_TRIGGER, "put", "trigger"] in rows
    assert ["0", "288.90", "previous", "close"] in rows
    # The chart is attached and shown in its own embed.
    assert [f.filename for f in out.files] == ["levels-SPY-day-2019-06-12.png"]
    assert out.embeds[-1].image.url == "attachment://levels-SPY-day-2019-06-12.png"


def test_oversized_reply_stays_within_discord_limits(tmp_path: Path) -> None:
    """Thirty 200-row tables, twelve charts and long text still fit one Discord message."""
    png = tmp_path / "c.png"
    png.write_bytes(PNG_MAGIC + b"0" * 100)
    table = Table(["level", "price"], [[f"{i}", f"{i}.00"] for i in range(200)], ["left", "right"])
    pieces = [Text("x" * 3000), *[table] * 30, *[Image(str(png))] * 12]
    calls = [{"name": f"tool_{i}" * 20, "args": {}, "status": "success"} for i in range(40)]
    out = discord_message(ChatReply("x", "t", tool_calls=calls, pieces=pieces))
    assert len(out.content) <= 2000
    assert "did not fit" in out.content
    assert 1 <= len(out.embeds) <= 10
    assert len(out.files) <= 10
    total = 0
    for embed in out.embeds:
        assert len(embed.description or "") <= 4096
        assert len(embed.footer.text or "") <= 2048
        total += (
            len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
        )
    assert total <= 6000
    # Every kept table is a well-formed code block; every attached file has its embed.
    for embed in out.embeds:
        if embed.description:
            assert embed.description.startswith("```\n") and embed.description.endswith("```")
    shown = {e.image.url for e in out.embeds if e.image.url}
    assert {f"attachment://{f.filename}" for f in out.files} == shown
    for f in out.files:
        f.close()


def test_single_huge_table_is_cut_at_a_line() -> None:
    """A table longer than 4096 characters is cut at a row boundary and marked."""
    table = Table(["n"], [[str(i)] for i in range(2000)], ["right"])
    out = discord_message(ChatReply("", "t", pieces=[table]))
    (embed,) = out.embeds
    assert len(embed.description) <= 4096
    assert embed.description.endswith("\n…\n```")


# --- registration ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_login_registers_the_whispr_command(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """Logging in syncs /whispr with one required string option of 1-2000 characters."""
    bot, fake = wire
    assert bot.user is not None and bot.user.id == BOT_ID
    (put,) = fake.find("PUT", "/applications/")
    assert put.path.endswith("/commands")
    (command,) = put.json
    assert command["name"] == "whispr"
    (option,) = command["options"]
    assert option["name"] == "question" and option["type"] == 3 and option["required"]
    assert (option["min_length"], option["max_length"]) == (1, 2000)
    assert put.headers["Authorization"] == f"Bot {TOKEN}"


# --- mentions and DMs ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_mention_from_linked_user_is_answered_as_a_reply(
    world: World, wire: tuple[WhisprBot, FakeDiscord]
) -> None:
    """A mention shows typing, then replies to the message with the put trigger."""
    bot, fake = wire
    fake.clear()
    payload = mention(ALICE, PUT_TRIGGER_QUESTION)
    bot._connection.parse_message_create(payload)
    await settle()
    posts = [(r.method, r.path) for r in fake.requests]
    typing = ("POST", f"/channels/{CHANNEL_ID}/typing")
    message = ("POST", f"/channels/{CHANNEL_ID}/messages")
    assert typing in posts and message in posts
    assert posts.index(typing) < posts.index(message)
    (sent,) = fake.find("POST", f"/channels/{CHANNEL_ID}/messages")
    body = sent.json
    assert PUT_TRIGGER in body["content"]
    assert str(body["message_reference"]["message_id"]) == payload["id"]
    assert body["message_reference"]["fail_if_not_exists"] is False
    assert body["allowed_mentions"]["parse"] == []
    assert body["allowed_mentions"]["replied_user"] is False
    entries = world.service.activity.audit_log("alice", limit=5)
    assert any(e.tool == "atr_levels" and e.channel == "discord" for e in entries)


@pytest.mark.asyncio
async def test_messages_not_for_the_bot_are_ignored(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """No mention in a guild channel, a bot author, or the bot itself: no request at all."""
    bot, fake = wire
    fake.clear()
    plain = message_payload(CHANNEL_ID, ALICE, PUT_TRIGGER_QUESTION, guild_id=GUILD_ID)
    other = message_payload(
        CHANNEL_ID, ALICE, f"<@42> {PUT_TRIGGER_QUESTION}", guild_id=GUILD_ID,
        mentions=[user_payload(42, "someone")],
    )  # fmt: skip
    from_bot = mention(user_payload(43, "otherbot", bot=True), PUT_TRIGGER_QUESTION)
    itself = mention(BOT, PUT_TRIGGER_QUESTION)
    for payload in (plain, other, from_bot, itself):
        bot._connection.parse_message_create(payload)
    await settle()
    assert fake.requests == []
    # The handler says so too.
    state = bot._connection
    channel = discord.PartialMessageable(state=state, id=CHANNEL_ID, guild_id=GUILD_ID)
    msg = discord.Message(state=state, channel=channel, data=plain)
    assert bot.user is not None
    assert await bot.channel.on_message(msg, bot.user) is False


@pytest.mark.asyncio
async def test_direct_message_is_answered(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """A DM needs no mention: it is answered in the DM channel."""
    bot, fake = wire
    fake.clear()
    bot._connection.parse_message_create(message_payload(DM_CHANNEL_ID, BOB, PUT_TRIGGER_QUESTION))
    await settle()
    (sent,) = fake.find("POST", f"/channels/{DM_CHANNEL_ID}/messages")
    assert PUT_TRIGGER in sent.json["content"]
    assert fake.find("POST", f"/channels/{DM_CHANNEL_ID}/typing")


@pytest.mark.asyncio
async def test_mention_from_unknown_user_gets_onboarding(
    world: World, wire: tuple[WhisprBot, FakeDiscord]
) -> None:
    """An unlinked user is told how to get linked, with their Discord id; no tool runs."""
    bot, fake = wire
    body = await ask_by_mention(bot, fake, STRANGER, PUT_TRIGGER_QUESTION)
    assert f"--discord {STRANGER_ID}" in body["content"]
    assert PUT_TRIGGER not in body["content"]
    entries = world.service.activity.audit_log(f"discord:{STRANGER_ID}", limit=5)
    assert [e.event for e in entries] == ["unknown_user"]


# --- the slash command -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_slash_command_defers_then_follows_up(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """/whispr from a linked user: deferred with thinking (type 5), then the answer by webhook."""
    bot, fake = wire
    fake.clear()
    payload = command_payload(ALICE, PUT_TRIGGER_QUESTION, channel_id=CHANNEL_ID, guild_id=GUILD_ID)
    bot._connection.parse_interaction_create(payload)
    await settle()
    callback_path = f"/interactions/{payload['id']}/{payload['token']}/callback"
    followup_path = f"/webhooks/{payload['application_id']}/{payload['token']}"
    paths = [r.path for r in fake.requests]
    assert callback_path in paths and followup_path in paths
    assert paths.index(callback_path) < paths.index(followup_path)
    (callback,) = fake.find("POST", callback_path)
    assert callback.json["type"] == 5
    assert not (callback.json.get("data") or {}).get("flags", 0) & 64  # the answer is public
    (followup,) = fake.find("POST", followup_path)
    assert PUT_TRIGGER in followup.json["content"]
    assert followup.json["allowed_mentions"]["parse"] == []


@pytest.mark.asyncio
async def test_slash_command_in_a_dm(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """/whispr in a DM (user, not member, in the payload) is answered too."""
    bot, fake = wire
    fake.clear()
    payload = command_payload(BOB, PUT_TRIGGER_QUESTION, channel_id=DM_CHANNEL_ID)
    bot._connection.parse_interaction_create(payload)
    await settle()
    (followup,) = fake.find("POST", f"/webhooks/{payload['application_id']}/{payload['token']}")
    assert PUT_TRIGGER in followup.json["content"]


@pytest.mark.asyncio
async def test_slash_command_from_unknown_user_is_private_onboarding(
    world: World, wire: tuple[WhisprBot, FakeDiscord]
) -> None:
    """/whispr from an unlinked user: one ephemeral message (type 4, flags 64), no tool call."""
    bot, fake = wire
    fake.clear()
    stranger = user_payload(STRANGER_ID + 1, "stranger2")
    payload = command_payload(
        stranger, PUT_TRIGGER_QUESTION, channel_id=CHANNEL_ID, guild_id=GUILD_ID
    )
    before = len(world.service.activity.audit_log(None, limit=10_000))
    bot._connection.parse_interaction_create(payload)
    await settle()
    (callback,) = fake.find("POST", f"/interactions/{payload['id']}/")
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] & 64
    assert f"--discord {STRANGER_ID + 1}" in callback.json["data"]["content"]
    assert not fake.find("POST", "/webhooks/")
    new = world.service.activity.audit_log(None, limit=10_000)
    new = new[: len(new) - before]
    assert [(e.username, e.event) for e in new] == [(f"discord:{STRANGER_ID + 1}", "unknown_user")]
    assert all(e.tool is None for e in new)


# --- charts ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_chart_is_attached_to_the_followup(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """A levels answer sends multipart: the PNG as files[0] and an embed showing it."""
    bot, fake = wire
    fake.clear()
    payload = command_payload(ALICE, LEVELS_QUESTION, channel_id=CHANNEL_ID, guild_id=GUILD_ID)
    bot._connection.parse_interaction_create(payload)
    await settle()
    (followup,) = fake.find("POST", f"/webhooks/{payload['application_id']}/")
    (png,) = followup.files
    assert png.filename == "levels-SPY-day-2019-06-12.png"
    assert png.data.startswith(PNG_MAGIC) and len(png.data) > 1000
    embeds = followup.json["embeds"]
    assert {"url": f"attachment://{png.filename}"} in [e.get("image") for e in embeds]
    assert followup.json["attachments"][0]["filename"] == png.filename
    table = next(e for e in embeds if e.get("description"))
    assert f"-0.236  {PUT_TRIGGER}" in table["description"]


@pytest.mark.asyncio
async def test_chart_is_attached_to_a_mention_reply(wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """The same for a mention: the reply to the channel carries the PNG."""
    bot, fake = wire
    await ask_by_mention(bot, fake, BOB, LEVELS_QUESTION)
    (sent,) = fake.find("POST", f"/channels/{CHANNEL_ID}/messages")
    (png,) = sent.files
    assert png.data.startswith(PNG_MAGIC)
    images = [e["image"]["url"] for e in sent.json["embeds"] if "image" in e]
    assert images == [f"attachment://{png.filename}"]


# --- isolation -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_users_are_isolated(world: World, wire: tuple[WhisprBot, FakeDiscord]) -> None:
    """Alice's and Bob's Discord ids map to their own accounts: audit, memory, charts."""
    bot, fake = wire
    fact = "remember that I trade SPX 0DTE with a 25000 account"
    said = await ask_by_mention(bot, fake, ALICE, fact)
    assert "25000" in said["content"]
    mine = await ask_by_mention(bot, fake, ALICE, "what do you remember about me?")
    assert "25000" in mine["content"]
    theirs = await ask_by_mention(bot, fake, BOB, "what do you remember about me?")
    assert "25000" not in theirs["content"] and "nothing yet" in theirs["content"]

    alice_log = world.service.activity.audit_log("alice", limit=10)
    bob_log = world.service.activity.audit_log("bob", limit=10)
    assert ("remember", "alice") in [(e.tool, e.username) for e in alice_log]
    assert "remember" not in [e.tool for e in bob_log]
    assert bob_log[0].tool == "recall" and bob_log[0].username == "bob"

    # Bob's chart lives in Bob's folder, not Alice's.
    await ask_by_mention(bot, fake, BOB, LEVELS_QUESTION)
    (sent,) = fake.find("POST", f"/channels/{CHANNEL_ID}/messages")
    name = sent.files[0].filename
    assert world.service.chart_file(world.user("bob"), name) is not None
    assert sent.files[0].data == world.service.chart_file(world.user("bob"), name).read_bytes()
