"""A local server speaking Polygon's aggregates wire format, serving real bars from a frame.

GET ``/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}`` (from/to as epoch ms
or YYYY-MM-DD) answers ``{"status": "OK", "results": [{"t","o","h","l","c","v","vw","n"}],
"next_url": ...}`` with at most ``page_size`` results per page, like Polygon's ``limit``. The key
must arrive as ``Authorization: Bearer <key>``; a wrong one gets Polygon's 401 body. ``fail`` may
answer any request with an error instead (e.g. a 429 or a 500 for a given range).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from tests import wire

Reply = tuple[int, dict[str, Any], dict[str, str]]
POLL = 0.02
"""Seconds between shutdown checks of a serving thread (http.server's default 0.5 s would add
half a second to every test)."""


class JsonServer(wire.JsonServer):
    """``tests.wire.JsonServer`` (routes by method and path) that shuts down promptly."""

    def __init__(self, routes: dict[tuple[str, str], wire.Handler]) -> None:
        super().__init__(routes)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": POLL}, daemon=True
        )


def _ms(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int(pd.Timestamp(text, tz="America/New_York").value // 1_000_000)


class FakePolygon:
    """A threaded local Polygon aggregates server; use as a context manager."""

    def __init__(self, bars: pd.DataFrame, key: str = "pk", page_size: int = 50) -> None:
        self.key = key
        self.page_size = page_size
        self.rows = [
            {
                "t": int(t.value // 1_000_000),
                "o": r.open,
                "h": r.high,
                "l": r.low,
                "c": r.close,
                "v": r.volume,
                "vw": r.close,
                "n": 10,
            }
            for t, r in bars.iterrows()
        ]
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        """Every request as (path, query, lower-cased headers)."""
        self.ranges: list[tuple[int, int]] = []
        """(from_ms, to_ms) of every first-page request, in order."""
        self.fail: Callable[[int, int, dict[str, list[str]]], Reply | None] = lambda *a: None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append((parts.path, query, headers))
                status, body, extra = server.answer(parts.path, query, headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": POLL}, daemon=True
        )

    def answer(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        """Return (status, JSON body, extra headers) for one aggregates request."""
        if headers.get("authorization") != f"Bearer {self.key}":
            return 401, {"status": "ERROR", "request_id": "r", "error": "Unknown API Key"}, {}
        parts = path.split("/")
        if len(parts) != 10 or parts[1:4] != ["v2", "aggs", "ticker"] or parts[5] != "range":
            return 404, {"status": "NOT_FOUND", "message": "no such route"}, {}
        ticker, lo, hi = parts[4], _ms(parts[8]), _ms(parts[9])
        if "cursor" not in query:
            self.ranges.append((lo, hi))
        failure = self.fail(lo, hi, query)
        if failure is not None:
            return failure
        rows = [r for r in self.rows if lo <= r["t"] <= hi]
        offset = int(query.get("cursor", ["0"])[0])
        page = rows[offset : offset + self.page_size]
        body: dict[str, Any] = {
            "ticker": ticker,
            "queryCount": len(rows),
            "resultsCount": len(page),
            "adjusted": False,
            "status": "OK",
            "request_id": "r",
            "count": len(page),
        }
        if page:
            body["results"] = page
        if offset + self.page_size < len(rows):
            body["next_url"] = f"{self.url}{path}?cursor={offset + self.page_size}"
        return 200, body, {}

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
