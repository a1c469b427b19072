"""Request and response bodies of the HTTP API (they also document it at ``/docs``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

THREAD_PATTERN = r"^[A-Za-z0-9_.:-]{1,80}$"
TITLE_MAX = 120


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_Strict):
    """Credentials for ``POST /api/login``."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Me(BaseModel):
    """The authenticated user."""

    username: str
    role: str
    permissions: list[str]


class AskBody(_Strict):
    """A question for the assistant."""

    question: str = Field(min_length=1, max_length=2000, description="Plain-language question.")
    thread: str | None = Field(
        default=None,
        pattern=THREAD_PATTERN,
        description="Your thread id (keeps memory); omit to start a new thread.",
    )


class ToolCall(BaseModel):
    """One tool the assistant ran for this answer."""

    name: str
    args: dict[str, Any]
    status: str
    result: Any = None


class AskReply(BaseModel):
    """The assistant's answer with the tools behind it."""

    answer: str
    thread: str
    status: str = Field(description="ok, error, rate_limited, invalid or forbidden.")
    tool_calls: list[ToolCall]
    grounded: bool
    provider: str
    latency_ms: float
    retry_after: float
    blocks: list[dict[str, Any]] = Field(
        description="The answer as {kind: text|table|image} pieces for rich rendering."
    )


class ThreadOut(BaseModel):
    """A conversation in the thread list."""

    thread: str
    channel: str
    title: str
    created: float
    updated: float


class ThreadRename(_Strict):
    """A conversation's new title."""

    title: str = Field(
        description=f"The new title: 1-{TITLE_MAX} characters once leading and trailing "
        "spaces are trimmed."
    )

    @field_validator("title")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= TITLE_MAX:
            raise ValueError(
                f"title must be 1-{TITLE_MAX} characters after trimming spaces (got {len(value)})"
            )
        return value


class ThreadDetail(BaseModel):
    """A conversation with its messages."""

    thread: str
    channel: str
    title: str
    messages: list[dict[str, Any]]


class TokenBody(_Strict):
    """A new API token's label."""

    name: str = Field(default="token", min_length=1, max_length=64)


class TokenOut(BaseModel):
    """An API token (the secret only once, at creation)."""

    id: str
    username: str
    name: str
    created: float
    last_used: float | None = None
    revoked: float | None = None
    token: str | None = Field(default=None, description="The secret; shown only at creation.")


class NewUser(_Strict):
    """An account to create (admins only)."""

    username: str = Field(min_length=2, max_length=32)
    password: str = Field(min_length=8, max_length=256)
    role: Literal["admin", "trader", "viewer"] = "trader"


class UserChange(_Strict):
    """Changes to an account (admins only); omitted fields stay."""

    role: Literal["admin", "trader", "viewer"] | None = None
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


class UserOut(BaseModel):
    """An account as listed."""

    username: str
    role: str
    disabled: bool
    identities: list[dict[str, str]] = Field(default_factory=list)


class IdentityBody(_Strict):
    """A Slack or Discord user id to map to an account."""

    channel: Literal["slack", "discord"]
    external_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class AuditOut(BaseModel):
    """One audit-log entry."""

    id: int
    ts: float
    username: str
    channel: str
    event: str
    tool: str | None
    args: dict[str, Any] | None
    outcome: str


class ToolInfo(BaseModel):
    """A tool the assistant can call."""

    name: str
    description: str
    parameters: dict[str, Any]
