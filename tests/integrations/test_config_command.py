"""``whispr config``: the effective settings, grouped, with every secret redacted."""

from __future__ import annotations

import json

import pytest

from assistant.settings import MASK
from integrations.cli import main
from integrations.marketdata.files import samples_dir

SECRET = "sk-test-6f1c9a0b2d7e4c11"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    for name in ("OPENAI_API_KEY", "GROQ_API_KEY", "SLACK_BOT_TOKEN", "WHISPR_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WHISPR_HOME", str(tmp_path / "home"))


def test_a_set_secret_is_masked_and_named_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-" + SECRET)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert SECRET not in out
    assert f"OPENAI_API_KEY={MASK}" in out and f"SLACK_BOT_TOKEN={MASK}" in out
    assert "GROQ_API_KEY=(not set)" in out
    assert "# language model" in out


def test_the_json_output_masks_secrets_too(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    assert main(["config", "--json"]) == 0
    raw = capsys.readouterr().out
    assert SECRET not in raw
    report = json.loads(raw)
    assert report["settings"]["language model"]["OPENAI_API_KEY"] == MASK
    assert report["settings"]["language model"]["GROQ_API_KEY"] is None
    assert report["home_dir"] == str(tmp_path / "home")
    assert report["data_dir"] == str(samples_dir())


def test_a_non_secret_value_is_printed_as_set(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("WHISPR_RATE_LIMIT", "10/minute")
    monkeypatch.setenv("WHISPR_DATA_DIR", str(tmp_path / "bars"))
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "WHISPR_RATE_LIMIT=10/minute" in out.splitlines()
    assert f"WHISPR_DATA_DIR={tmp_path / 'bars'}" in out.splitlines()
    assert f"home directory: {tmp_path / 'home'}" in out
    assert f"data directory: {tmp_path / 'bars'}" in out


def test_an_invalid_value_is_an_error_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("WHISPR_PORT", "eighty")
    assert main(["config"]) == 2
    assert "WHISPR_PORT must be a port number 0-65535, got 'eighty'" in capsys.readouterr().err
