"""CI gate: the offline planner's tool-call accuracy on the labelled request set (issue #3)."""

from __future__ import annotations

from eval.accuracy import evaluate, evaluate_authoring, load_requests
from tools import TOOLS, ToolContext

THRESHOLD = 0.95


def test_labelled_set_is_large_and_well_formed():
    items = load_requests()
    turns = [t for item in items for t in item["turns"]]
    assert len(turns) >= 200
    for turn in turns:
        assert all(call["name"] in TOOLS for call in turn["calls"])


def test_offline_planner_exact_match_at_least_95_percent(source):
    report = evaluate(ToolContext(source=source), "offline")
    total = report.total
    accuracy = total.args_ok / total.turns
    misses = "\n".join(
        f"{m['id']}: {m['text']!r} want {m['want']} got {m['got']}" for m in report.misses[:40]
    )
    assert accuracy >= THRESHOLD, f"{accuracy:.1%} exact match; misses:\n{misses}"


def test_authoring_specs_at_least_90_percent(source):
    report = evaluate_authoring(ToolContext(source=source), "offline")
    assert report.items >= 60
    rate = report.exact / report.items
    assert rate >= 0.9, f"{rate:.1%} spec exact match; misses: {report.misses[:10]}"
