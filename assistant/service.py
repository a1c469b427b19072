"""The one entry point every channel uses: ``Assistant.ask(question) -> Reply``."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import groq
import openai
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from assistant.graph import build_graph, tool_records
from assistant.preferences import from_facts
from assistant.private import private_file
from assistant.providers.pricing import estimate_cost
from assistant.providers.registry import build_model, choose_provider
from assistant.settings import get_settings
from assistant.state import RunContext
from assistant.understand.reading import Setting
from assistant.window import Bounds
from core.calendar import next_session
from core.errors import WhisprError
from prompts import load_prompt
from tools import TOOLS, ToolContext
from tools.market import last_bar_date, latest_session

if TYPE_CHECKING:  # imported when a PostgreSQL checkpointer is built (~0.3 s; SQLite never)
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

log = logging.getLogger(__name__)

_POSTGRES_SCHEMES = ("postgresql", "postgres")
_SETUP_LOCK = (
    "SELECT pg_{}(hashtextextended(coalesce(current_schema(), '') || ':checkpoints', 0)) AS locked"
)


class ProviderError(WhisprError):
    """The LLM provider refused or failed the request (bad key, outage, rate limit)."""


@dataclass
class Reply:
    """What a channel renders: the answer and everything behind it."""

    answer: str
    tool_calls: list[dict[str, Any]]
    provider: str
    grounded: bool
    thread_id: str
    fallback_reason: str = ""
    model: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float | None = None
    latency_ms: float = 0.0
    prompt_version: int = 0
    trace: str = ""
    """The offline planner's rule that decided the turn (for evaluation and debugging)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the reply as plain JSON-ready data."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def sqlite_checkpointer(path: Path | str) -> SqliteSaver:
    """Return a LangGraph SQLite checkpointer on ``path`` (created with its folder)."""
    path = Path(path)
    private_file(path)
    return SqliteSaver(sqlite3.connect(str(path), check_same_thread=False))


def postgres_checkpointer(
    url: str, *, max_connections: int = 4, connect_timeout: float = 10.0
) -> PostgresSaver:
    """Return a LangGraph PostgreSQL checkpointer on the database at ``url``, its tables
    (``checkpoints``, ``checkpoint_blobs``, ``checkpoint_writes``, ``checkpoint_migrations``)
    made or migrated first.

    The tables go where the URL's ``search_path`` puts them (``?options=-csearch_path%3D...``).
    Set-up runs under an advisory lock, so workers starting together migrate once. The saver
    draws connections from a pool of up to ``max_connections`` made as it requires
    (autocommit, ``prepare_threshold=0``, rows as dicts); a connection the server dropped is
    replaced. Each worker process builds its own.

    Raises:
        psycopg.OperationalError: the server cannot be reached within ``connect_timeout``
            seconds (the message names host and port, never the password).
    """
    import psycopg  # here: only PostgreSQL users pay for these imports
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    options: dict[str, Any] = {
        "autocommit": True,
        "prepare_threshold": 0,
        "row_factory": dict_row,
        "connect_timeout": max(1, int(connect_timeout)),
    }
    with psycopg.connect(url, **options) as conn:
        _take_setup_lock(conn)
        try:
            PostgresSaver(conn).setup()
        finally:
            conn.execute(_SETUP_LOCK.format("advisory_unlock"))
    pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
        url,
        min_size=1,
        max_size=max_connections,
        kwargs=options,
        check=ConnectionPool.check_connection,
        timeout=connect_timeout,
        name="whispr-checkpoints",
        open=True,
    )
    return PostgresSaver(pool)


def _take_setup_lock(conn: psycopg.Connection[Any]) -> None:
    # polled, not waited for: a session waiting on the lock would hold a transaction open,
    # which the holder's CREATE INDEX CONCURRENTLY waits for in turn (a deadlock)
    while True:
        row = conn.execute(_SETUP_LOCK.format("try_advisory_lock")).fetchone()
        if row and row["locked"]:
            return
        time.sleep(0.05)


