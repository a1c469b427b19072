"""The channel commands: ``whispr serve`` as a real process, ``whispr users …``, and the pieces
of ``whispr watch`` that work offline."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.errors import DataError
from integrations.alerts.live import day_levels, watch_live
from integrations.alerts.monitor import Monitor
from integrations.alerts.store import SqliteAlertStore
from integrations.chat.store import AccountStore
from integrations.cli import main
from integrations.marketdata.files import FileSource, samples_dir
from tests.channels.conftest import hand_wilder_atr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_whispr_serve_starts_prints_the_url_and_answers(tmp_path):
    port = _free_port()
    env = {**os.environ, "WHISPR_HOME": str(tmp_path), "WHISPR_PORT": str(port)}
    proc = _start_serve(env)
    try:
        first = proc.stdout.readline()
        assert first.startswith(f"Whispr is running at http://localhost:{port}/"), first
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert "<title>Whispr</title>" in httpx.get(url + "/").text
        password_file = tmp_path / "first-admin-password.txt"
        assert password_file.stat().st_mode & 0o777 == 0o600
        password = password_file.read_text().strip()
        with httpx.Client(base_url=url) as client:
            assert client.post(
                "/api/login", json={"username": "admin", "password": password}
            ).is_success
            answer = client.post(
                "/api/ask",
                json={"question": "what's the SPY put trigger for June 12, 2019?"},
                headers={"X-Whispr-CSRF": "1"},
            ).json()["answer"]
        assert "288.08" in answer  # 288.90 - 0.236 * 3.49, by hand
    finally:
        proc.terminate()
        proc.wait(10)
    assert password not in proc.stdout.read()  # the generated password is never printed


def _run(argv: list[str], stdin: str = "", monkeypatch=None) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_users_commands_manage_accounts_identities_and_tokens(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WHISPR_HOME", str(tmp_path))
    pw = "a good long password\n"
    assert _run(["users", "add", "dana", "--password-stdin"], pw, monkeypatch) == 0
    assert _run(["users", "add", "Dana", "--password-stdin"], pw, monkeypatch) == 2
    assert "already exists" in capsys.readouterr().err
    assert _run(["users", "add", "x", "--password-stdin"], pw, monkeypatch) == 2
    assert "invalid username" in capsys.readouterr().err
    assert _run(["users", "add", "eve", "--role", "boss", "--password-stdin"], pw, monkeypatch) == 2
    assert "accepted: admin, trader, viewer" in capsys.readouterr().err
    assert _run(["users", "link", "dana", "--slack", "U0DANA"], "", monkeypatch) == 0
    assert _run(["users", "role", "dana", "viewer"], "", monkeypatch) == 0
    assert _run(["users", "token", "dana", "--name", "laptop"], "", monkeypatch) == 0
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    accounts = AccountStore(tmp_path / "accounts.sqlite")
    assert accounts.user_for("slack", "U0DANA").role.value == "viewer"
    assert accounts.token_user(secret).username == "dana"
    assert accounts.authenticate("dana", pw.strip()).username == "dana"
    token_id = accounts.tokens("dana")[0].id
    assert _run(["users", "revoke", token_id], "", monkeypatch) == 0
    with pytest.raises(Exception, match="revoked"):
        accounts.token_user(secret)
    assert _run(["users", "disable", "dana"], "", monkeypatch) == 0
    assert accounts.user_for("slack", "U0DANA") is None
    assert _run(["users", "list"], "", monkeypatch) == 0
    assert "dana  viewer (disabled)  slack:U0DANA" in capsys.readouterr().out


def test_day_levels_for_a_live_session_use_only_earlier_daily_bars():
    source = FileSource(samples_dir())
    daily = source.bars("SPY", "1d")
    # the session after the last daily bar: its previous close is the last close
    last = daily.index[-1].date()
    nxt = last + dt.timedelta(days=3 if last.weekday() == 4 else 1)
    (pc, atr) = day_levels(source, ["SPY"], nxt)["SPY"]
    assert pc == pytest.approx(float(daily["close"].iloc[-1]))
    # Wilder ATR(14) by hand over the file, as of the last bar
    assert atr == pytest.approx(round(hand_wilder_atr(daily), 2), abs=0.011)
    # a day inside the history uses the close before it, not the day's own
    (pc_mid, _) = day_levels(source, ["SPY"], dt.date(2019, 6, 12))["SPY"]
    assert pc_mid == pytest.approx(288.90)


def test_watch_without_a_streaming_provider_says_how_to_get_one(tmp_path):
    source = FileSource(samples_dir())
    monitor = Monitor(SqliteAlertStore(tmp_path / "a.sqlite"), source, lambda d, m: None)
    with pytest.raises(DataError, match="WHISPR_DATA_PROVIDER to schwab, alpaca or polygon"):
        asyncio.run(watch_live(monitor, source, ["SPY"]))


def test_watch_command_reports_the_missing_provider(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WHISPR_HOME", str(tmp_path))
    monkeypatch.delenv("WHISPR_DATA_PROVIDER", raising=False)
    assert main(["watch", "SPY"]) == 2
    assert "streaming provider" in capsys.readouterr().err


def test_slack_manifest_is_shipped_with_the_package():
    import integrations

    assert (Path(integrations.__file__).parent / "slack_manifest.yaml").is_file()


def test_a_slack_that_cannot_start_does_not_stop_the_web_app(tmp_path):
    """Bolt checks the bot token with Slack at start; unreachable, the web still serves."""
    from dataclasses import replace

    from integrations.chat.settings import ChannelSettings
    from integrations.web.serve import banner, build_server

    settings = replace(
        ChannelSettings(home=tmp_path, provider="offline"),
        slack_bot_token="xoxb-unreachable",
        slack_signing_secret="s3cret",
    )
    server = build_server(settings)
    text = banner(server)
    assert "NOT Slack events" in text and "xoxb-unreachable" not in text
    from fastapi.testclient import TestClient

    assert TestClient(server.app).get("/health").json() == {"status": "ok"}


def _start_serve(env: dict[str, str], *unset: str) -> subprocess.Popen[str]:
    """Start ``whispr serve`` with ``env`` minus LLM and Slack keys (and ``unset``); its stdout
    (stderr merged) is a text pipe."""
    for key in ("LLM_PROVIDER", "OPENAI_API_KEY", "GROQ_API_KEY", "SLACK_BOT_TOKEN", *unset):
        env.pop(key, None)
    return subprocess.Popen(
        [sys.executable, "-m", "integrations.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_binds_before_announcing_and_one_state_folder_has_one_server(tmp_path):
    """Issue #12 defect 9: "running at" was printed before the port was bound, and two servers
    could run on one state folder (both delivering alerts, racing on the files)."""
    port = _free_port()
    env = {**os.environ, "WHISPR_HOME": str(tmp_path), "WHISPR_PORT": str(port)}
    for key in ("LLM_PROVIDER", "OPENAI_API_KEY", "GROQ_API_KEY", "SLACK_BOT_TOKEN"):
        env.pop(key, None)
    cmd = [sys.executable, "-m", "integrations.cli", "serve"]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout.readline().startswith("Whispr is running at")
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # bound already: no retry needed
        second = subprocess.run(
            cmd,
            env={**env, "WHISPR_PORT": str(_free_port())},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1 and "another whispr serve is using" in second.stderr
        taken = subprocess.run(
            cmd,
            env={**env, "WHISPR_HOME": str(tmp_path / "other")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert taken.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in taken.stderr
        assert "running at" not in taken.stdout
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_runs_the_live_engine_on_the_offline_replay_clock(tmp_path):
    """With no provider and no keys, ``whispr serve`` (what ``make run`` starts) replays the
    latest shipped sessions through the live engine: /api/live moves while the page is open."""
    port = _free_port()
    env = {
        **os.environ,
        "WHISPR_HOME": str(tmp_path),
        "WHISPR_PORT": str(port),
        "WHISPR_REPLAY_SPEED": "3600",  # an hour of market time a second
    }
    proc = _start_serve(env, "WHISPR_LIVE", "WHISPR_DATA_PROVIDER")
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert any("live engine on SPX, SPY: a replay of" in line for line in lines), lines
        password = (tmp_path / "first-admin-password.txt").read_text().strip()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.get("/api/live").status_code == 401  # not for anonymous callers
            client.post("/api/login", json={"username": "admin", "password": password})
            first = client.get("/api/live").json()
            for _ in range(50):
                time.sleep(0.1)
                later = client.get("/api/live").json()
                if later["events"] > first["events"] and later["last_tick"] != first["last_tick"]:
                    break
        assert later["mode"] == "replay" and later["state"] == "streaming"
        assert later["events"] > first["events"] and later["last_tick"] != first["last_tick"]
        assert set(later["last_price"]) <= {"SPX", "SPY"} and later["last_price"]
        assert later["replaying"] == ["2026-02-11", "2026-02-12", "2026-02-13"]
        day = later["levels"]["SPX"]["day"]
        session = dt.date.fromisoformat(later["session"])
        daily = FileSource(samples_dir()).bars("SPX", "1d")
        before = daily.loc[: str(session - dt.timedelta(days=1))]
        assert day["previous_close"] == pytest.approx(float(before["close"].iloc[-1]))
        assert day["atr"] == pytest.approx(round(hand_wilder_atr(before), 2), abs=0.011)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
