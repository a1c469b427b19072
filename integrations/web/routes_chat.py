"""Routes: ask (JSON and streamed), threads, charts, and the audit log."""

from __future__ import annotations

import contextvars
import json
import logging
import queue
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from core.errors import WhisprError
from integrations.chat.accounts import User
from integrations.chat.service import ChatReply, ChatService
from integrations.web.deps import CSRF_HEADER, Service, require
from integrations.web.schemas import (
    THREAD_PATTERN,
    AskBody,
    AskReply,
    AuditOut,
    ThreadDetail,
    ThreadOut,
    ThreadRename,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])
Asker = Annotated[User, Depends(require("ask"))]
Reader = Annotated[User, Depends(require("threads:read"))]
ThreadId = Annotated[str, Query(pattern=THREAD_PATTERN, description="Your thread id.")]
STATUS_CODES = {"rate_limited": 429, "invalid": 422, "forbidden": 403}
KEEPALIVE_SECONDS = 15.0


def _reply_response(reply: ChatReply) -> JSONResponse:
    code = STATUS_CODES.get(reply.status, 200)
    headers = {"Retry-After": str(max(1, round(reply.retry_after)))} if code == 429 else None
    body = reply.to_dict()
    if code != 200:
        body["error"] = reply.text
    return JSONResponse(body, status_code=code, headers=headers)


@router.post(
    "/api/ask",
    response_model=AskReply,
    responses={429: {"description": "Rate limit reached; see Retry-After"}},
)
def ask(body: AskBody, user: Asker, service: Service) -> JSONResponse:
    """Ask the assistant; the answer comes with the tools it ran and their results."""
    return _reply_response(service.respond(user, "web", body.question, body.thread))


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _chunks(text: str, size: int = 80) -> Iterator[str]:
    for match in re.finditer(rf"[\s\S]{{1,{size}}}(?:\s|$)|[\s\S]{{1,{size}}}", text):
        yield match.group(0)


def _stream(service: ChatService, user: User, question: str, thread: str) -> Iterator[str]:
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            reply = service.respond(
                user, "web", question, thread, on_progress=lambda e, d: events.put((e, d))
            )
        except Exception as exc:  # the stream must end with an answer, never keep-alives forever
            log.exception("ask stream failed for %s", user.username)
            message = (
                str(exc) if isinstance(exc, WhisprError) else "the answer failed; it was logged"
            )
            events.put(("error", message))
            return
        events.put(("done", reply))

    context = contextvars.copy_context()  # the turn's log records keep the request id
    threading.Thread(
        target=context.run, args=(work,), name=f"ask-{user.username}", daemon=True
    ).start()
    yield _sse("thread", {"thread": thread})
    while True:
        try:
            kind, data = events.get(timeout=KEEPALIVE_SECONDS)
        except queue.Empty:
            yield ": working\n\n"
            continue
        if kind == "error":
            yield _sse("error", {"error": f"I couldn't answer that: {data}"})
            return
        if kind == "tool_call":
            yield _sse("tool", {k: data.get(k) for k in ("name", "args", "status")})
        elif kind == "done":
            for chunk in _chunks(data.text):
                yield _sse("delta", {"text": chunk})
            yield _sse("done", data.to_dict())
            return


