"""The Slack channel end to end: real slack-bolt and slack-sdk against a local Slack.

Events are signed like Slack signs them and POSTed to ``/slack/events`` on the FastAPI app;
every Web API call Bolt makes (``chat.postMessage``, ``chat.update``, the three steps of
``files_upload_v2``, ``response_url`` posts, ``apps.connections.open``) lands on the fake Slack
of ``slack_wire``, which records it. Expected prices are computed here from the shipped data's
previous close and ATR, never copied from an answer.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from slack_bolt import App
from slack_sdk import WebClient

from integrations.chat.render import Text
from integrations.chat.service import ChatReply
from integrations.slack_app import (
    WORKING,
    build_slack_app,
    mount_events,
    slack_blocks,
    socket_mode_handler,
)
from integrations.web.app import create_app
from tests.channels.conftest import PUT_TRIGGER_QUESTION, World
from tests.channels.slack_wire import BOT_ID, BOT_USER, FakeSlack, signed_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
# SPY on 2019-06-12: previous close (2019-06-11) and 14-day ATR, read off the shipped CSVs.
PREV_CLOSE, ATR = 288.90, 3.49
ALICE, BOB = "UALICE", "UBOB"
LEVELS_QUESTION = "chart SPY day levels for June 12, 2019"
CHART_NAME = "levels-SPY-day-2019-06-12.png"


def level(ratio: float) -> str:
    """Return the SPY level at ``ratio`` ATRs from the previous close, as Slack shows it."""
    return f"{PREV_CLOSE + ratio * ATR:.2f}"


PUT_TRIGGER = level(-0.236)
assert PUT_TRIGGER == "288.08"

_ids = itertools.count(1)


@dataclass
class Slack:
    """The fake Slack, the Bolt app talking to it and a client of the web app serving it."""

    fake: FakeSlack
    bolt: App
    http: TestClient
    world: World

    def post(self, body: str, content_type: str, **headers: str) -> httpx.Response:
        """Return the response to ``body`` POSTed to /slack/events, signed unless overridden."""
        signed = {**signed_headers(SECRET, body), **headers, "content-type": content_type}
        return self.http.post("/slack/events", content=body, headers=signed)

    def event(
        self, event: dict[str, Any], event_id: str | None = None, **headers: str
    ) -> tuple[httpx.Response, str]:
        """POST an Events API callback carrying ``event``; return (response, event_id)."""
        event_id = event_id or f"Ev{next(_ids):08d}"
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}],
            }
        )
        return self.post(body, "application/json", **headers), event_id


def new_ts() -> str:
    """Return a fresh Slack message timestamp."""
    return f"1718200000.{next(_ids):06d}"


def mention(user: str, text: str, channel: str = "C42", ts: str | None = None) -> dict[str, Any]:
    """Return an ``app_mention`` event of ``user`` saying ``text`` to the bot."""
    ts = ts or new_ts()
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }


def direct(user: str, text: str, **extra: Any) -> dict[str, Any]:
    """Return a ``message`` event in the bot's DM with ``user``."""
    ts = new_ts()
    event = {"type": "message", "channel_type": "im", "channel": "D1", "user": user}
    return {**event, "text": text, "ts": ts, "event_ts": ts, **extra}


def update_of(fake: FakeSlack, post_index: int = 0) -> dict[str, Any]:
    """Return the args of the ``chat.update`` of the ``post_index``-th posted message."""
    posted = fake.called("chat.postMessage")[post_index].reply
    assert posted is not None
    updates = [c.args for c in fake.called("chat.update") if c.args["ts"] == posted["ts"]]
    assert len(updates) == 1
    return updates[0]


@pytest.fixture(scope="module")
def slack(world: World) -> Iterator[Slack]:
    """Alice and Bob linked to Slack ids; the web app serving Slack events against a fake."""
    world.service.accounts.link("alice", "slack", ALICE)
    world.service.accounts.link("bob", "slack", BOB)
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        bolt = build_slack_app(
            world.service, signing_secret=SECRET, client=client, process_before_response=True
        )
        web = create_app(world.service, world.settings)
        mount_events(web, bolt)
        yield Slack(fake, bolt, TestClient(web), world)


@pytest.fixture(autouse=True)
def clean(slack: Slack) -> None:
    """Start each test with no recorded Slack calls."""
    slack.fake.reset()


def test_mention_posts_working_then_updates_with_the_answer(slack: Slack) -> None:
    event = mention(ALICE, PUT_TRIGGER_QUESTION)
    response, _ = slack.event(event)
    assert response.status_code == 200
    (post,) = slack.fake.called("chat.postMessage")
    assert post.args["text"] == WORKING
    assert post.args["thread_ts"] == event["ts"] and post.args["channel"] == "C42"
    update = update_of(slack.fake)
    assert update["channel"] == "C42"
    assert PUT_TRIGGER in update["text"]
    assert PUT_TRIGGER in json.dumps(update["blocks"])
    assert update["blocks"][-1]["type"] == "context"
    assert "atr_levels" in json.dumps(update["blocks"][-1])


