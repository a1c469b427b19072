"""Shared HTTP plumbing for market-data providers: JSON GETs with rate-limit backoff and clear
errors. Secrets travel in headers (never in URLs, which HTTP libraries log) and are never logged
or echoed in errors."""

from __future__ import annotations

import email.utils
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

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status that caused it, when there was one."""


@dataclass
class Retry:
    """Backoff policy: honour Retry-After on 429, else exponential from ``base`` seconds."""

    attempts: int = 4
    """Requests in all, the first included."""
    base: float = 1.0
    cap: float = 30.0
    """No single wait is longer than this, whatever Retry-After says."""
    sleep: Callable[[float], None] = field(default=time.sleep)
    """Injectable so tests do not wait."""
    clock: Callable[[], float] = field(default=time.time)
    """Epoch seconds now; used to turn an HTTP date or a reset time into a wait."""

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Return the seconds to wait before retry number ``attempt`` (1-based).

        Honours ``Retry-After`` (seconds or an HTTP date), else ``X-RateLimit-Reset`` (epoch
        seconds, Alpaca), else waits ``base * 2**(attempt-1)``; never more than ``cap``.
        """
        headers = response.headers if response is not None else {}
        wait = self._header_wait(headers.get("Retry-After"), headers.get("X-RateLimit-Reset"))
        if wait is None:
            wait = self.base * 2 ** (attempt - 1)
        return min(self.cap, max(0.0, wait))

    def _header_wait(self, retry_after: str | None, reset: str | None) -> float | None:
        if retry_after:
            try:
                return float(retry_after)
            except ValueError:
                try:
                    return email.utils.parsedate_to_datetime(retry_after).timestamp() - self.clock()
                except (TypeError, ValueError):
                    pass
        if reset:
            try:
                return float(reset) - self.clock()
            except ValueError:
                pass
        return None


def page_failure(exc: ProviderError, page: int, received: int) -> ProviderError:
    """Return ``exc`` restated for a paginated fetch that failed on ``page`` (1-based) after
    ``received`` bars, keeping its type (and HTTP status for ``AuthError``)."""
    if page <= 1:
        return exc
    text = f"{exc} (failed on page {page}; {received} bars from earlier pages were discarded)"
    return AuthError(text, exc.status) if isinstance(exc, AuthError) else ProviderError(text)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Return ``text`` with every non-empty secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        for key in ("message", "error", "error_description", "msg"):
            if isinstance(body.get(key), str):
                return body[key][:200]
    return str(body)[:200]


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
    """Return the decoded JSON body of a GET.

    Retries 429 and 5xx answers and connection failures with backoff (see ``Retry``). Raises
    ``AuthError`` (with ``status``) on 401/403 and ``ProviderError`` on anything else that is
    not a JSON 200; messages name the provider, the URL without secrets, and the reason.
    """
    policy = retry or Retry()
    shown = redact(url, secrets)
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
        status = response.status_code
        if status in (401, 403):
            reason = redact(_reason(response), secrets)
            raise AuthError(
                f"{provider}: credentials rejected (HTTP {status}) by {shown}: {reason}", status
            )
        if status == 429 or status >= 500:
            if attempt == policy.attempts:
                kind = "rate limited" if status == 429 else "server error"
                raise ProviderError(
                    f"{provider}: HTTP {status} ({kind}) from {shown} after {attempt} attempts; "
                    "try again later or ask for a shorter range"
                )
            wait = policy.delay(attempt, response)
            log.info("%s: HTTP %s, retrying in %.1fs", provider, status, wait)
            policy.sleep(wait)
            continue
        if status != 200:
            reason = redact(_reason(response), secrets)
            raise ProviderError(f"{provider}: HTTP {status} from {shown}: {reason}")
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(f"{provider}: {shown} answered with malformed JSON") from exc
    raise ProviderError(f"{provider}: no answer from {shown}")  # pragma: no cover
