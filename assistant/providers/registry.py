"""Choose and build the chat model by name: offline, openai, groq, openai-compatible.

Keys and endpoints come from the settings (``assistant.settings``: the environment, never
files, never logged):
``LLM_PROVIDER`` (offline|openai|groq|openai-compatible), ``LLM_MODEL``, ``OPENAI_API_KEY``,
``OPENAI_BASE_URL``, ``GROQ_API_KEY``, ``GROQ_BASE_URL``, ``WHISPR_LLM_BASE_URL`` and
``WHISPR_LLM_API_KEY`` (any OpenAI-compatible server: Ollama, vLLM, llama.cpp).
Without a provider setting, a set OPENAI_API_KEY selects openai, a set GROQ_API_KEY groq, and
otherwise the offline planner runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from langchain_core.language_models import BaseChatModel
from langchain_groq import ChatGroq
from langchain_openai import ChatOpenAI

from assistant.providers.offline import OfflinePlanner
from assistant.settings import get_settings, reveal
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
    """Return the provider to use: the explicit name, ``LLM_PROVIDER``, a key's presence, or offline.

    ``env`` replaces the process environment (see ``assistant.settings.get_settings``).
    """
    settings = get_settings(env)
    chosen = (name or settings.llm_provider or "").strip().lower()
    if not chosen:
        if settings.openai_api_key:
            return "openai"
        if settings.groq_api_key:
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
    """Return the chat model for ``provider``; raise ``MissingKeyError`` naming the setting.

    ``env`` replaces the process environment (see ``assistant.settings.get_settings``).
    """
    settings = get_settings(env)
    model = settings.llm_model or DEFAULT_MODELS.get(provider, "")
    if provider == "offline":
        return OfflinePlanner()
    if provider == "openai":
        key = reveal(settings.openai_api_key)
        if not key:
            raise MissingKeyError(
                "provider openai needs OPENAI_API_KEY (or use --provider offline)"
            )
        return ChatOpenAI(
            model=model,
            api_key=key,
            base_url=settings.openai_base_url,
            stream_usage=True,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout=timeout,
            max_retries=max_retries,
        )
    if provider == "groq":
        key = reveal(settings.groq_api_key)
        if not key:
            raise MissingKeyError("provider groq needs GROQ_API_KEY (or use --provider offline)")
        # ChatGroq's model field has no default, and the pydantic mypy plugin types its
        # ``__init__`` by field names (populate_by_name), so the field name is used here.
        return ChatGroq(
            model_name=model,
            api_key=key,
            base_url=settings.groq_base_url,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout=timeout,
            max_retries=max_retries,
        )
    base = settings.whispr_llm_base_url
    if not base:
        raise MissingKeyError(
            "provider openai-compatible needs WHISPR_LLM_BASE_URL, e.g. http://localhost:11434/v1"
        )
    return ChatOpenAI(
        model=model,
        api_key=reveal(settings.whispr_llm_api_key) or "not-needed",
        base_url=base,
        temperature=temperature,
        max_tokens=max_tokens,
        timeout=timeout,
        max_retries=max_retries,
    )
