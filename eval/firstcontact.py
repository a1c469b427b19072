"""Scoring of the first-contact sets: did the answer show the numbers asked, about what was asked?

A first-contact set (``eval/firstcontact_*.jsonl``) is written by an author who never saw the
planner. Each line is a conversation ``{"id", "category", "turns": [{"text", "calls",
"expect"}]}``; ``expect`` holds the numbers a correct answer shows and what it must be about
(symbol, session date, mode, level, direction, side) or ``clarify: true`` when the right reply
is a question. A turn passes when

- ``clarify``: no tool produced data and the reply asks a question;
- numbers expected: every number appears in the answer and nothing was silently substituted;
- no numbers (actions): the tool calls match exactly (when labelled), else nothing substituted.

A *silent substitution* is a successful tool result about a different symbol, session, mode,
level, direction or side than the one asked: a confident answer to another question. The gate
is zero on every set. Relative dates are read against the reference date Friday 2026-02-13.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.service import Assistant
from eval.accuracy import REFERENCE_DATE, canonical
from tools import ToolContext

FIRST_CONTACT_FILES = (
    "firstcontact_a.jsonl",
    "firstcontact_b.jsonl",
    "firstcontact_c.jsonl",
    "firstcontact_d.jsonl",
    "firstcontact_e.jsonl",
    "firstcontact_f.jsonl",
    "firstcontact_g.jsonl",
    "firstcontact_h.jsonl",
    "firstcontact_i.jsonl",
    "firstcontact_j.jsonl",
    "firstcontact_k.jsonl",
    "firstcontact_l.jsonl",
    "firstcontact_m.jsonl",
    "firstcontact_n.jsonl",
    "firstcontact_o.jsonl",
    "firstcontact_p.jsonl",
    "firstcontact_q.jsonl",
    "firstcontact_r.jsonl",
    "firstcontact_s.jsonl",
)
FOCUSED_FILES = ("firstcontact_h.jsonl",)
"""Sets on one family of questions (H: issue #13's session questions): smaller by design."""
SHORT_FILES = ("firstcontact_s.jsonl",)
"""General sets written in a shorter time (S: 224 turns, 35 minutes): at least 200 turns."""
_NUMBER = re.compile(r"(?<![\w.])[-\u2212]?\d[\d,]*(?:\.\d+)?")
_DATA_TOOLS_SKIP = {"explain_term", "recall", "remember", "list_alerts", "list_strategies"}


def load_set(name_or_path: str | Path) -> list[dict[str, Any]]:
    """Return the conversations of one first-contact file (a name under ``eval/`` or a path)."""
    path = Path(name_or_path)
    text = (
        path.read_text()
        if path.is_file()
        else resources.files("eval").joinpath(str(name_or_path)).read_text()
    )
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def numbers_in(text: str) -> list[float]:
    """Return every number written in ``text`` (thousands separators and − signs allowed)."""
    return [float(m.replace("\u2212", "-").replace(",", "")) for m in _NUMBER.findall(text)]


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def shows_number(answer_numbers: list[float], expected: str) -> bool:
    """Return True when ``expected`` appears among the answer's numbers at its own precision."""
    value = float(expected.replace(",", "").rstrip("%"))
    decimals = len(expected.split(".")[1]) if "." in expected else 0
    tol = 0.5 * 10**-decimals + 1e-9
    return any(abs(n - value) <= tol for n in answer_numbers)


_PERIOD_MODES = ("multiday", "swing", "position", "longterm")


def period_key(day: str, mode: str) -> str:
    """Return the period of ``mode`` containing ``day`` (the week's Monday, the month, the
    quarter or the year); the day itself for day and scalp modes."""
    d = dt.date.fromisoformat(day[:10])
    if mode == "multiday":
        return (d - dt.timedelta(days=d.weekday())).isoformat()
    if mode == "swing":
        return f"{d:%Y-%m}"
    if mode == "position":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    if mode == "longterm":
        return str(d.year)
    return d.isoformat()


def _about(records: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Return what the successful tool results were about: symbols, dates, modes, levels, sides."""
    about: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        result = rec.get("result") or {}
        if rec["name"] in _DATA_TOOLS_SKIP or "error" in result:
            continue
        args = rec.get("args") or {}
        for sym in (result.get("symbol"), args.get("symbol")):  # the tool maps aliases (ES)
            if sym:
                about["symbol"].add(str(sym).upper())
        if rec["name"] in ("atr_levels", "price_context", "level_distance"):
            mode = str(result.get("mode") or args.get("mode") or "day")
            if result.get("date"):
                about["date"].add(f"{mode}:{period_key(str(result['date']), mode)}")
            about["mode"].add(mode)
        if args.get("level") and rec["name"] in ("atr_levels", "create_alert"):
            about["level"].add(str(args["level"]))
        if rec["name"] in ("create_alert", "golden_gate_stats") and args.get("direction"):
            about["direction"].add(str(args["direction"]))
        if rec["name"] == "position_size" and result.get("direction"):
            about["side"].add(str(result["direction"]))
    return about


_SAME_WAY = {"bull": "up", "bullish": "up", "bear": "down", "bearish": "down"}


def substitution(expect: dict[str, Any], records: list[dict[str, Any]]) -> str | None:
    """Return what was silently substituted ("date 2026-01-15 for 2021-01-15"), or None."""
    about = _about(records)
    for key in ("symbol", "mode", "date", "level", "direction", "side"):
        want = expect.get(key)
        got = about.get(key)
        if want is None or not got:
            continue
        want_s = str(want).upper() if key == "symbol" else str(want)
        if key == "direction":  # a golden gate's bull/bear is the up/down of an alert
            want_s = _SAME_WAY.get(want_s, want_s)
            got = {_SAME_WAY.get(g, g) for g in got}
        if key == "date":  # the period of the asked mode, or of any mode answered when none asked
            modes = (
                [str(expect["mode"])] if expect.get("mode") else sorted(about.get("mode", {"day"}))
            )
            wanted = {f"{m}:{period_key(want_s, m)}" for m in modes}
            if not wanted & got:
                return f"date {', '.join(sorted(got))} for {want_s}"
            continue
        if want_s not in got:
            return f"{key} {', '.join(sorted(got))} for {want_s}"
    return None


def _alert_named(record: dict[str, Any], alert_id: str) -> dict[str, str]:
    """Return the symbol and level of the alert ``alert_id`` as the call's result shows it."""
    result = record.get("result") or {}
    for line in result.get("alerts") or []:
        if line.get("id") == alert_id:
            return {"symbol": line["symbol"], "level": line["level"]}
    m = re.search(r"\((\w+) (?:up|down) ([+-]?[\d.]+)\)", str(result.get("message", "")))
    return {"symbol": m[1], "level": m[2]} if m else {}


def _comparable(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return ``got`` without arguments the author could not know: an alert picked by its id
    (which only the assistant saw) is compared by the symbol and level of that same alert."""
    out = []
    for g, w in zip(got, want + [{}] * len(got), strict=False):
        args = dict(g.get("args") or {})
        wanted = w.get("args") or {}
        if g["name"] == "change_watch" and "watch_id" not in wanted:  # the watch it resolved to
            args.pop("watch_id", None)
            m = re.search(r"\(([^()]+) on (\w+)\)", str((g.get("result") or {}).get("message", "")))
            if m:
                args.update(
                    {k: v for k, v in (("strategy", m[1]), ("symbol", m[2])) if k in wanted}
                )
        if g["name"] in ("change_alert", "edit_alert") and "alert_id" not in wanted:
            named = _alert_named(g, str(args.pop("alert_id", "")))
            args.update({k: v for k, v in named.items() if k in wanted})
        out.append({"name": g["name"], "args": args})
    return out


@dataclass
class TurnOutcome:
    """How one turn went."""

    item: str
    turn: int
    category: str
    text: str
    passed: bool
    why: str
    substituted: str | None
    calls_ok: bool | None
    rule: str
    answer: str
    got: list[dict[str, Any]]
    want: list[dict[str, Any]] | None

    @property
    def key(self) -> str:
        """Return the turn's stable id: ``<item id>#<turn number>``."""
        return f"{self.item}#{self.turn}"


def score_turn(item: dict[str, Any], index: int, turn: dict[str, Any], reply: Any) -> TurnOutcome:
    """Return the outcome of one answered turn."""
    expect = turn.get("expect") or {}
    records = reply.tool_calls
    got = [{"name": r["name"], "args": r["args"]} for r in records]
    want = turn.get("calls")
    calls_ok = (
        None
        if want is None
        else [canonical(c) for c in _comparable(records, want)] == [canonical(c) for c in want]
    )
    substituted = None if expect.get("clarify") else substitution(expect, records)
    # a label's "number" that is not one (an author copied a tool's null) cannot be shown: it is
    # left out rather than failing every answer
    numbers = [str(n) for n in expect.get("numbers") or [] if _is_number(str(n))]
    data = [r for r in records if "error" not in (r.get("result") or {})]
    if expect.get("clarify"):
        passed = not [r for r in data if r["name"] not in _DATA_TOOLS_SKIP] and "?" in reply.answer
        why = "" if passed else "expected a clarifying question"
    elif expect.get("no_data") and not numbers:
        # The right reply is "no data for X": which level or date was asked cannot change it,
        # so the calls only have to be about X and all end in the no-data refusal.
        symbol = str(expect.get("symbol", "")).upper()
        about = all(str(r["args"].get("symbol", "")).upper() == symbol for r in records)
        passed = (
            bool(records)
            and about
            and not data
            and re.search(r"\bno (?:\w+ ){0,2}data\b", reply.answer.lower()) is not None
        )
        why = "" if passed else "expected a no-data reply about " + symbol
    elif numbers:
        shown = numbers_in(reply.answer)
        missing = [n for n in numbers if not shows_number(shown, n)]
        passed = not missing and substituted is None
        why = f"missing {', '.join(missing)}" if missing else ""
    elif expect.get("text_contains"):
        # the author named what the answer must say ("completed"): any tool that says it about
        # the asked symbol and session answers the question
        words = [str(w).lower() for w in expect["text_contains"]]
        missing_words = [w for w in words if w not in reply.answer.lower()]
        passed = bool(records) and not missing_words and substituted is None
        why = f"missing the word(s) {', '.join(missing_words)}" if missing_words else ""
    elif want is not None:
        passed = bool(calls_ok) and substituted is None
        why = "" if passed else "tool calls differ"
    else:
        passed = bool(records) and substituted is None
        why = "" if passed else "no tool ran"
    if substituted:
        why = f"silent substitution: {substituted}"
    return TurnOutcome(
        item=item["id"],
        turn=index,
        category=item.get("category", ""),
        text=turn["text"],
        passed=passed,
        why=why,
        substituted=substituted,
        calls_ok=calls_ok,
        rule=getattr(reply, "trace", "") or "",
        answer=reply.answer,
        got=got,
        want=want,
    )


@dataclass
class SetReport:
    """A first-contact set's outcome."""

    name: str
    outcomes: list[TurnOutcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        """Return the number of turns that passed."""
        return sum(o.passed for o in self.outcomes)

    @property
    def substitutions(self) -> list[TurnOutcome]:
        """Return the turns that silently answered something else."""
        return [o for o in self.outcomes if o.substituted]

    @property
    def misses(self) -> list[TurnOutcome]:
        """Return the turns that did not pass."""
        return [o for o in self.outcomes if not o.passed]

    def table(self) -> str:
        """Return the markdown table per category plus the totals."""
        by: dict[str, list[TurnOutcome]] = defaultdict(list)
        for o in self.outcomes:
            by[o.category].append(o)
        rows = [
            f"{self.name}:",
            "| category | turns | answered as asked | silent substitutions | calls exact |",
            "|---|---:|---:|---:|---:|",
        ]
        for cat, outs in [*sorted(by.items()), ("ALL", self.outcomes)]:
            labelled = [o for o in outs if o.calls_ok is not None]
            exact = sum(bool(o.calls_ok) for o in labelled)
            rows.append(
                f"| {cat} | {len(outs)} | {100 * sum(o.passed for o in outs) / len(outs):.1f}% | "
                f"{sum(bool(o.substituted) for o in outs)} | "
                f"{f'{100 * exact / len(labelled):.1f}%' if labelled else '—'} |"
            )
        return "\n".join(rows)


def evaluate_set(
    tools_ctx: ToolContext,
    name: str,
    provider: str = "offline",
    conversations: list[dict[str, Any]] | None = None,
    **assistant_kw: Any,
) -> SetReport:
    """Run every conversation of a first-contact set through the real graph; return the report."""
    tools_ctx.today = REFERENCE_DATE
    base = dict(tools_ctx.services)
    with tempfile.TemporaryDirectory(prefix="whispr-eval-") as home:
        tools_ctx.services = {**user_services(Path(home)), **base}
        try:
            assistant = Assistant(tools_ctx, provider, **assistant_kw)
            report = SetReport(name)
            for item in conversations if conversations is not None else load_set(name):
                tools_ctx.user_id = f"eval-{item['id']}"  # each conversation is a new trader
                tools_ctx.services["destination"] = f"web:{tools_ctx.user_id}"
                thread = f"fc-{item['id']}"
                for index, turn in enumerate(item["turns"], start=1):
                    reply = assistant.ask(turn["text"], thread)
                    report.outcomes.append(score_turn(item, index, turn, reply))
        finally:
            tools_ctx.services = base
    return report


def user_services(home: Path) -> dict[str, Any]:
    """Return the stores a signed-in trader has (alerts, strategies, memory, watches,
    briefings) under ``home``."""
    from integrations.alerts.briefings import SqliteBriefingStore
    from integrations.alerts.store import SqliteAlertStore
    from integrations.alerts.watchstore import SqliteWatchStore
    from integrations.storage.memory import VectorMemory
    from integrations.storage.strategies import SqliteStrategyStore
    from integrations.storage.vectors import VectorStore, make_client

    vectors = VectorStore(make_client(home / "chroma"))
    return {
        "alerts": SqliteAlertStore(home / "alerts.sqlite"),
        "strategies": SqliteStrategyStore(home / "whispr.sqlite", vectors),
        "memory": VectorMemory(vectors),
        "watches": SqliteWatchStore(home / "watches.sqlite"),
        "briefings": SqliteBriefingStore(home / "briefings.sqlite"),
        "destination": "web:eval",
    }
