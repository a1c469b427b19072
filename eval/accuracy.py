"""Tool-call accuracy of the assistant on the labelled requests in ``eval/requests.jsonl``.

Each request is run through the real graph (provider of your choice, offline by default) on a
fresh thread; multi-turn items keep one thread so follow-ups rely on memory. A call matches when
its tool name matches and its arguments, both validated by the tool's pydantic model (defaults
filled in), are equal. Relative dates are read against the fixed reference date 2026-02-13.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.service import Assistant
from tools import TOOLS, ToolContext

REFERENCE_DATE = dt.date(2026, 2, 13)


REQUEST_FILES = ("requests.jsonl", "requests_independent.jsonl")


def load_requests(path: Path | None = None) -> list[dict[str, Any]]:
    """Return the labelled items of one file, or of every file in ``REQUEST_FILES``
    (single-turn items become one-turn conversations)."""
    texts = (
        [path.read_text()]
        if path
        else [resources.files("eval").joinpath(name).read_text() for name in REQUEST_FILES]
    )
    items = []
    for text in texts:
        for line in text.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if "turns" not in item:
                item["turns"] = [{"text": item["text"], "calls": item["calls"]}]
            items.append(item)
    return items


def canonical(call: dict[str, Any]) -> tuple[str, str]:
    """Return (name, canonical JSON of args with defaults) for comparing two calls."""
    name, args = call["name"], dict(call.get("args", {}))
    if name == "position_size":
        args.pop("side", None)  # a consistency check on entry and stop; the size is the same
    if name in TOOLS:
        try:
            args = TOOLS[name].args_model.model_validate(args).model_dump(mode="json")
        except ValidationError:
            pass
    if isinstance(args.get("spec"), dict):  # a draft's random id and free-text description
        args["spec"] = {
            k: v for k, v in args["spec"].items() if k not in ("spec_id", "description")
        }
    return name, json.dumps(args, sort_keys=True, default=str)


@dataclass
class Score:
    """Counts for one intent (or all)."""

    turns: int = 0
    names_ok: int = 0
    args_ok: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, names: bool, args: bool, ms: float) -> None:
        """Record one turn."""
        self.turns += 1
        self.names_ok += names
        self.args_ok += args
        self.latencies.append(ms)


@dataclass
class Report:
    """The evaluation outcome: per-intent scores and the turns that missed."""

    by_intent: dict[str, Score]
    misses: list[dict[str, Any]]

    @property
    def total(self) -> Score:
        """Return the scores summed over intents."""
        out = Score()
        for s in self.by_intent.values():
            out.turns += s.turns
            out.names_ok += s.names_ok
            out.args_ok += s.args_ok
            out.latencies += s.latencies
        return out

    def table(self) -> str:
        """Return the markdown table of accuracy and latency per intent."""
        rows = [
            "| intent | turns | tool name exact | args exact | p50 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, s in [*sorted(self.by_intent.items()), ("ALL", self.total)]:
            lat = sorted(s.latencies)
            p50 = statistics.median(lat) if lat else 0.0
            p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))] if lat else 0.0
            rows.append(
                f"| {name} | {s.turns} | {100 * s.names_ok / max(s.turns, 1):.1f}% | "
                f"{100 * s.args_ok / max(s.turns, 1):.1f}% | {p50:.1f} | {p99:.1f} |"
            )
        return "\n".join(rows)


def evaluate(
    tools_ctx: ToolContext,
    provider: str = "offline",
    items: list[dict[str, Any]] | None = None,
    **assistant_kw: Any,
) -> Report:
    """Run every labelled conversation and return the report."""
    tools_ctx.today = REFERENCE_DATE
    assistant = Assistant(tools_ctx, provider, **assistant_kw)
    by_intent: dict[str, Score] = defaultdict(Score)
    misses = []
    for item in items if items is not None else load_requests():
        thread = f"eval-{item['id']}"
        for turn in item["turns"]:
            reply = assistant.ask(turn["text"], thread)
            got = [canonical(c) for c in reply.tool_calls]
            want = [canonical(c) for c in turn["calls"]]
            names = [g[0] for g in got] == [w[0] for w in want]
            args = got == want
            by_intent[item["intent"]].add(names, args, reply.latency_ms)
            if not args:
                misses.append(
                    {
                        "id": item["id"],
                        "text": turn["text"],
                        "want": turn["calls"],
                        "got": [{"name": c["name"], "args": c["args"]} for c in reply.tool_calls],
                    }
                )
    return Report(dict(by_intent), misses)


QUESTIONS = {"stop": "Where is the stop", "target": "What is the target", "entry": "Which level"}
SPEC_FIELDS = (
    "side",
    "symbol",
    "entry_level",
    "entry_direction",
    "target",
    "stop",
    "ribbon",
    "window",
    "bar",
)


def spec_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the compared fields of a drafted spec (see ``SPEC_FIELDS``)."""
    entry = spec.get("entry", [])
    cross: dict[str, Any] = next((c for c in entry if c.get("kind") == "level_cross"), {})
    ribbon = next((c.get("state") for c in entry if c.get("kind") == "ribbon"), None)
    window = next(([c["start"], c["end"]] for c in entry if c.get("kind") == "time_window"), None)
    return {
        "side": spec.get("side"),
        "symbol": spec.get("symbol"),
        "entry_level": cross.get("level"),
        "entry_direction": cross.get("direction"),
        "target": spec.get("exit", {}).get("target"),
        "stop": spec.get("exit", {}).get("stop"),
        "ribbon": ribbon,
        "window": window,
        "bar": spec.get("bar", "5m"),
    }


