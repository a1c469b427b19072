"""Choose and build the chat model by name: offline, openai, groq, openai-compatible.

Keys and endpoints come from the environment (never from files, never logged):
``LLM_PROVIDER`` (offline|openai|groq|openai-compatible), ``LLM_MODEL``, ``OPENAI_API_KEY``,
``OPENAI_BASE_URL``, ``GROQ_API_KEY``, ``GROQ_BASE_URL``, ``WHISPR_LLM_BASE_URL`` and
``WHISPR_LLM_API_KEY`` (any OpenAI-compatible server: Ollama, vLLM, llama.cpp).
Without a provider setting, a set OPENAI_API_KEY selects openai, a set GROQ_API_KEY groq, and
otherwise the offline planner runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from langchain_core.language_models import BaseChatModel
from langchain_groq import ChatGroq
from langchain_openai import ChatOpenAI

from assistant.providers.offline import OfflinePlanner
from core.errors import InvalidArgumentError, WhisprError

PROVIDERS = ("offline", "openai", "groq", "openai-compatible")
DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "groq": "llama-3.1-8b-instant",
    "openai-compatible": "llama3.1",
}


class MissingKeyError(WhisprError):
    """A provider was chosen but its API key or endpoint is not configured."""


def choose_provider(name: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Return the provider to use: the explicit name, ``LLM_PROVIDER``, a key's presence, or offline."""
    env = os.environ if env is None else env
    chosen = (name or env.get("LLM_PROVIDER") or "").strip().lower()
    if not chosen:
        if env.get("OPENAI_API_KEY"):
            return "openai"
        if env.get("GROQ_API_KEY"):
            return "groq"
        return "offline"
    if chosen not in PROVIDERS:
        raise InvalidArgumentError(f"unknown provider {chosen!r}; accepted: {', '.join(PROVIDERS)}")
    return chosen


def build_model(
    provider: str,
    env: Mapping[str, str] | None = None,
    *,
    temperature: float = 0.0,
    max_tokens: int = 700,
    timeout: float = 60.0,
    max_retries: int = 2,
) -> BaseChatModel:
    """Return the chat model for ``provider``; raise ``MissingKeyError`` naming the setting."""
    env = os.environ if env is None else env
    model = env.get("LLM_MODEL") or DEFAULT_MODELS.get(provider, "")
    common = {
        "temperature": temperature,
        "max_tokens": max_tokens,
        "timeout": timeout,
        "max_retries": max_retries,
    }
    if provider == "offline":
        return OfflinePlanner()
    if provider == "openai":
        key = env.get("OPENAI_API_KEY")
        if not key:
            raise MissingKeyError(
                "provider openai needs OPENAI_API_KEY (or use --provider offline)"
            )
        return ChatOpenAI(
            model=model,
            api_key=key,
            base_url=env.get("OPENAI_BASE_URL") or None,
            stream_usage=True,
            **common,
        )
    if provider == "groq":
        key = env.get("GROQ_API_KEY")
        if not key:
            raise MissingKeyError("provider groq needs GROQ_API_KEY (or use --provider offline)")
        return ChatGroq(
            model=model, api_key=key, base_url=env.get("GROQ_BASE_URL") or None, **common
        )
    base = env.get("WHISPR_LLM_BASE_URL")
    if not base:
        raise MissingKeyError(
            "provider openai-compatible needs WHISPR_LLM_BASE_URL, e.g. http://localhost:11434/v1"
        )
    return ChatOpenAI(
        model=model, api_key=env.get("WHISPR_LLM_API_KEY") or "not-needed", base_url=base, **common
    )
