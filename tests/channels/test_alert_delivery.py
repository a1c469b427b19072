"""Alert firings reach the channel each alert was asked from: Slack (Web API chat.postMessage),
Discord (REST create-message with a bot token) and the web inbox, through the real clients
against local servers that speak those wire formats; a channel that is down is retried."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient

from core.levels import session_levels
from integrations.alerts.delivery import ChannelRouter, DeliveryError, DiscordPoster
from integrations.alerts.monitor import Monitor
from integrations.marketdata.files import FileSource, samples_dir
from tests.channels.conftest import World, make_world
from tests.wire import JsonServer

DAY = dt.date(2024, 3, 15)  # SPY gapped below -0.786, then rallied back up through it


def _ok_slack(path, query, headers, body):
    return 200, {"ok": True, "channel": "C42", "ts": "1710510000.000100"}, {}


def _discord_message(path, query, headers, body):
    return 200, {"id": "1", "channel_id": path.split("/")[-2], "content": "x"}, {}


def slack_calls(server: JsonServer) -> list[dict[str, str]]:
    """Return the arguments of every chat.postMessage the server received (slack_sdk sends
    JSON; the Web API also accepts form encoding)."""
    out = []
    for _, path, _, headers, body in server.requests:
        if path != "/api/chat.postMessage":
            continue
        if headers.get("content-type", "").startswith("application/json"):
            out.append(json.loads(body))
        else:
            out.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
    return out


@pytest.fixture
def servers():
    routes = {
        ("POST", "/api/chat.postMessage"): _ok_slack,
        ("POST", "/api/v10/channels/123456789012345678/messages"): _discord_message,
    }
    with JsonServer(routes) as server:
        yield server


def test_router_speaks_slack_discord_and_web(servers: JsonServer, tmp_path):
    world = make_world(tmp_path)
    router = ChannelRouter(
        slack=WebClient(token="xoxb-test", base_url=servers.url + "/api/"),
        discord=DiscordPoster("discord-token", base_url=servers.url + "/api/v10"),
        inbox=world.service.activity,
    )
    router("slack:C42", "SPY lost the put trigger <!channel>")
    router("discord:123456789012345678", "SPY crossed above the call trigger @everyone")
    router("web:alice", "SPY reached +1")
    (slack,) = slack_calls(servers)
    assert slack["channel"] == "C42" and slack["text"].startswith("SPY lost the put trigger")
    slack_headers = next(h for m, p, _, h, _ in servers.requests if p == "/api/chat.postMessage")
    assert slack_headers["authorization"] == "Bearer xoxb-test"
    _, _, _, headers, body = next(r for r in servers.requests if "/channels/" in r[1])
    assert headers["authorization"] == "Bot discord-token"
    assert headers["user-agent"].startswith("DiscordBot (")
    sent = json.loads(body)
    assert sent["content"].startswith("SPY crossed above") and sent["allowed_mentions"] == {
        "parse": []
    }  # an alert never pings @everyone
    inbox = world.client.get("/api/notifications", headers=world.auth("alice")).json()
    assert [n["message"] for n in inbox] == ["SPY reached +1"]
    assert world.client.get("/api/notifications", headers=world.auth("bob")).json() == []


def test_unconfigured_or_failing_channels_raise_a_clear_error(servers: JsonServer):
    router = ChannelRouter(discord=DiscordPoster("t", base_url=servers.url + "/api/v10"))
    with pytest.raises(DeliveryError, match="Slack is not configured"):
        router("slack:C1", "x")
    with pytest.raises(DeliveryError, match="Discord answered 404"):
        router("discord:999", "x")  # no such channel on the server
    with pytest.raises(DeliveryError, match="a Discord channel id is a number"):
        router("discord:general", "x")
    with pytest.raises(DeliveryError, match="no web inbox"):
        router("web:alice", "x")
    printed = []
    ChannelRouter(terminal=printed.append)("terminal", "hello")
    assert printed == ["[terminal] hello"]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    """A world whose alice is linked to a Slack user."""
    world = make_world(tmp_path_factory.mktemp("delivery"))
    world.service.accounts.link("alice", "slack", "UALICE")
    return world


def test_alerts_asked_in_slack_and_on_the_web_fire_into_those_channels_once(
    world: World, servers: JsonServer
):
    service = world.service
    asked = "alert me when SPY crosses above the -78.6% level"
    in_slack = service.respond_external("slack", "UALICE", asked, "s1", destination="slack:C42")
    assert [c["name"] for c in in_slack.tool_calls] == ["create_alert"], in_slack.text
    on_web = world.client.post("/api/ask", json={"question": asked}, headers=world.auth("alice"))
    assert on_web.json()["tool_calls"][0]["status"] == "success"
    destinations = sorted(
        a["destination"]
        for a in world.client.get("/api/alerts", headers=world.auth("alice")).json()["alerts"]
    )
    assert destinations == ["slack:C42", "web:alice"]

    source = FileSource(samples_dir())
    levels = session_levels(source.bars("SPY", "1d")).loc[str(DAY)]
    level = float(levels["previous_close"]) - 0.786 * float(levels["atr"])  # by hand
    bars = source.bars("SPY", "1m").loc[str(DAY)]
    below = bars["low"].to_numpy() < level
    first_above = next(  # the first bar that trades back above the level after being below it
        i for i in range(1, len(bars)) if below[: i + 1].any() and bars["high"].iloc[i] > level
    )
    router = ChannelRouter(
        slack=WebClient(token="xoxb-test", base_url=servers.url + "/api/"),
        inbox=service.activity,
    )
    monitor = Monitor(service.services["alerts"], source, router, sleep=lambda s: None)
    monitor.replay("SPY", DAY)
    monitor.replay("SPY", DAY)  # a restart replays the session: nothing is delivered twice

    (slack,) = slack_calls(servers)
    (web,) = world.client.get("/api/notifications", headers=world.auth("alice")).json()
    for text in (slack["text"], web["message"]):
        assert f"at {level:.2f}" in text and "crossed above" in text
        assert f"{bars.index[first_above]:%H:%M} ET on {DAY}" in text
    assert slack["channel"] == "C42"
    assert world.client.get("/api/notifications", headers=world.auth("bob")).json() == []


def test_a_channel_that_is_down_is_retried_with_backoff_then_delivered(tmp_path):
    world = make_world(tmp_path)
    calls = {"n": 0}

    def flaky(path, query, headers, body):
        calls["n"] += 1
        if calls["n"] <= 2:
            return 503, {"message": "upstream down"}, {}
        return _discord_message(path, query, headers, body)

    with JsonServer({("POST", "/api/v10/channels/42/messages"): flaky}) as server:
        world.client.post(
            "/api/alerts",
            json={
                "symbol": "SPY",
                "level": "-0.786",
                "direction": "up",
                "destination": "discord:42",
            },
            headers=world.auth("bob"),
        )
        waits = []
        router = ChannelRouter(discord=DiscordPoster("t", base_url=server.url + "/api/v10"))
        monitor = Monitor(world.service.services["alerts"], FileSource(samples_dir()), router,
                          sleep=waits.append, backoff=0.5)  # fmt: skip
        delivered = monitor.replay("SPY", DAY)
    assert len(delivered) == 1 and calls["n"] == 3
    assert waits == [0.5, 1.0]
    assert world.service.services["alerts"].pending() == []


def test_a_named_channel_means_a_channel_of_the_chat_system_asked_from(world: World):
    from integrations.discord_bot import strip_mentions
    from integrations.slack_app import clean_text

    service = world.service
    world.service.accounts.link("bob", "discord", "777")
    slack_text = clean_text("<@UBOT> alert me in <#C0SPX|spx> when SPY loses the put trigger")
    assert slack_text == "alert me in #spx when SPY loses the put trigger"
    service.respond_external("slack", "UALICE", slack_text, "n1", destination="slack:C42")
    discord_text = strip_mentions("<@42> alert me in <#123456> when SPY loses the put trigger", 42)
    service.respond_external("discord", "777", discord_text, "n2", destination="discord:9")
    web = world.client.post(
        "/api/ask",
        json={"question": "alert me in #spx when SPY loses the put trigger"},
        headers=world.auth("bob"),
    ).json()
    assert web["tool_calls"][0]["status"] == "error" and "slack:<channel id>" in web["answer"]
    mine = {
        who: [a["destination"] for a in world.client.get(
            "/api/alerts", headers=world.auth(who)).json()["alerts"]]
        for who in ("alice", "bob")
    }  # fmt: skip
    assert "slack:#spx" in mine["alice"] and mine["bob"] == ["discord:123456"]
