"""The Chroma vector store, embedded and offline: per-user isolation and paraphrase search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from integrations.storage.knowledge import GlossaryIndex
from integrations.storage.vectors import VectorStore, make_client
from tools import ToolContext, ToolError, run_tool


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return VectorStore(make_client(tmp_path_factory.mktemp("chroma")))


def test_user_a_never_sees_user_b(store):
    store.upsert("user_context", "a1", "I trade SPX 0DTE and risk 0.5% per trade", "alice")
    store.upsert("user_context", "b1", "I trade SPX 0DTE and my account is 50k", "bob")
    hits = store.search("user_context", "what does the trader trade", "alice", k=10)
    assert [h.id for h in hits] == ["a1"]
    assert [i for i, _, _ in store.items("user_context", "bob")] == ["b1"]
    assert not store.delete("user_context", "alice", "b1")  # cannot delete bob's item
    assert [i for i, _, _ in store.items("user_context", "bob")] == ["b1"]


def test_shared_items_are_visible_to_everyone(store):
    store.upsert(
        "strategies",
        "s1",
        "Long SPY on the call trigger, target the golden gate",
        "carol",
        shared=True,
        name="trigger long",
    )
    store.upsert("strategies", "s2", "Short SPX when the ribbon flips bearish (vomy)", "carol")
    hits = store.search("strategies", "buy when price crosses the +23.6% level", "dave", k=5)
    assert [h.id for h in hits] == ["s1"]
    assert hits[0].metadata["name"] == "trigger long"


def test_persists_across_clients(tmp_path):
    VectorStore(make_client(tmp_path)).upsert("knowledge", "k1", "golden gate: 38.2 to 61.8", "sys")
    again = VectorStore(make_client(tmp_path))
    assert again.search("knowledge", "what is a golden gate", "sys", k=1)[0].id == "k1"


def test_paraphrase_search_finds_the_intended_strategy_in_the_top_3(tmp_path):
    data = json.loads((Path(__file__).parents[1] / "data" / "strategy_search.json").read_text())
    store = VectorStore(make_client(tmp_path))
    for i, text in enumerate(data["strategies"]):
        store.upsert("strategies", f"s{i}", text, "trader")
    assert len(data["strategies"]) >= 60
    found = [
        f"s{want}" in [h.id for h in store.search("strategies", query, "trader", k=3)]
        for query, want in data["queries"]
    ]
    rate = sum(found) / len(found)
    misses = [q for (q, _), ok in zip(data["queries"], found, strict=True) if not ok]
    assert rate >= 0.9, f"top-3 hit rate {rate:.0%}; missed: {misses}"


def test_glossary_by_meaning(tmp_path, source):
    index = GlossaryIndex(VectorStore(make_client(tmp_path)))
    ctx = ToolContext(source=source, services={"knowledge": index})
    out = run_tool(ctx, "explain_term", {"term": "when the bollinger bands squeeze inside keltner"})
    assert out.term == "compression"
    assert isinstance(run_tool(ctx, "explain_term", {"term": "recipe for banana bread"}), ToolError)
