"""Whispr's settings: one typed object read from the environment, never from a file.

Every variable Whispr reads is a field here, under its environment name (the field's alias),
grouped by what it configures; each group is a class below with its own docstring. Secrets are
``SecretStr`` (``'**********'`` in ``repr``, ``None`` when unset) and are never printed:
``Settings.redacted()`` is what ``whispr config`` shows.

Values are stripped, and a blank value counts as unset (its default applies). Paths are kept
as written (``~/.whispr``) and expanded by the properties that use them (``home``,
``cache_dir``, ...), so a changed ``HOME`` is seen.

Use ``get_settings()`` for the process environment (cached per set of values, so a changed
variable is seen at once, e.g. ``monkeypatch.setenv`` in tests) and ``Settings.from_env(env)``
or ``get_settings(env)`` for an explicit mapping. An invalid value raises
``InvalidArgumentError`` naming the variable and what it accepts.
"""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from core.errors import InvalidArgumentError

MASK = "********"
"""What ``redacted()`` shows for a secret that is set."""

_UNITS = {
    "s": 1,
    "second": 1,
    "m": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(text: str) -> tuple[int, float]:
    """Return ``(turns, seconds)`` from ``"60/hour"``, ``"10/minute"`` or ``"5/30"`` (seconds)."""
    try:
        count, unit = text.strip().lower().split("/")
        seconds = float(unit) if unit.replace(".", "", 1).isdigit() else _UNITS[unit.rstrip("s")]
        turns = int(count)
    except (ValueError, KeyError):
        raise InvalidArgumentError(
            f"invalid rate limit {text!r}; use N/second, N/minute, N/hour, N/day or N/SECONDS"
        ) from None
    if turns < 1 or seconds <= 0:
        raise InvalidArgumentError(f"invalid rate limit {text!r}: both numbers must be positive")
    return turns, float(seconds)


def reveal(secret: SecretStr | None) -> str | None:
    """Return the plain value of a secret setting, or None when it is unset."""
    return None if secret is None else secret.get_secret_value()


class _Group(BaseModel):
    title: ClassVar[str] = ""
    """The group's heading in ``whispr config``."""


class Storage(_Group):
    """Where Whispr keeps its state and finds bars."""

    title: ClassVar[str] = "storage"
    whispr_home: Path = Field(
        Path("~/.whispr"),
        alias="WHISPR_HOME",
        description="threads, strategies, alerts (SQLite), vectors (Chroma), charts",
    )
    whispr_data_dir: Path | None = Field(
        None, alias="WHISPR_DATA_DIR", description="folder of bar files; unset: the samples"
    )
    whispr_cache_dir: Path = Field(
        Path("~/.cache/whispr"),
        alias="WHISPR_CACHE_DIR",
        description="Parquet cache in front of the remote providers",
    )
    whispr_chroma_url: str | None = Field(
        None, alias="WHISPR_CHROMA_URL", description="a Chroma server instead of the embedded store"
    )


class MarketData(_Group):
    """Which market-data provider serves bars, and the symbols a remote one offers."""

    title: ClassVar[str] = "market data"
    whispr_data_provider: str = Field(
        "files", alias="WHISPR_DATA_PROVIDER", description="files, schwab, alpaca or polygon"
    )
    whispr_symbols: str = Field(
        "SPX,SPY", alias="WHISPR_SYMBOLS", description="comma list of a remote provider's symbols"
    )
    whispr_live: str = Field(
        "auto",
        alias="WHISPR_LIVE",
        description="whispr serve's live engine: auto (the provider's stream, else a replay), "
        "replay or off",
    )
    whispr_replay_speed: float = Field(
        60.0, alias="WHISPR_REPLAY_SPEED", description="replay clock: x real time (60 = 1h/min)"
    )
    whispr_replay_sessions: int = Field(
        3, alias="WHISPR_REPLAY_SESSIONS", description="replay clock: the latest N sessions"
    )


class Schwab(_Group):
    """Charles Schwab Trader API (OAuth app and token file)."""

    title: ClassVar[str] = "schwab"
    schwab_client_id: SecretStr | None = Field(None, alias="SCHWAB_CLIENT_ID")
    schwab_client_secret: SecretStr | None = Field(None, alias="SCHWAB_CLIENT_SECRET")
    schwab_redirect_uri: str = Field("https://127.0.0.1:8182", alias="SCHWAB_REDIRECT_URI")
    whispr_schwab_token_file: Path = Field(
        Path("~/.config/whispr/schwab_token.json"),
        alias="WHISPR_SCHWAB_TOKEN_FILE",
        description="OAuth tokens, written with mode 0600",
    )
    whispr_schwab_base_url: str = Field("https://api.schwabapi.com", alias="WHISPR_SCHWAB_BASE_URL")


class Alpaca(_Group):
    """Alpaca market data v2 (no index data)."""

    title: ClassVar[str] = "alpaca"
    apca_api_key_id: SecretStr | None = Field(None, alias="APCA_API_KEY_ID")
    apca_api_secret_key: SecretStr | None = Field(None, alias="APCA_API_SECRET_KEY")
    whispr_alpaca_feed: str = Field(
        "iex", alias="WHISPR_ALPACA_FEED", description="iex (free) or sip (paid)"
    )
    whispr_alpaca_base_url: str = Field(
        "https://data.alpaca.markets", alias="WHISPR_ALPACA_BASE_URL"
    )
    whispr_alpaca_ws_url: str = Field(
        "wss://stream.data.alpaca.markets", alias="WHISPR_ALPACA_WS_URL"
    )


class Polygon(_Group):
    """Polygon.io REST aggregates and streams."""

    title: ClassVar[str] = "polygon"
    polygon_api_key: SecretStr | None = Field(None, alias="POLYGON_API_KEY")
    whispr_polygon_base_url: str = Field("https://api.polygon.io", alias="WHISPR_POLYGON_BASE_URL")
    whispr_polygon_ws_url: str = Field(
        "wss://socket.polygon.io/stocks", alias="WHISPR_POLYGON_WS_URL"
    )
    whispr_polygon_indices_ws_url: str = Field(
        "wss://socket.polygon.io/indices", alias="WHISPR_POLYGON_INDICES_WS_URL"
    )


class LanguageModel(_Group):
    """The assistant's language model. Without ``LLM_PROVIDER``, a set ``OPENAI_API_KEY``
    selects openai, a set ``GROQ_API_KEY`` groq, and otherwise the offline planner runs."""

    title: ClassVar[str] = "language model"
    llm_provider: str | None = Field(
        None, alias="LLM_PROVIDER", description="offline, openai, groq or openai-compatible"
    )
    llm_model: str | None = Field(
        None, alias="LLM_MODEL", description="model name; unset: the provider's default"
    )
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    groq_api_key: SecretStr | None = Field(None, alias="GROQ_API_KEY")
    groq_base_url: str | None = Field(None, alias="GROQ_BASE_URL")
    whispr_llm_base_url: str | None = Field(
        None, alias="WHISPR_LLM_BASE_URL", description="any OpenAI-compatible server"
    )
    whispr_llm_api_key: SecretStr | None = Field(None, alias="WHISPR_LLM_API_KEY")
    whispr_history_turns: int = Field(
        12, alias="WHISPR_HISTORY_TURNS", description="turns of a thread the model sees"
    )
    whispr_prompt_tokens: int = Field(
        24_000, alias="WHISPR_PROMPT_TOKENS", description="est. tokens of thread shown per call"
    )
    whispr_turn_tokens: int = Field(
        60_000, alias="WHISPR_TURN_TOKENS", description="model tokens one turn may spend"
    )
    whispr_keep_turns: int = Field(
        40, alias="WHISPR_KEEP_TURNS", description="turns kept in a stored thread"
    )


class Web(_Group):
    """``whispr serve``: where it listens, turn limits, logins and the first admin."""

    title: ClassVar[str] = "web"
    whispr_host: str = Field("127.0.0.1", alias="WHISPR_HOST")
    whispr_port: int = Field(8000, alias="WHISPR_PORT")
    whispr_rate_limit: str = Field(
        "60/hour", alias="WHISPR_RATE_LIMIT", description="LLM turns per user: N/second|minute|..."
    )
    whispr_abuse_limit: str = Field(
        "600/hour",
        alias="WHISPR_ABUSE_LIMIT",
        description="every turn per user, offline ones included (flood guard)",
    )
    whispr_session_hours: float = Field(
        168.0, alias="WHISPR_SESSION_HOURS", description="web login lifetime"
    )
    whispr_max_inflight: int = Field(
        64, alias="WHISPR_MAX_INFLIGHT", description="API requests served at once; more wait"
    )
    whispr_queue_wait: float = Field(
        0.5, alias="WHISPR_QUEUE_WAIT", description="seconds a request waits, then 503"
    )
    whispr_secure_cookies: bool = Field(
        False, alias="WHISPR_SECURE_COOKIES", description="1, true or yes behind HTTPS"
    )
    whispr_admin_user: str = Field("admin", alias="WHISPR_ADMIN_USER")
    whispr_admin_password: SecretStr | None = Field(
        None, alias="WHISPR_ADMIN_PASSWORD", description="unset: generated into WHISPR_HOME"
    )


class ChatBots(_Group):
    """Slack (Socket Mode needs the app token, HTTP mode the signing secret) and Discord."""

    title: ClassVar[str] = "slack and discord"
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    discord_bot_token: SecretStr | None = Field(None, alias="DISCORD_BOT_TOKEN")


class Operations(_Group):
    """Running ``whispr serve`` in production: log format and who may read ``/metrics``."""

    title: ClassVar[str] = "operations"
    whispr_log_format: str = Field(
        "text",
        alias="WHISPR_LOG_FORMAT",
        description="text (for people) or json (one object a line)",
    )
    whispr_metrics_public: bool = Field(
        False,
        alias="WHISPR_METRICS_PUBLIC",
        description="1: anyone may read /metrics; unset: admins only",
    )


GROUPS: tuple[type[_Group], ...] = (
    Storage,
    MarketData,
    Schwab,
    Alpaca,
    Polygon,
    LanguageModel,
    Web,
    ChatBots,
    Operations,
)
"""The field groups, in the order ``whispr config`` prints them."""

_ONLY_ARGUMENTS = contextvars.ContextVar("whispr_settings_only_arguments", default=False)
"""True while ``Settings.from_env`` builds: the process environment is not read."""


class Settings(
    BaseSettings,
    Storage,
    MarketData,
    Schwab,
    Alpaca,
    Polygon,
    LanguageModel,
    Web,
    ChatBots,
    Operations,
):
    """Every setting Whispr reads, from the environment (no ``.env`` file); frozen."""

    model_config = SettingsConfigDict(
        case_sensitive=True, frozen=True, extra="ignore", populate_by_name=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read keyword arguments, then the environment (not in ``from_env``); no files."""
        return (init_settings,) if _ONLY_ARGUMENTS.get() else (init_settings, env_settings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Return the settings read from ``env`` only (the process environment is ignored).

        Raises:
            InvalidArgumentError: a value is not accepted; the message names the variable.
        """
        names = {field.alias or name for name, field in cls.model_fields.items()}
        values: dict[str, Any] = {name: value for name, value in env.items() if name in names}
        token = _ONLY_ARGUMENTS.set(True)
        try:
            return cls(**values)
        except ValidationError as exc:
            raise InvalidArgumentError(_explain(exc)) from None
        finally:
            _ONLY_ARGUMENTS.reset(token)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            out[key] = value
        return out

    @field_validator("whispr_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> Any:
        text = str(value)
        if not text.isdigit() or not 0 <= int(text) < 65536:
            raise ValueError(f"WHISPR_PORT must be a port number 0-65535, got {text!r}")
        return int(text)

    @field_validator("whispr_session_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"WHISPR_SESSION_HOURS must be a number, got {value!r}") from None

    @field_validator("whispr_secure_cookies", "whispr_metrics_public", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return str(value).lower() in ("1", "true", "yes")

    @field_validator("whispr_live", mode="before")
    @classmethod
    def _live(cls, value: Any) -> Any:
        text = str(value).lower()
        if text not in ("auto", "replay", "off"):
            raise ValueError(f"WHISPR_LIVE must be auto, replay or off, got {value!r}")
        return text

    @field_validator("whispr_replay_speed", mode="before")
    @classmethod
    def _speed(cls, value: Any) -> Any:
        try:
            speed = float(value)
        except ValueError:
            speed = -1.0
        if not speed > 0:
            raise ValueError(f"WHISPR_REPLAY_SPEED must be a number above 0, got {value!r}")
        return speed

    @field_validator("whispr_replay_sessions", mode="before")
    @classmethod
    def _sessions(cls, value: Any) -> Any:
        text = str(value)
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"WHISPR_REPLAY_SESSIONS must be a whole number >= 1, got {text!r}")
        return int(text)

    @field_validator(
        "whispr_history_turns",
        "whispr_prompt_tokens",
        "whispr_turn_tokens",
        "whispr_keep_turns",
        "whispr_max_inflight",
        mode="before",
    )
    @classmethod
    def _counts(cls, value: Any, info: Any) -> Any:
        text = str(value).replace("_", "").strip()
        if not text.isdigit() or int(text) < 1:
            name = f"WHISPR_{info.field_name.removeprefix('whispr_').upper()}"
            raise ValueError(f"{name} must be a whole number >= 1, got {str(value)!r}")
        return int(text)

    @field_validator("whispr_queue_wait", mode="before")
    @classmethod
    def _queue_wait(cls, value: Any) -> Any:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = -1.0
        if not 0 <= seconds <= 60:
            raise ValueError(f"WHISPR_QUEUE_WAIT must be seconds from 0 to 60, got {value!r}")
        return seconds

    @field_validator("whispr_log_format", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> Any:
        text = str(value).lower()
        if text not in ("text", "json"):
            raise ValueError(f"WHISPR_LOG_FORMAT must be text or json, got {value!r}")
        return text

    @field_validator("whispr_rate_limit", "whispr_abuse_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @property
    def home(self) -> Path:
        """Return the state folder (``WHISPR_HOME``), ``~`` expanded."""
        return self.whispr_home.expanduser()

    @property
    def data_dir(self) -> Path | None:
        """Return ``WHISPR_DATA_DIR`` expanded, or None when unset (the samples are used)."""
        return self.whispr_data_dir.expanduser() if self.whispr_data_dir else None

    @property
    def cache_dir(self) -> Path:
        """Return the market-data cache folder (``WHISPR_CACHE_DIR``), ``~`` expanded."""
        return self.whispr_cache_dir.expanduser()

    @property
    def schwab_token_file(self) -> Path:
        """Return the Schwab token file (``WHISPR_SCHWAB_TOKEN_FILE``), ``~`` expanded."""
        return self.whispr_schwab_token_file.expanduser()

    @property
    def symbols(self) -> list[str]:
        """Return ``WHISPR_SYMBOLS`` as upper-case symbols without ``$``/``^``."""
        raw = self.whispr_symbols.split(",")
        return [s.strip().upper().lstrip("$^") for s in raw if s.strip()]

    @property
    def rate_limit(self) -> tuple[int, float]:
        """Return ``WHISPR_RATE_LIMIT`` as ``(turns, seconds)``."""
        return parse_rate(self.whispr_rate_limit)

    @property
    def abuse_limit(self) -> tuple[int, float]:
        """Return ``WHISPR_ABUSE_LIMIT`` as ``(turns, seconds)``."""
        return parse_rate(self.whispr_abuse_limit)

    def redacted(self) -> dict[str, dict[str, Any]]:
        """Return every setting by group title and environment name, secrets masked.

        A secret that is set is ``MASK``; an unset value (secret or not) is None. Other values
        are JSON types (paths and URLs as strings).
        """
        plain = self.model_dump(mode="json")
        out: dict[str, dict[str, Any]] = {}
        for group in GROUPS:
            out[group.title] = {
                field.alias or name: MASK
                if isinstance(getattr(self, name), SecretStr)
                else plain[name]
                for name, field in group.model_fields.items()
            }
        return out


ENV_NAMES: tuple[str, ...] = tuple(
    field.alias or name for name, field in Settings.model_fields.items()
)
"""Every environment variable the settings read."""


def _explain(exc: ValidationError) -> str:
    reasons = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "settings"
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, ValueError):
            reasons.append(str(cause))
        else:
            reasons.append(f"{name}: {error['msg']}")
    return "; ".join(reasons)


def get_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Return the settings of ``env`` (default: the process environment).

    Cached on the values of ``ENV_NAMES``, so the same environment gives the same object and a
    changed variable gives new settings.

    Raises:
        InvalidArgumentError: a value is not accepted; the message names the variable.
    """
    source = os.environ if env is None else env
    return _cached(tuple(source.get(name) for name in ENV_NAMES))


@functools.lru_cache(maxsize=16)
def _cached(values: tuple[str | None, ...]) -> Settings:
    return Settings.from_env(
        {name: value for name, value in zip(ENV_NAMES, values, strict=True) if value is not None}
    )
