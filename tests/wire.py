"""Local HTTP servers that speak remote services' documented wire formats, for tests.

``ChatCompletionsServer`` answers POST ``/v1/chat/completions`` (OpenAI) and
``/openai/v1/chat/completions`` (Groq) with the OpenAI chat-completions JSON: an assistant
message with ``tool_calls`` (finish_reason ``tool_calls``) or with text content, plus ``usage``.
Each reply is produced by a script function given the decoded request body; every request body
is recorded so tests can check what our code sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Script = Callable[[dict[str, Any]], dict[str, Any]]


def tool_call_reply(name: str, args: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    """Return an assistant message that calls one tool."""
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
        ],
    }


def text_reply(text: str) -> dict[str, Any]:
    """Return an assistant message with plain text."""
    return {"role": "assistant", "content": text}


class ChatCompletionsServer:
    """A threaded local chat-completions server; use as a context manager."""

    def __init__(self, script: Script, status: int = 200) -> None:
        self.script = script
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.paths.append(self.path)
                server.headers.append(dict(self.headers))
                if server.status != 200:
                    payload = {
                        "error": {
                            "message": "invalid api key",
                            "type": "invalid_request_error",
                            "code": "invalid_api_key",
                        }
                    }
                    self._send(server.status, payload)
                    return
                message = server.script(body)
                finish = "tool_calls" if message.get("tool_calls") else "stop"
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(server.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "m"),
                        "choices": [
                            {
                                "index": 0,
                                "message": message,
                                "finish_reason": finish,
                                "logprobs": None,
                            }
                        ],
                        "usage": {
                            "prompt_tokens": 1000,
                            "completion_tokens": 50,
                            "total_tokens": 1050,
                        },
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ChatCompletionsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


Handler = Callable[
    [str, dict[str, list[str]], dict[str, str], bytes], tuple[int, Any, dict[str, str]]
]


class JsonServer:
    """A threaded local HTTP server routing ``(method, path)`` to a handler that returns
    ``(status, json_body_or_text, headers)``. Every request is recorded as
    ``(method, path, query, headers, body)``."""

    def __init__(self, routes: dict[tuple[str, str], Handler]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, dict[str, list[str]], dict[str, str], bytes]] = []
        server = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append((method, parts.path, query, headers, body))
                handler = server.routes.get((method, parts.path))
                if handler is None:
                    status, payload, extra = 404, {"error": "not found"}, {}
                else:
                    status, payload, extra = handler(parts.path, query, headers, body)
                data = (
                    payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> JsonServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