def checkpointer_for(location: Path | str) -> BaseCheckpointSaver:
    """Return the checkpointer of conversation threads at ``location``: PostgreSQL's for a
    ``postgresql://`` URL (``WHISPR_DATABASE_URL``, see ``postgres_checkpointer``), else
    SQLite's on that file (``sqlite_checkpointer``; a ``Path`` is always a file)."""
    if isinstance(location, str) and urlsplit(location).scheme in _POSTGRES_SCHEMES:
        return postgres_checkpointer(location)
    return sqlite_checkpointer(location)


def bounds_from_settings(env: dict[str, str] | None = None) -> Bounds:
    """Return the conversation bounds set by ``WHISPR_HISTORY_TURNS``, ``WHISPR_PROMPT_TOKENS``,
    ``WHISPR_TURN_TOKENS`` and ``WHISPR_KEEP_TURNS`` (``env`` replaces the environment)."""
    settings = get_settings(env)
    return Bounds(
        history_turns=settings.whispr_history_turns,
        max_prompt_tokens=settings.whispr_prompt_tokens,
        max_turn_tokens=settings.whispr_turn_tokens,
        keep_turns=settings.whispr_keep_turns,
    )


def drop_superseded_checkpoints(checkpointer: BaseCheckpointSaver, thread_id: str) -> int:
    """Delete every checkpoint of ``thread_id`` but the newest (and their pending writes) from a
    SQLite or PostgreSQL checkpointer; return how many were deleted (0 for other
    checkpointers).

    LangGraph saves the whole state at every step of a turn, so without this a thread's file
    grows with the square of its length; only the newest checkpoint is ever read (no
    time-travel is offered), and a run that is writing meanwhile only adds newer ones. On
    PostgreSQL the channel values of deleted checkpoints (``checkpoint_blobs``) go too, except
    those the newest checkpoint's channel versions still reference."""
    postgres = _postgres_saver(checkpointer)
    if postgres is not None:
        return _drop_superseded_postgres(postgres, thread_id)
    if not isinstance(checkpointer, SqliteSaver):
        return 0
    with checkpointer.cursor() as cur:
        row = cur.execute(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' "
            "ORDER BY checkpoint_id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        if row is None:
            return 0
        cur.execute(
            "DELETE FROM writes WHERE thread_id = ? AND checkpoint_id < ?", (thread_id, row[0])
        )
        cur.execute(
            "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id < ?", (thread_id, row[0])
        )
        return int(cur.rowcount)


def _postgres_saver(checkpointer: BaseCheckpointSaver) -> PostgresSaver | None:
    # Only a process that built one has its module loaded (postgres_checkpointer imports it),
    # so SQLite users never pay for the import.
    module = sys.modules.get("langgraph.checkpoint.postgres")
    if module is not None and isinstance(checkpointer, module.PostgresSaver):
        return cast("PostgresSaver", checkpointer)
    return None


@contextmanager
def _saver_connection(saver: PostgresSaver) -> Iterator[psycopg.Connection[Any]]:
    from psycopg_pool import ConnectionPool

    with saver.lock:
        if isinstance(saver.conn, ConnectionPool):
            with saver.conn.connection() as conn:
                yield conn
        else:
            yield saver.conn


def _checkpoint_count(saver: PostgresSaver, thread_id: str) -> int:
    with _saver_connection(saver) as conn:
        row = conn.execute(
            "SELECT count(*) AS n FROM checkpoints WHERE thread_id = %s", (thread_id,)
        ).fetchone()
    return int(row["n"]) if row else 0  # the saver's connections return rows as dicts


def _drop_superseded_postgres(saver: PostgresSaver, thread_id: str) -> int:
    from psycopg.errors import DeadlockDetected, SerializationFailure

    before = _checkpoint_count(saver, thread_id)
    if before <= 1:
        return 0
    try:
        # keeps the newest checkpoint of each namespace, its writes and the blobs it references
        saver.prune([thread_id], strategy="keep_latest")
    except (SerializationFailure, DeadlockDetected) as exc:  # another worker pruned it meanwhile
        log.info("thread %s not pruned this turn (%s); the next turn prunes it", thread_id, exc)
        return 0
    return max(0, before - _checkpoint_count(saver, thread_id))


def reference_date(tools_ctx: ToolContext, clock: dt.date | None = None) -> dt.date:
    """Return the date "today" means: the clock's date, or the session after the newest data
    when the data ends before the clock (the shipped samples) so relative dates stay useful.
    Each symbol's last bar comes from ``last_bar_date``: the data directory's file names and
    last lines, not a read of every file."""
    clock = clock or dt.date.today()
    latest = None
    for sym in tools_ctx.source.symbols():
        try:
            last = last_bar_date(tools_ctx.source, sym)
        except WhisprError:
            continue
        latest = last if latest is None or last > latest else latest
    if latest is None or latest >= clock:
        return clock
    return min(clock, next_session(latest))


@functools.lru_cache(maxsize=4)
def tool_schemas(count: int) -> list[dict[str, Any]]:
    """Return the OpenAI function schemas of the registered tools (``count`` keys the cache, so
    a tool registered later is seen). Building them costs ~15 ms; channels build an
    ``Assistant`` per turn."""
    return [{"type": "function", "function": t.json_schema()} for t in TOOLS.values()]


_GRAPHS: dict[int, tuple[BaseCheckpointSaver, Any]] = {}
_GRAPHS_LOCK = threading.Lock()


def compiled_graph(checkpointer: BaseCheckpointSaver) -> Any:
    """Return the agent graph compiled with ``checkpointer``, compiled once per checkpointer
    (the graph holds no per-user state: the tool context travels in each run's config)."""
    with _GRAPHS_LOCK:
        entry = _GRAPHS.get(id(checkpointer))
        if entry is None or entry[0] is not checkpointer:
            entry = (checkpointer, build_graph().compile(checkpointer=checkpointer))
            _GRAPHS[id(checkpointer)] = entry
        return entry[1]


class Assistant:
    """A compiled agent graph with a provider, a checkpointer and the tools' context."""

    def __init__(
        self,
        tools_ctx: ToolContext,
        provider: str | None = None,
        *,
        checkpointer: BaseCheckpointSaver | None = None,
        default_symbol: str = "SPX",
        max_rounds: int = 3,
        on_event: Any = None,
        env: dict[str, str] | None = None,
        model: Any = None,
        bounds: Bounds | None = None,
    ) -> None:
        self.tools_ctx = tools_ctx
        self.provider = choose_provider(provider, env)
        self.model = model if model is not None else build_model(self.provider, env)
        self.model_name = str(
            getattr(self.model, "model_name", None)
            or getattr(self.model, "model", None)
            or self.provider
        )
        self.bound = self.model.bind_tools(tool_schemas(len(TOOLS)))
        self.graph = (
            compiled_graph(checkpointer)
            if checkpointer
            else build_graph().compile(checkpointer=InMemorySaver())
        )
        self.default_symbol = default_symbol
        self.max_rounds = max_rounds
        self.on_event = on_event
        self.bounds = bounds or bounds_from_settings(env)
        self.checkpointer = checkpointer
        self.prompt_template, self.prompt_version = load_prompt("system")
        if tools_ctx.today is None:
            tools_ctx.today = reference_date(tools_ctx)

    def system_prompt(self) -> str:
        """Return the system prompt for this run: reference date, symbols, and the defaults and
        facts the user asked Whispr to remember."""
        symbols = tuple(self.tools_ctx.source.symbols())
        memory = self.tools_ctx.services.get("memory")
        facts = [text for _, text in memory.list(self.tools_ctx.user_id)] if memory else []
        prefs = from_facts(facts, symbols)
        return self.prompt_template.format(
            today=self.tools_ctx.today,
            symbols=", ".join(symbols),
            default_symbol=prefs.default_symbol or self.default_symbol,
            risk_pct="none" if prefs.risk_pct is None else f"{prefs.risk_pct:g}",
            account="unknown" if prefs.account is None else f"{prefs.account:g}",
            facts="; ".join(facts) or "nothing yet",
        )

    def setting(self) -> Setting:
        """Return the offline planner's setting: the reference date, each symbol's own latest
        session (what "today" means for it) and the defaults the user asked to remember."""
        symbols = tuple(self.tools_ctx.source.symbols())
        memory = self.tools_ctx.services.get("memory")
        facts = [text for _, text in memory.list(self.tools_ctx.user_id)] if memory else []
        prefs = from_facts(facts, symbols)
        return Setting(
            today=self.tools_ctx.today or dt.date.today(),
            symbols=symbols or ("SPX", "SPY"),
            default_symbol=prefs.default_symbol or self.default_symbol,
            default_risk=prefs.risk_pct,
            account=prefs.account,
            latest=functools.partial(latest_session, self.tools_ctx),
        )

    def ask(self, question: str, thread_id: str | None = None) -> Reply:
        """Answer one message on a thread (a new thread when ``thread_id`` is None)."""
        thread = thread_id or uuid.uuid4().hex
        ctx = RunContext(
            tools=self.tools_ctx,
            model=self.bound,
            system_prompt=self.system_prompt(),
            max_rounds=self.max_rounds,
            on_event=self.on_event,
            setting=self.setting(),
            bounds=self.bounds,
        )
        started = time.perf_counter()
        try:
            state = self.graph.invoke(
                {
                    "messages": [HumanMessage(question)],
                    "rounds": 0,
                    "grounded": True,
                    "fallback_reason": "",
                },
                {"configurable": {"thread_id": thread}},
                context=ctx,
            )
        except (openai.APIError, groq.APIError) as exc:
            status = getattr(exc, "status_code", None)  # set on API status errors only
            raise ProviderError(
                f"the {self.provider} provider failed: {exc.__class__.__name__}"
                f"{f' ({status})' if status else ''}; "
                "check its API key and base URL, or use --provider offline"
            ) from exc
        if self.checkpointer is not None:
            drop_superseded_checkpoints(self.checkpointer, thread)
        latency = (time.perf_counter() - started) * 1000
        messages = state["messages"]
        usage = self._usage(messages)
        return Reply(
            answer=str(messages[-1].content),
            tool_calls=tool_records(messages),
            provider=self.provider,
            grounded=bool(state.get("grounded", True)),
            thread_id=thread,
            fallback_reason=state.get("fallback_reason", ""),
            model=self.model_name,
            usage=usage,
            cost_usd=estimate_cost(
                self.model_name, usage.get("input_tokens", 0), usage.get("output_tokens", 0)
            )
            if usage
            else None,
            latency_ms=latency,
            prompt_version=self.prompt_version,
            trace=self._trace(messages),
        )

    @staticmethod
    def _trace(messages: list[Any]) -> str:
        """Return the planner rule that decided this turn (offline planner), else ""."""
        start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        for msg in messages[start:]:
            meta = (
                getattr(msg, "additional_kwargs", {}).get("whispr")
                if isinstance(msg, AIMessage)
                else None
            )
            if meta:
                return str(meta.get("rule", ""))
        return ""

    @staticmethod
    def _usage(messages: list[Any]) -> dict[str, int]:
        total = {"input_tokens": 0, "output_tokens": 0}
        seen = False
        start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        for msg in messages[start:]:
            meta = getattr(msg, "usage_metadata", None) if isinstance(msg, AIMessage) else None
            if meta:
                seen = True
                total["input_tokens"] += int(meta.get("input_tokens", 0))
                total["output_tokens"] += int(meta.get("output_tokens", 0))
        return total if seen else {}