def test_levels_table_becomes_a_block_kit_table(slack: Slack) -> None:
    slack.event(mention(ALICE, LEVELS_QUESTION))
    blocks = update_of(slack.fake)["blocks"]
    (table,) = [b for b in blocks if b["type"] == "table"]
    rows = [[cell["text"] for cell in row] for row in table["rows"]]
    assert rows[0][:2] == ["level", "price"]
    prices = {row[0]: row[1] for row in rows[1:]}
    assert prices["-0.236"] == PUT_TRIGGER
    assert prices["+0.236"] == level(0.236)
    assert prices["+1"] == level(1) and prices["-1"] == level(-1)
    assert prices["0"] == f"{PREV_CLOSE:.2f}"
    assert [s["align"] for s in table["column_settings"]][:2] == ["left", "right"]
    assert all(cell["type"] == "raw_text" for row in table["rows"] for cell in row)


def test_rejected_blocks_fall_back_to_the_text_answer(slack: Slack) -> None:
    slack.fake.reject_blocks = True
    slack.event(mention(ALICE, LEVELS_QUESTION))
    first, second = slack.fake.called("chat.update")
    assert first.reply == {"ok": False, "error": "invalid_blocks"}
    assert "blocks" not in second.args and second.reply is not None and second.reply["ok"]
    assert PUT_TRIGGER in second.args["text"] and "```" in second.args["text"]


def test_long_answers_are_split_into_sections_within_slack_limits() -> None:
    text = "<&>" * 2500  # 7500 characters, 37500 once escaped
    blocks = slack_blocks(ChatReply(text, "t", pieces=[Text(text)]))
    sections = [b["text"]["text"] for b in blocks]
    assert all(len(s) <= 3000 for s in sections)
    assert "".join(sections) == "&lt;&amp;&gt;" * 2500


def test_bad_signature_is_refused_and_nothing_is_posted(slack: Slack) -> None:
    body = json.dumps({"type": "event_callback", "event": mention(ALICE, PUT_TRIGGER_QUESTION)})
    forged = signed_headers("not-the-secret", body)
    response = slack.post(body, "application/json", **forged)
    assert response.status_code == 401
    stale = signed_headers(SECRET, body, timestamp=int(time.time()) - 600)
    assert slack.post(body, "application/json", **stale).status_code == 401
    assert slack.fake.methods() == []


@pytest.mark.parametrize("stamp", ["abc", "", "1e9", "9" * 40])
def test_a_non_numeric_timestamp_is_refused_not_a_500(slack: Slack, stamp: str) -> None:
    """Issue #12 defect 3: Bolt's verifier called int() on the header and raised (500)."""
    body = json.dumps({"type": "event_callback", "event": mention(ALICE, PUT_TRIGGER_QUESTION)})
    headers = {"x-slack-request-timestamp": stamp, "x-slack-signature": "v0=00"}
    assert slack.post(body, "application/json", **headers).status_code == 401
    assert slack.fake.methods() == []


def test_unknown_user_gets_one_onboarding_message_and_no_tool_runs(slack: Slack) -> None:
    audit = slack.world.service.activity.audit_log
    tool_calls_before = [e for e in audit(None, 1000) if e.event == "tool_call"]
    slack.event(mention("UNOBODY", PUT_TRIGGER_QUESTION))
    (post,) = slack.fake.called("chat.postMessage")
    assert slack.fake.methods() == ["chat.postMessage"]
    assert post.args["text"] != WORKING
    assert "whispr users link" in post.args["text"] and "UNOBODY" in post.args["text"]
    assert "<" not in post.args["text"]  # "<your username>" would be read as Slack markup
    assert PUT_TRIGGER not in post.args["text"]
    assert [e for e in audit(None, 1000) if e.event == "tool_call"] == tool_calls_before
    (entry,) = audit("slack:UNOBODY")
    assert entry.event == "unknown_user"


def test_direct_message_is_answered_once_and_bot_messages_are_ignored(slack: Slack) -> None:
    response, event_id = slack.event(direct(ALICE, PUT_TRIGGER_QUESTION))
    assert response.status_code == 200
    (post,) = slack.fake.called("chat.postMessage")
    assert post.args["channel"] == "D1" and post.args["text"] == WORKING
    assert "thread_ts" not in post.args
    assert PUT_TRIGGER in update_of(slack.fake)["text"]

    calls = len(slack.fake.calls)
    retried, _ = slack.event(
        direct(ALICE, PUT_TRIGGER_QUESTION), event_id, **{"x-slack-retry-num": "1"}
    )
    assert retried.status_code == 200
    ignored = [
        direct(ALICE, "SPY day levels", bot_id="B0OTHER", subtype="bot_message"),
        direct(ALICE, "SPY day levels", subtype="message_changed"),
        direct(BOT_USER, "SPY day levels", bot_id=BOT_ID),
        {**direct(ALICE, PUT_TRIGGER_QUESTION), "channel_type": "channel", "channel": "C42"},
    ]
    for event in ignored:
        assert slack.event(event)[0].status_code == 200
    assert len(slack.fake.calls) == calls


