"""Conversation threads on PostgreSQL (LangGraph's PostgreSQL checkpointer): a follow-up resolves
from the shared checkpoint on any worker, and each thread keeps one checkpoint and only the
channel values that checkpoint references."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import psycopg
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

from assistant.service import Assistant, checkpointer_for, drop_superseded_checkpoints
from core.sources import BarSource
from tests.concurrency import together
from tools import ToolContext

Saver = Callable[[], BaseCheckpointSaver]


@pytest.fixture
def saver(pg_url: str) -> Iterator[Saver]:
    """Return a maker of PostgreSQL checkpointers on the test's schema (one per worker); their
    connection pools are closed before the schema is dropped."""
    made: list[BaseCheckpointSaver] = []

    def make() -> BaseCheckpointSaver:
        made.append(checkpointer_for(pg_url))
        return made[-1]

    yield make
    for one in made:
        assert isinstance(one, PostgresSaver)
        one.conn.close()


def _rows(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _assert_one_checkpoint_and_its_blobs(url: str, thread: str) -> None:
    """The thread has one checkpoint, writes of that one only, and no blob it does not use."""
    ((count,),) = _rows(url, "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread,))
    assert count == 1
    ((head,),) = _rows(url, "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %s", (thread,))
    writes = _rows(url, "SELECT DISTINCT checkpoint_id FROM checkpoint_writes WHERE thread_id = %s", (thread,))  # fmt: skip
    assert {w for (w,) in writes} <= {head}
    blobs = set(_rows(url, "SELECT channel, version FROM checkpoint_blobs WHERE thread_id = %s", (thread,)))  # fmt: skip
    referenced = set(
        _rows(
            url,
            "SELECT v.key, v.value FROM checkpoints c, "
            "jsonb_each_text(c.checkpoint -> 'channel_versions') AS v WHERE c.thread_id = %s",
            (thread,),
        )
    )
    assert blobs and blobs <= referenced


def _dates(reply: Any) -> list[str | None]:
    return [c["args"].get("date") for c in reply.tool_calls]


def test_a_follow_up_resolves_from_the_postgresql_checkpoint_on_any_worker(
    source: BarSource, saver: Saver, pg_url: str
):
    first = Assistant(ToolContext(source=source), "offline", checkpointer=saver())
    reply = first.ask("spy day levels 6/12/19", thread_id="alice/t1")
    assert _dates(reply) == ["2019-06-12"]
    _assert_one_checkpoint_and_its_blobs(pg_url, "alice/t1")

    # a second worker (its own checkpointer and connections) continues the thread
    second = Assistant(ToolContext(source=source), "offline", checkpointer=saver())
    reply = second.ask("day before?", thread_id="alice/t1")
    assert _dates(reply) == ["2019-06-11"] and "SPY" in str(reply.tool_calls[0]["args"])
    _assert_one_checkpoint_and_its_blobs(pg_url, "alice/t1")

    # and the first sees what the second wrote
    reply = first.ask("day before?", thread_id="alice/t1")
    assert _dates(reply) == ["2019-06-10"]
    _assert_one_checkpoint_and_its_blobs(pg_url, "alice/t1")

    # another thread starts empty: nothing to follow up on
    other = second.ask("spy day levels 6/12/19", thread_id="bob/t1")
    assert _dates(other) == ["2019-06-12"]
    threads = _rows(pg_url, "SELECT thread_id, count(*) FROM checkpoints GROUP BY 1 ORDER BY 1")
    assert threads == [("alice/t1", 1), ("bob/t1", 1)]


class _Log(TypedDict):
    items: Annotated[list[str], operator.add]
    steps: int


def _append(state: _Log) -> dict[str, Any]:
    return {"items": [f"item {len(state['items'])}"], "steps": state.get("steps", 0) + 1}


def test_superseded_checkpoints_writes_and_blobs_are_deleted(saver: Saver, pg_url: str):
    graph = StateGraph(_Log)
    graph.add_node("append", _append)
    graph.add_edge(START, "append")
    graph.add_edge("append", END)
    checkpointer = saver()
    app = graph.compile(checkpointer=checkpointer)
    config: Any = {"configurable": {"thread_id": "t"}}
    for n in range(3):
        app.invoke({"items": [f"asked {n}"]}, config)
    app.invoke({"items": ["other"]}, {"configurable": {"thread_id": "u"}})
    ((before,),) = _rows(pg_url, "SELECT count(*) FROM checkpoints WHERE thread_id = 't'")
    assert before == 9  # input, loop and node step of each of the three runs

    assert drop_superseded_checkpoints(checkpointer, "t") == before - 1
    _assert_one_checkpoint_and_its_blobs(pg_url, "t")
    assert drop_superseded_checkpoints(checkpointer, "t") == 0
    # the state read back is the whole thread; the other thread is untouched
    assert app.get_state(config).values["items"] == [
        "asked 0", "item 1", "asked 1", "item 3", "asked 2", "item 5",
    ]  # fmt: skip
    ((other,),) = _rows(pg_url, "SELECT count(*) FROM checkpoints WHERE thread_id = 'u'")
    assert other == 3
    # and a later run on the pruned thread goes on from it
    app.invoke({"items": ["asked 3"]}, config)
    assert app.get_state(config).values["items"][-2:] == ["asked 3", "item 7"]


def test_set_up_runs_once_when_workers_start_together(saver: Saver, pg_url: str):
    savers = together(3, lambda _: saver())
    assert all(isinstance(s, PostgresSaver) for s in savers)
    versions = [v for (v,) in _rows(pg_url, "SELECT v FROM checkpoint_migrations ORDER BY v")]
    assert versions == list(range(len(PostgresSaver.MIGRATIONS)))
    saver()  # a restart finds the tables made: nothing to do
    assert len(_rows(pg_url, "SELECT v FROM checkpoint_migrations")) == len(versions)


def test_a_path_gives_the_sqlite_checkpointer_and_a_dead_server_a_clear_error(tmp_path: Path):
    assert isinstance(checkpointer_for(tmp_path / "threads.sqlite"), SqliteSaver)
    assert isinstance(checkpointer_for(str(tmp_path / "threads2.sqlite")), SqliteSaver)
    with pytest.raises(psycopg.OperationalError, match="127.0.0.1") as exc:
        checkpointer_for("postgresql://app:s3cret@127.0.0.1:1/whispr")
    assert "s3cret" not in str(exc.value)


def test_gdpr_export_and_purge_cover_the_postgresql_threads(
    source: BarSource, saver: Saver, pg_url: str, tmp_path
):
    from integrations.alerts.store import SqliteAlertStore
    from integrations.chat.accounts import Role
    from integrations.chat.activity import ActivityStore
    from integrations.chat.store import AccountStore
    from integrations.chat.userdata import UserStores, export_user, purge_user
    from integrations.storage.strategies import SqliteStrategyStore
    from integrations.storage.vectors import VectorStore, make_client

    worker = Assistant(ToolContext(source=source), "offline", checkpointer=saver())
    for thread in ("alice/t1", "alice/t2", "bob/t1"):
        worker.ask("spy day levels 6/12/19", thread_id=thread)
    vectors = VectorStore(make_client(tmp_path / "chroma"))
    accounts = AccountStore(pg_url)
    accounts.add_user("alice", "correct horse battery", Role.TRADER)
    stores = UserStores(
        accounts=accounts,
        activity=ActivityStore(pg_url),
        alerts=SqliteAlertStore(pg_url),
        strategies=SqliteStrategyStore(pg_url, vectors),
        vectors=vectors,
        threads_db=pg_url,
        charts_root=tmp_path / "charts",
    )
    assert export_user(stores, "alice")["threads"] == ["alice/t1", "alice/t2"]
    assert purge_user(stores, "alice")["threads"] == 2
    left = _rows(pg_url, "SELECT DISTINCT thread_id FROM checkpoints ORDER BY 1")
    assert left == [("bob/t1",)]  # only alice's threads went, with their blobs and writes
    assert _rows(
        pg_url, "SELECT count(*) FROM checkpoint_blobs WHERE thread_id LIKE %s", ("alice/%",)
    ) == [(0,)]
