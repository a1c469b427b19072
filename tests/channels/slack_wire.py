"""A local Slack for tests: a threaded HTTP server speaking the Slack Web API wire format, a
Socket Mode WebSocket server, and Slack's request signing.

``FakeSlack`` answers ``POST /api/<method>`` (form-encoded or JSON, as slack-sdk sends them)
with ``{"ok": true, ...}`` and records every call, including the upload of a file to the URL
that ``files.getUploadURLExternal`` hands out and every POST to a ``response_url``. With
``socket=True`` it also runs a WebSocket server and ``apps.connections.open`` points at it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import queue
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

BOT_USER = "UWHISPRBOT"
BOT_ID = "BWHISPR"


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Return the headers Slack adds to a request: timestamp and ``v0=`` HMAC-SHA256 signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": ts, "x-slack-signature": f"v0={digest}"}


@dataclass
class Call:
    """One request that reached the fake Slack."""

    method: str
    """Web API method (``chat.postMessage``), ``upload`` or ``response_url``."""
    args: dict[str, Any]
    body: bytes = b""
    reply: dict[str, Any] | None = None
    """What the fake answered (Web API calls only)."""


def _decode(args: dict[str, Any]) -> dict[str, Any]:
    """Return form args with JSON-encoded values (``blocks``, ``files``) decoded."""
    out = {}
    for key, value in args.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[key] = value
    return out


class FakeSlack:
    """A threaded local Slack; use as a context manager. ``base_url`` ends without a slash."""

    def __init__(self, socket: bool = False) -> None:
        self.calls: list[Call] = []
        self.reject_blocks = False
        """When set, messages with blocks fail like Slack's ``invalid_blocks`` error."""
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.api_url = self.base_url + "/api/"
        self.socket = SocketModeServer() if socket else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def do_POST(self) -> None:  # http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = fake.handle(self.path, self.headers.get("Content-Type", ""), raw)
                data = (
                    payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def handle(self, path: str, content_type: str, raw: bytes) -> tuple[int, Any]:
        """Record one request and return (status, JSON payload or text) as Slack would."""
        if path.startswith("/upload/"):
            self._record(Call("upload", {"file_id": path.rsplit("/", 1)[1]}, raw))
            return 200, f"OK - {len(raw)}"
        if path.startswith("/respond/"):
            self._record(Call("response_url", json.loads(raw or b"{}"), raw))
            return 200, "ok"
        method = path.removeprefix("/api/").split("?")[0]
        if "json" in content_type:
            args = json.loads(raw or b"{}")
        else:
            args = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        args = _decode(args)
        if self.reject_blocks and args.get("blocks"):
            reply = {"ok": False, "error": "invalid_blocks"}
        else:
            reply = {"ok": True, **self.answer(method, args)}
        self._record(Call(method, args, raw, reply))
        return 200, reply

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Return the method-specific fields of a successful Web API response."""
        if method == "auth.test":
            return {"user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T1", "user": "whispr"}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.update":
            return {"channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in args["files"]]}
        if method == "apps.connections.open" and self.socket is not None:
            return {"url": self.socket.url}
        return {}

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def called(self, method: str) -> list[Call]:
        """Return the recorded calls of ``method``, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        """Return the names of all recorded calls, oldest first."""
        with self._lock:
            return [c.method for c in self.calls]

    def reset(self) -> None:
        """Forget the recorded calls."""
        with self._lock:
            self.calls.clear()
        self.reject_blocks = False

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Return the calls of ``method`` once there are ``count`` of them; raise on timeout."""
        deadline = time.monotonic() + timeout
        while len(calls := self.called(method)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} called {len(calls)} times, expected {count}")
            time.sleep(0.01)
        return calls

    def __enter__(self) -> Self:
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        if self.socket is not None:
            self.socket.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.socket is not None:
            self.socket.stop()
        self._http.shutdown()
        self._http.server_close()


class SocketModeServer:
    """A Socket Mode WebSocket endpoint: sends queued envelopes, records what comes back."""

    def __init__(self) -> None:
        self._server = serve(self._session, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"
        self.received: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stop = threading.Event()

    def _session(self, ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        while not self._stop.is_set():
            try:
                ws.send(json.dumps(self._outbox.get_nowait()))
            except queue.Empty:
                pass
            try:
                self.received.append(json.loads(ws.recv(timeout=0.02)))
            except TimeoutError:
                continue
            except ConnectionClosed:
                return

    def send(self, envelope: dict[str, Any]) -> None:
        """Queue an envelope for the connected client."""
        self._outbox.put(envelope)

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Return the client's acknowledgement of ``envelope_id``; raise on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.received):
                if message.get("envelope_id") == envelope_id:
                    return message
            time.sleep(0.01)
        raise TimeoutError(f"no ack for envelope {envelope_id}")

    def start(self) -> None:
        """Serve in a daemon thread."""
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and end open sessions."""
        self._stop.set()
        self._server.shutdown()