@dataclass
class AuthoringReport:
    """Spec exact match and per-field accuracy on ``authoring.jsonl``."""

    items: int = 0
    exact: int = 0
    field_ok: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SPEC_FIELDS, 0))
    specs: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def table(self) -> str:
        """Return the markdown table: exact match, then each field over the spec items."""
        rows = [
            "| measure | value |",
            "|---|---:|",
            f"| spec exact match ({self.items} requests, incl. clarifying questions) | "
            f"{100 * self.exact / max(self.items, 1):.1f}% |",
        ]
        rows += [
            f"| field `{k}` ({self.specs} specs) | {100 * v / max(self.specs, 1):.1f}% |"
            for k, v in self.field_ok.items()
        ]
        return "\n".join(rows)


def evaluate_authoring(
    tools_ctx: ToolContext, provider: str = "offline", path: Path | None = None, **assistant_kw: Any
) -> AuthoringReport:
    """Run every authoring request on a fresh thread and score the drafted spec (or question)."""
    tools_ctx.today = REFERENCE_DATE
    assistant = Assistant(tools_ctx, provider, **assistant_kw)
    text = (
        path.read_text()
        if path
        else resources.files("eval").joinpath("authoring.jsonl").read_text()
    )
    report = AuthoringReport()
    for line in text.splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        reply = assistant.ask(item["text"], f"author-{item['id']}")
        expect = item["expect"]
        report.items += 1
        if "question" in expect:
            ok = not reply.tool_calls and reply.answer.startswith(QUESTIONS[expect["question"]])
        else:
            report.specs += 1
            drafts = [c for c in reply.tool_calls if c["name"] == "draft_strategy"]
            got = spec_fields(drafts[0]["args"]["spec"]) if drafts else {}
            for key in SPEC_FIELDS:
                report.field_ok[key] += got.get(key) == expect.get(key)
            ok = bool(drafts) and all(got.get(k) == expect.get(k) for k in SPEC_FIELDS)
        report.exact += ok
        if not ok:
            report.misses.append(
                {
                    "id": item["id"],
                    "text": item["text"],
                    "expect": expect,
                    "answer": reply.answer[:160],
                    "got": [c["args"] for c in reply.tool_calls],
                }
            )
    return report
