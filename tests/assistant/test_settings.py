"""The typed settings: the same names and defaults as before, secrets hidden, env changes seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import ENV_NAMES, MASK, Settings, get_settings, reveal
from core.errors import InvalidArgumentError


def test_defaults_are_the_documented_ones():
    s = Settings.from_env({})
    assert s.home == Path("~/.whispr").expanduser()
    assert s.data_dir is None and s.cache_dir == Path("~/.cache/whispr").expanduser()
    assert s.whispr_data_provider == "files" and s.symbols == ["SPX", "SPY"]
    assert (s.whispr_host, s.whispr_port, s.rate_limit) == ("127.0.0.1", 8000, (60, 3600.0))
    assert s.whispr_session_hours == 168.0 and s.whispr_secure_cookies is False
    assert s.whispr_admin_user == "admin" and s.whispr_admin_password is None
    assert s.llm_provider is None and s.openai_api_key is None
    assert s.whispr_alpaca_feed == "iex" and s.whispr_polygon_base_url == "https://api.polygon.io"


def test_from_env_reads_only_the_mapping(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "from-the-process")
    assert Settings.from_env({}).openai_api_key is None
    assert reveal(Settings.from_env({"OPENAI_API_KEY": "k"}).openai_api_key) == "k"


def test_get_settings_sees_every_change_of_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WHISPR_HOME", str(tmp_path / "a"))
    first = get_settings()
    assert first.home == tmp_path / "a" and get_settings() is first
    monkeypatch.setenv("WHISPR_HOME", str(tmp_path / "b"))
    assert get_settings().home == tmp_path / "b"
    monkeypatch.setenv("WHISPR_SYMBOLS", "$spy, qqq")
    assert get_settings().symbols == ["SPY", "QQQ"]


def test_paths_are_expanded_against_the_current_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    s = Settings.from_env({"WHISPR_SCHWAB_TOKEN_FILE": "~/t.json"})
    assert s.schwab_token_file == tmp_path / "t.json"


def test_blank_values_count_as_unset_and_values_are_stripped():
    s = Settings.from_env({"WHISPR_HOME": "  ", "LLM_PROVIDER": " groq ", "GROQ_API_KEY": ""})
    assert s.whispr_home == Path("~/.whispr") and s.llm_provider == "groq"
    assert s.groq_api_key is None


def test_flags_and_numbers_read_as_before():
    for text, on in (("1", True), ("TRUE", True), ("yes", True), ("0", False), ("on", False)):
        assert Settings.from_env({"WHISPR_SECURE_COOKIES": text}).whispr_secure_cookies is on
    s = Settings.from_env({"WHISPR_PORT": "9000", "WHISPR_SESSION_HOURS": "1.5"})
    assert (s.whispr_port, s.whispr_session_hours) == (9000, 1.5)
    assert Settings.from_env({"WHISPR_RATE_LIMIT": "5/30"}).rate_limit == (5, 30.0)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WHISPR_PORT": "70000"}, "WHISPR_PORT must be a port number 0-65535, got '70000'"),
        ({"WHISPR_SESSION_HOURS": "a week"}, "WHISPR_SESSION_HOURS must be a number"),
        ({"WHISPR_RATE_LIMIT": "lots"}, "invalid rate limit 'lots'"),
    ],
)
def test_an_invalid_value_names_the_variable(env, message):
    with pytest.raises(InvalidArgumentError, match=message):
        Settings.from_env(env)


def test_secrets_never_show_in_repr_or_redacted():
    secret = "xoxb-0123456789-abcdef"
    s = Settings.from_env({"SLACK_BOT_TOKEN": secret, "WHISPR_ADMIN_PASSWORD": secret})
    assert secret not in repr(s) and secret not in str(s.redacted())
    assert s.redacted()["slack and discord"]["SLACK_BOT_TOKEN"] == MASK
    assert s.redacted()["slack and discord"]["DISCORD_BOT_TOKEN"] is None
    assert reveal(s.slack_bot_token) == secret


def test_every_variable_is_shown_once_under_its_environment_name():
    shown = [name for group in Settings.from_env({}).redacted().values() for name in group]
    assert sorted(shown) == sorted(ENV_NAMES) and len(set(shown)) == len(shown)
    assert all(name == name.upper() for name in ENV_NAMES)


def test_no_dotenv_file_is_read(monkeypatch, tmp_path):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    (tmp_path / ".env").write_text("GROQ_API_KEY=from-a-file\n")
    monkeypatch.chdir(tmp_path)
    assert Settings().groq_api_key is None and get_settings().groq_api_key is None
