"""Operations (issue #16, item 7): ``/metrics`` in Prometheus' text format with bounded labels,
request ids in responses and in JSON log lines, and the ``/health`` and ``/ready`` probes."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.errors import InvalidArgumentError
from integrations.alerts.delivery import DeliveryError
from integrations.alerts.engine import LiveEngine
from integrations.alerts.monitor import LiveStats, Monitor
from integrations.chat.settings import load_settings
from integrations.logs import (
    JsonFormatter,
    RequestContextFilter,
    bind_request,
    configure_logging,
    unbind_request,
)
from integrations.marketdata.files import FileSource, samples_dir
from integrations.web.app import create_app
from tests.channels.conftest import World, make_world

DAY = dt.date(2024, 3, 15)  # SPY gapped below -0.786, then rallied back up through it
METRICS = (
    "http_request_seconds",
    "assistant_turn_seconds",
    "tool_call_seconds",
    "alert_delivery_failures_total",
    "alert_stream_lag_seconds",
    "alert_delivery_queue_depth",
)


def _scrape(world: World) -> str:
    response = world.client.get("/metrics", headers=world.auth("root"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Yield the JSON lines of every INFO-or-finer record, as ``whispr serve`` would write."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    access = logging.getLogger("whispr.access")
    level = access.level
    root.addHandler(handler)
    access.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        access.setLevel(level)


def _records(lines: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in lines.getvalue().splitlines()]


def test_metrics_time_requests_by_route_template_turns_and_tools(world: World):
    for symbol in ("SPX", "SPY"):
        assert world.client.get(f"/api/levels/{symbol}", headers=world.auth("alice")).is_success
    asked = world.client.post(
        "/api/ask", json={"question": "SPX day levels"}, headers=world.auth("alice")
    )
    assert asked.json()["status"] == "ok" and asked.json()["tool_calls"]
    text = _scrape(world)
    for name in METRICS:
        assert f"# TYPE {name} " in text, name
    assert (
        'http_request_seconds_count{method="GET",route="/api/levels/{symbol}",status="200"} 2.0'
        in text
    )
    assert "/api/levels/SPX" not in text and "/api/levels/SPY" not in text
    assert 'http_request_seconds_count{method="POST",route="/api/ask",status="200"}' in text
    assert 'assistant_turn_seconds_count{provider="offline",status="ok"} 1.0' in text
    tool = asked.json()["tool_calls"][0]["name"]
    assert f'tool_call_seconds_count{{outcome="success",tool="{tool}"}}' in text
    assert 'alert_delivery_failures_total{channel="slack"} 0.0' in text


def test_unknown_paths_and_methods_share_one_label_and_probes_are_not_timed(world: World):
    assert world.client.get("/no/such/page/12345").status_code == 404
    assert world.client.request("BREW", "/api/levels/SPX").status_code in (401, 405)
    assert world.client.get("/health").status_code == 200
    assert world.client.get("/ready").status_code == 200
    text = _scrape(world)
    assert 'route="unmatched",status="404"' in text and "12345" not in text
    assert "BREW" not in text
    assert 'route="/health"' not in text and 'route="/ready"' not in text
    assert 'route="/metrics"' not in text


def test_metrics_are_for_admins_unless_the_setting_makes_them_public(world: World):
    assert world.client.get("/metrics").status_code == 401
    for name in ("alice", "vera"):
        refused = world.client.get("/metrics", headers=world.auth(name))
        assert refused.status_code == 403 and "metrics:read" in refused.json()["error"]
    public = TestClient(create_app(world.service, replace(world.settings, metrics_public=True)))
    assert public.get("/metrics").status_code == 200
    assert public.get("/metrics", headers=world.auth("vera")).status_code == 200


def test_the_public_and_log_format_settings_come_from_the_environment(tmp_path: Path):
    home = {"WHISPR_HOME": str(tmp_path)}
    assert load_settings(home).metrics_public is False
    assert load_settings(home).log_format == "text"
    chosen = load_settings({**home, "WHISPR_METRICS_PUBLIC": "1", "WHISPR_LOG_FORMAT": "JSON"})
    assert chosen.metrics_public is True and chosen.log_format == "json"
    with pytest.raises(InvalidArgumentError, match="WHISPR_LOG_FORMAT must be text or json"):
        load_settings({**home, "WHISPR_LOG_FORMAT": "xml"})


def test_a_valid_request_id_comes_back_and_others_are_replaced(world: World):
    sent = world.client.get("/health", headers={"X-Request-ID": "lb-7.trace_42"})
    assert sent.headers["X-Request-ID"] == "lb-7.trace_42"
    made = world.client.get("/api/levels/SPX", headers=world.auth("alice"))
    assert len(made.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != world.client.get("/health").headers["X-Request-ID"]
    for bad in ("has space", "x" * 65, "semi;colon", ""):
        given = world.client.get("/health", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert given != bad and len(given) == 32
    refused = world.client.get("/api/levels/SPX", headers={"X-Request-ID": "r-401"})
    assert refused.status_code == 401 and refused.headers["X-Request-ID"] == "r-401"


def test_json_log_lines_carry_the_request_id_and_no_secrets(world: World, json_lines):
    token = world.tokens["alice"]
    world.client.get(
        "/api/levels/SPY?bar=1d",
        headers={**world.auth("alice"), "X-Request-ID": "json-1", "Cookie": "whispr_session=s3"},
    )
    (line,) = [r for r in _records(json_lines) if r["request_id"] == "json-1"]
    assert set(line) == {
        "ts", "level", "logger", "message", "request_id", "method", "route", "status", "ms"
    }  # fmt: skip
    assert line["logger"] == "whispr.access" and line["level"] == "INFO"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/levels/{symbol}", 200)
    assert isinstance(line["ms"], float) and line["ts"].endswith("Z")
    assert token not in json_lines.getvalue() and "s3" not in json_lines.getvalue()
    assert "bar=1d" not in json_lines.getvalue()


def test_a_record_logged_during_a_request_has_its_id(tmp_path: Path, json_lines):
    class Unreachable(FileSource):
        def symbols(self) -> list[str]:
            raise ConnectionError("provider down")

    world = make_world(tmp_path)
    world.service.source = Unreachable(samples_dir())
    answer = world.client.get("/ready", headers={"X-Request-ID": "probe-9"})
    assert answer.status_code == 503 and answer.json()["failed"] == ["data"]
    warning = next(r for r in _records(json_lines) if r["level"] == "WARNING")
    assert warning["request_id"] == "probe-9" and "data source failed" in warning["message"]
    token = bind_request("outside-1", "CLI")
    try:
        logging.getLogger("whispr.test").warning("no request here")
    finally:
        unbind_request(token)
    assert _records(json_lines)[-1]["request_id"] == "outside-1"


def test_serve_json_setup_logs_access_lines_but_not_other_libraries_info(world: World):
    root, access = logging.getLogger(), logging.getLogger("whispr.access")
    saved = (list(root.handlers), root.level, access.level)
    out = io.StringIO()
    root.setLevel(logging.WARNING)
    access.setLevel(logging.NOTSET)
    try:
        configure_logging("json", stream=out)
        world.client.get("/api/levels/SPX", headers={**world.auth("alice"), "X-Request-ID": "s-1"})
        logging.getLogger("httpx").info("HTTP Request: GET https://x.test/?apiKey=secret")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        access.setLevel(saved[2])
    (line,) = _records(out)
    assert (line["request_id"], line["route"], line["status"]) == (
        "s-1",
        "/api/levels/{symbol}",
        200,
    )


def test_ready_is_ready_and_names_the_storage_check_when_the_accounts_db_fails(tmp_path: Path):
    world = make_world(tmp_path)
    ready = world.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"storage": "ok", "data": "ok"}}
    world.service.accounts.db.close()
    broken = world.client.get("/ready")
    assert broken.status_code == 503
    assert broken.json()["failed"] == ["storage"] and broken.json()["status"] == "not ready"
    assert broken.json()["checks"]["storage"].startswith("accounts database:")
    assert world.client.get("/health").json() == {"status": "ok"}


def test_ready_names_the_data_check_when_the_source_has_no_symbols(tmp_path: Path):
    empty = tmp_path / "no-bars"
    empty.mkdir()
    world = make_world(tmp_path / "home")
    world.service.source = FileSource(empty)
    broken = world.client.get("/ready")
    assert broken.status_code == 503 and broken.json()["failed"] == ["data"]
    assert broken.json()["checks"]["data"] == "data source: no symbols"


def test_the_alert_monitor_feeds_failures_and_queue_depth(tmp_path: Path):
    world = make_world(tmp_path)
    world.client.post(
        "/api/alerts",
        json={"symbol": "SPY", "level": "-0.786", "direction": "up", "destination": "discord:42"},
        headers=world.auth("bob"),
    )

    def down(destination: str, message: str) -> None:
        raise DeliveryError("Discord answered 503: upstream down")

    live = world.client.app.state.metrics.live
    monitor = Monitor(
        world.service.services["alerts"],
        FileSource(samples_dir()),
        down,
        sleep=lambda seconds: None,
        max_attempts=3,
        stats=live,
    )
    assert monitor.replay("SPY", DAY) == []
    assert live.failure_counts()["discord"] == 3 and live.queue_depth == 1
    text = _scrape(world)
    assert 'alert_delivery_failures_total{channel="discord"} 3.0' in text
    assert "alert_delivery_queue_depth 1.0" in text


@dataclass
class Quote:
    symbol: str
    last: float
    time: dt.datetime


def test_the_live_watch_reports_stream_lag(tmp_path: Path):
    world = make_world(tmp_path)
    sent = dt.datetime(2024, 3, 15, 14, 30, tzinfo=dt.UTC)

    async def stream() -> AsyncIterator[object]:
        yield Quote("SPY", 510.0, sent)

    live = LiveStats()
    monitor = Monitor(
        world.service.services["alerts"],
        FileSource(samples_dir()),
        lambda destination, message: None,
        stats=live,
        clock=lambda: sent.timestamp() + 2.5,
    )
    assert live.stream_lag_seconds is None
    asyncio.run(LiveEngine(monitor, ["SPY"], lambda symbols: stream(), max_reconnects=0).run())
    assert live.stream_lag_seconds == pytest.approx(2.5)