def test_whispr_slash_command_acks_then_answers_on_the_response_url(slack: Slack) -> None:
    form = {
        "token": "legacy",
        "team_id": "T1",
        "channel_id": "C42",
        "user_id": ALICE,
        "command": "/whispr",
        "text": PUT_TRIGGER_QUESTION,
        "response_url": f"{slack.fake.base_url}/respond/T1/1/abc",
        "trigger_id": "1.2.3",
    }
    response = slack.post(urlencode(form), "application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.text == WORKING  # Slack shows a plain-text ack as an ephemeral message
    (answer,) = slack.fake.called("response_url")
    assert PUT_TRIGGER in answer.args["text"]
    assert PUT_TRIGGER in json.dumps(answer.args["blocks"])
    assert answer.args["response_type"] == "ephemeral"

    stranger = slack.post(
        urlencode({**form, "user_id": "USTRANGER"}), "application/x-www-form-urlencoded"
    )
    assert stranger.status_code == 200
    onboarding = slack.fake.called("response_url")[-1].args["text"]
    assert "USTRANGER" in onboarding and PUT_TRIGGER not in onboarding


def test_chart_is_uploaded_into_the_thread(slack: Slack) -> None:
    event = mention(ALICE, LEVELS_QUESTION)
    slack.event(event)
    assert slack.fake.methods() == [
        "chat.postMessage",
        "chat.update",
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    (ask,) = slack.fake.called("files.getUploadURLExternal")
    (upload,) = slack.fake.called("upload")
    (complete,) = slack.fake.called("files.completeUploadExternal")
    assert ask.args["filename"] == CHART_NAME
    assert int(ask.args["length"]) == len(upload.body)
    assert upload.body.startswith(b"\x89PNG\r\n\x1a\n")
    charts = slack.world.service.charts_dir(slack.world.user("alice"))
    assert charts is not None and upload.body == (charts / CHART_NAME).read_bytes()
    assert ask.reply is not None and upload.args["file_id"] == ask.reply["file_id"]
    assert complete.args["channel_id"] == "C42"
    assert complete.args["thread_ts"] == event["ts"]
    assert complete.args["files"][0]["id"] == ask.reply["file_id"]


def test_each_slack_id_acts_as_its_own_account(slack: Slack) -> None:
    alerts = slack.world.service.services["alerts"]
    before = len(alerts.alerts("bob"))
    event = mention(BOB, "alert me in this channel when SPY triggers a bullish golden gate", "C77")
    slack.event(event)
    created = alerts.alerts("bob")
    assert len(created) == before + 1 and created[-1].rule.destination == "slack:C77"
    assert alerts.alerts("alice") == []
    newest = slack.world.service.activity.audit_log("bob", 1)[0]
    assert (newest.event, newest.tool, newest.channel) == ("tool_call", "create_alert", "slack")
    thread = f"slack-C77-{event['ts']}"
    assert slack.world.service.activity.thread("bob", thread) is not None
    assert slack.world.service.activity.thread("alice", thread) is None

    # Alice in Bob's Slack thread gets her own conversation and her own (empty) alert list.
    slack.event(mention(ALICE, "list my alerts", "C77", new_ts()) | {"thread_ts": event["ts"]})
    assert "no alerts" in update_of(slack.fake, 1)["text"]
    assert slack.world.service.activity.audit_log("alice", 1)[0].tool == "list_alerts"
    assert slack.world.service.activity.thread("alice", thread) is not None


def test_socket_mode_mention_is_acked_and_answered(world: World, slack: Slack) -> None:
    # ``slack`` only links Alice's Slack id; this test has its own fake Slack and Bolt app.
    with FakeSlack(socket=True) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        app = build_slack_app(world.service, client=client, process_before_response=True)
        handler = socket_mode_handler(app, "xapp-1-test")
        try:
            handler.connect()
            assert fake.socket is not None and fake.socket.connected.wait(10)
            assert len(fake.called("apps.connections.open")) == 1
            event = mention(ALICE, PUT_TRIGGER_QUESTION)
            payload = {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event_id": "EvSOCKET1",
                "event": event,
                "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}],
            }
            fake.socket.send(
                {
                    "envelope_id": "env-1",
                    "type": "events_api",
                    "accepts_response_payload": False,
                    "retry_attempt": 0,
                    "payload": payload,
                }
            )
            assert fake.socket.wait_ack("env-1") == {"envelope_id": "env-1"}
            fake.wait_for("chat.update")
            (post,) = fake.called("chat.postMessage")
            assert post.args["text"] == WORKING and post.args["thread_ts"] == event["ts"]
            assert PUT_TRIGGER in update_of(fake)["text"]
        finally:
            handler.close()


def test_manifest_declares_the_scopes_events_and_command() -> None:
    import yaml

    path = Path(__file__).parents[2] / "integrations" / "slack_manifest.yaml"
    manifest = yaml.safe_load(path.read_text())
    assert manifest["display_information"]["name"] == "Whispr"
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history", "files:write"} <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "message.im"}
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/whispr"]
    assert manifest["settings"]["socket_mode_enabled"] is True
