"""The per-item regression gate over every labelled set (what `whispr eval` and CI run).

Each set is run through the real graph and scored turn by turn (``eval.firstcontact``). A turn
that misses must be listed, with the reason, in ``eval/known_misses.json``; any other miss is a
*new miss* and fails the gate, and so does any silent substitution, on any set. A known miss that
now passes is reported as *fixed* so the file can be trimmed. There is no aggregate threshold: a
regression on one item is a regression.

The calls-only sets written earlier (``requests*.jsonl``: ``{"id", "intent", "text", "calls"}`` or
``turns``) are scored by exact tool calls; their substitution check uses what the labelled call
is about (symbol, session, mode, level, direction).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from core.calendar import is_session, next_session
from eval.firstcontact import FIRST_CONTACT_FILES, SetReport, evaluate_set, load_set
from tools import ToolContext

CALL_SETS = ("requests.jsonl", "requests_independent.jsonl")
ALL_SETS = (*CALL_SETS, *FIRST_CONTACT_FILES)
KNOWN_MISSES = "known_misses.json"
_ABOUT = ("symbol", "date", "mode", "level")


def expect_from_calls(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Return what a labelled call is about, for the substitution check of calls-only sets."""
    if not calls:
        return {}
    args = calls[0].get("args") or {}
    out = {k: args[k] for k in _ABOUT if args.get(k) is not None}
    if len(calls) > 1:
        out.pop("symbol", None)
    if out.get("date") and not is_session(dt.date.fromisoformat(out["date"])):
        out["date"] = next_session(dt.date.fromisoformat(out["date"])).isoformat()
    if calls[0]["name"] in ("create_alert", "golden_gate_stats") and args.get("direction"):
        out["direction"] = args["direction"]
    if calls[0]["name"] not in ("atr_levels", "price_context", "level_distance", "create_alert"):
        out.pop("date", None)
        out.pop("mode", None)
        out.pop("level", None)
    if calls[0]["name"] != "atr_levels" or len(calls) > 1:
        out.pop("date", None)
    return out


def load_conversations(name: str) -> list[dict[str, Any]]:
    """Return a set's conversations in the first-contact shape (calls-only items converted)."""
    items = load_set(name)
    out = []
    for item in items:
        turns = item.get("turns") or [{"text": item["text"], "calls": item["calls"]}]
        if "expect" not in turns[0]:
            turns = [{**t, "expect": expect_from_calls(t["calls"])} for t in turns]
        out.append(
            {"id": item["id"], "category": item.get("intent", item.get("category")), "turns": turns}
        )
    return out


def known_misses(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Return ``{set name: {turn key: reason}}`` from ``eval/known_misses.json``."""
    text = path.read_text() if path else resources.files("eval").joinpath(KNOWN_MISSES).read_text()
    return json.loads(text)


@dataclass
class GateOutcome:
    """One set's gate result."""

    report: SetReport
    known: dict[str, str]
    new: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when nothing new missed and nothing was substituted."""
        return not self.new and not self.report.substitutions


def run_gate(
    tools_ctx: ToolContext,
    provider: str = "offline",
    sets: tuple[str, ...] = ALL_SETS,
    known: dict[str, dict[str, str]] | None = None,
) -> list[GateOutcome]:
    """Run every set and compare its misses with the known ones."""
    known = known_misses() if known is None else known
    outcomes = []
    for name in sets:
        report = evaluate_set(tools_ctx, name, provider, conversations=load_conversations(name))
        listed = known.get(name, {})
        missed = {o.key for o in report.misses}
        outcomes.append(
            GateOutcome(
                report,
                listed,
                new=sorted(missed - set(listed)),
                fixed=sorted(set(listed) - missed),
            )
        )
    return outcomes


def summary(outcomes: list[GateOutcome]) -> str:
    """Return one line per set and the verdict."""
    lines = []
    for o in outcomes:
        r = o.report
        lines.append(
            f"{r.name}: {r.passed}/{len(r.outcomes)} answered as asked "
            f"({100 * r.passed / max(len(r.outcomes), 1):.1f}%), "
            f"{len(r.substitutions)} silent substitutions, {len(o.known)} known misses, "
            f"{len(o.new)} new, {len(o.fixed)} fixed"
        )
    verdict = "PASS" if all(o.ok for o in outcomes) else "FAIL"
    lines.append(f"gate: {verdict} (no new miss and no silent substitution on any set)")
    return "\n".join(lines)