@router.get(
    "/api/ask/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask_stream(
    request: Request,
    user: Asker,
    service: Service,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The question.")],
    thread: Annotated[str | None, Query(pattern=THREAD_PATTERN)] = None,
) -> StreamingResponse:
    """Ask and receive Server-Sent Events: ``thread``, one ``tool`` per tool call as it runs,
    ``delta`` pieces of the answer text, then ``done`` with the whole reply (as ``/api/ask``)."""
    if "authorization" not in request.headers and request.headers.get(CSRF_HEADER) != "1":
        # a GET that acts (runs tools, creates alerts): a cookie alone is not enough
        raise HTTPException(403, "missing X-Whispr-CSRF: 1 header on a cookie-authenticated call")
    thread = thread or uuid.uuid4().hex[:16]
    return StreamingResponse(
        _stream(service, user, q, thread),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/api/threads", response_model=list[ThreadOut])
def list_threads(user: Reader, service: Service) -> list[ThreadOut]:
    """List your conversations, most recent first (web, Slack and Discord alike)."""
    return [
        ThreadOut(thread=t.thread_id, **{k: v for k, v in t.__dict__.items() if k != "thread_id"})
        for t in service.activity.threads(user.username)
    ]


def _own_thread(service: ChatService, user: User, thread_id: str) -> Any:
    info = service.activity.thread(user.username, thread_id[:80])
    if info is None:
        raise HTTPException(404, f"no thread {thread_id[:80]!r} of yours")
    return info


@router.get("/api/threads/{thread_id}", response_model=ThreadDetail)
def get_thread(thread_id: str, user: Reader, service: Service) -> ThreadDetail:
    """Return one of your conversations with its messages and the tools each answer ran."""
    info = _own_thread(service, user, thread_id)
    return ThreadDetail(
        thread=info.thread_id,
        channel=info.channel,
        title=info.title,
        messages=service.activity.messages(user.username, info.thread_id),
    )


@router.patch("/api/threads/{thread_id}", response_model=ThreadOut)
def rename_thread(thread_id: str, body: ThreadRename, user: Asker, service: Service) -> ThreadOut:
    """Rename one of your conversations (the title shown in the thread list)."""
    info = _own_thread(service, user, thread_id)
    service.activity.rename_thread(user.username, info.thread_id, body.title)
    service.activity.audit(
        user.username,
        "web",
        "thread_renamed",
        "success",
        args={"thread": info.thread_id, "title": body.title},
    )
    renamed = service.activity.thread(user.username, info.thread_id) or info
    fields = {k: v for k, v in renamed.__dict__.items() if k != "thread_id"}
    return ThreadOut(thread=renamed.thread_id, **fields)


def _forget_checkpoints(service: ChatService, key: str) -> str:
    """Delete the assistant's checkpoints of ``key`` (``<user>/<thread>``); return what
    happened: ``deleted``, ``none`` (no checkpointer) or ``unsupported`` (the checkpointer
    cannot delete a thread)."""
    if service.checkpointer is None:
        return "none"
    try:
        service.checkpointer.delete_thread(key)
    except NotImplementedError:  # BaseCheckpointSaver's default
        log.warning("checkpointer %s cannot delete threads", type(service.checkpointer).__name__)
        return "unsupported"
    return "deleted"


@router.delete("/api/threads/{thread_id}", status_code=204)
def delete_thread(thread_id: str, user: Asker, service: Service) -> None:
    """Delete one of your conversations and the assistant's memory of it."""
    info = _own_thread(service, user, thread_id)
    # the memory first: should that fail, the thread is still listed and can be deleted again
    checkpoints = _forget_checkpoints(service, f"{user.username}/{info.thread_id}")
    service.activity.delete_thread(user.username, info.thread_id)
    service.activity.audit(
        user.username,
        "web",
        "thread_deleted",
        "success",
        args={"thread": info.thread_id, "checkpoints": checkpoints},
    )


@router.get("/api/charts/{name}", response_class=FileResponse)
def chart(name: str, user: Reader, service: Service) -> FileResponse:
    """Return one of your chart images (PNG) named in a reply's ``image`` block."""
    path = service.chart_file(user, name)
    if path is None:
        raise HTTPException(404, f"no chart {name[:100]!r} of yours")
    return FileResponse(path, media_type="image/png")


@router.get("/api/audit", response_model=list[AuditOut])
def audit(
    user: Reader,
    service: Service,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    username: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """Return the audit log, newest first: yours, or (admins) everyone's or one user's."""
    if user.can("audit:all"):
        who = username
    elif username in (None, user.username):
        who = user.username
    else:
        raise HTTPException(403, "only admins can read other users' audit entries")
    return [e.to_dict() for e in service.activity.audit_log(who, limit)]
