"""Log records that name the request they belong to, and the JSON format of ``whispr serve``.

The web app's request middleware (``integrations.web.middleware``) binds each request's id and
method with ``bind_request``; ``RequestContextFilter``, on a handler, copies them into every
record logged while the request runs (threads started by ``run_in_threadpool`` see them too:
contextvars are copied). ``JsonFormatter`` writes one object per line with the fields of
``FIELDS`` and nothing else, so extras passed by mistake (a header, a body) never reach the log.

``WHISPR_LOG_FORMAT=json`` makes ``whispr serve`` call ``configure_logging("json")``; the default
(``text``) keeps the human-readable lines ``integrations.cli`` sets up.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass
from typing import Any, TextIO

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
"""The human-readable line (the same as ``integrations.cli``)."""
ACCESS_LOGGER = "whispr.access"
"""The logger of the one line per request (``integrations.web.middleware``)."""
FIELDS = ("request_id", "method", "route", "status", "ms")
"""Request fields of a JSON line after ts, level, logger and message (null when unknown)."""


@dataclass(frozen=True)
class RequestInfo:
    """What every log record of a request carries."""

    request_id: str
    method: str


_CURRENT: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "whispr_request", default=None
)


def bind_request(request_id: str, method: str) -> contextvars.Token[RequestInfo | None]:
    """Mark the records logged from here on (in this context) as the request's; return the
    token that ``unbind_request`` takes."""
    return _CURRENT.set(RequestInfo(request_id, method))


def unbind_request(token: contextvars.Token[RequestInfo | None]) -> None:
    """Undo ``bind_request``."""
    _CURRENT.reset(token)


def current_request() -> RequestInfo | None:
    """Return the request being served in this context, or None outside one."""
    return _CURRENT.get()


class RequestContextFilter(logging.Filter):
    """Give every record ``request_id`` and ``method`` (None outside a request); values already
    on the record (``extra=``) win. Put it on handlers: logger filters miss propagated records."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the fields; never drop a record."""
        info = _CURRENT.get()
        if not hasattr(record, "request_id"):
            record.request_id = info.request_id if info else None
        if not hasattr(record, "method"):
            record.method = info.method if info else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts (UTC, ISO 8601, ms), level, logger, message, the request
    fields of ``FIELDS``, and ``exc`` (the traceback) when an exception is logged."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        stamp = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        out: dict[str, Any] = {
            "ts": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            out[name] = getattr(record, name, None)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(log_format: str, *, stream: TextIO | None = None) -> None:
    """Send every record to ``stream`` (default: stderr) as ``text`` or ``json`` lines, with the
    request fields; replaces the root logger's handlers and keeps its level. ``json`` also logs
    the ``whispr.access`` line of each request (INFO). Only that logger is lowered: other
    libraries' INFO records (an HTTP client's URLs) stay out."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    access = logging.getLogger(ACCESS_LOGGER)
    if log_format == "json" and access.level == logging.NOTSET:
        access.setLevel(logging.INFO)
