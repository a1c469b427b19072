"""Shared HTTP plumbing for market-data providers: JSON GETs with rate-limit backoff and clear
errors. Secrets travel in headers or query parameters and are never logged or echoed in errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import DataError

log = logging.getLogger(__name__)


class ProviderError(DataError):
    """A market-data provider refused or failed a request; the message says which and why."""


class AuthError(ProviderError):
    """The provider rejected the credentials (HTTP 401/403) or a token cannot be refreshed."""


@dataclass
class Retry:
    """Backoff policy: honour Retry-After on 429, else exponential from ``base`` seconds."""

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep)
    """Injectable so tests do not wait."""

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Return the seconds to wait before retry number ``attempt`` (1-based)."""
        header = response.headers.get("Retry-After") if response is not None else None
        if header:
            try:
                return min(self.cap, max(0.0, float(header)))
            except ValueError:
                pass
        return min(self.cap, self.base * 2 ** (attempt - 1))


def _redact(url: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            url = url.replace(secret, "***")
    return url


def get_json(
    client: httpx.Client,
    provider: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    retry: Retry | None = None,
    secrets: tuple[str, ...] = (),
) -> Any:
    """Return the decoded JSON of a GET; retry 429 and 5xx with backoff; raise ``AuthError`` on
    401/403 and ``ProviderError`` on anything else that is not a JSON 200."""
    policy = retry or Retry()
    shown = _redact(url, secrets)
    for attempt in range(1, policy.attempts + 1):
        try:
            response = client.get(url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            if attempt == policy.attempts:
                raise ProviderError(
                    f"{provider}: cannot reach {shown} ({exc.__class__.__name__})"
                ) from exc
            policy.sleep(policy.delay(attempt, None))
            continue
        if response.status_code in (401, 403):
            raise AuthError(
                f"{provider}: credentials rejected (HTTP {response.status_code}) by {shown}"
            )
        if response.status_code == 429 or response.status_code >= 500:
            if attempt == policy.attempts:
                raise ProviderError(
                    f"{provider}: HTTP {response.status_code} from {shown} after "
                    f"{attempt} attempts (rate limit or outage)"
                )
            wait = policy.delay(attempt, response)
            log.info("%s: HTTP %s, retrying in %.1fs", provider, response.status_code, wait)
            policy.sleep(wait)
            continue
        if response.status_code != 200:
            raise ProviderError(
                f"{provider}: HTTP {response.status_code} from {shown}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(f"{provider}: {shown} answered with malformed JSON") from exc
    raise ProviderError(f"{provider}: no answer from {shown}")  # pragma: no cover
