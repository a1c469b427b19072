"""The offline planner: a trader's message (plus the thread's earlier turns) → typed tool calls.

Order of work: an answer to our own open question completes it; confirmations and strategy
authoring; the intent (``intents.RULES``); a follow-up of the previous turn (``followup``);
anything date-, level- or money-like that could not be read is asked about, never replaced by
a default; then the intent's builder fills the tool arguments. ``Plan.rule`` names the rule that
decided, so every miss in an evaluation can be traced to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.authoring import is_authoring, parse_strategy
from assistant.understand import briefing, build, distances, manage, sessions, watching
from assistant.understand.build import Built
from assistant.understand.conditions import not_applied_note, read_conditions, without_conditions
from assistant.understand.drafts import revise_draft, update_saved
from assistant.understand.followup import carry_context, follow_up
from assistant.understand.intents import classify
from assistant.understand.patterns import BACK_ASK, BACK_REFERENCE
from assistant.understand.plans import Plan
from assistant.understand.questions import complete, problem, same_side, span, which_period
from assistant.understand.reading import Reading, Setting
from assistant.understand.ruletests import gate_asked
from assistant.understand.termturns import after_term
from assistant.understand.turns import Turn

HELP = (
    "I can help with ATR levels, indicators, golden-gate and level-to-level statistics, position "
    'sizing, alerts, strategies and the glossary. Try: "SPX day levels", "SPY put trigger '
    'yesterday", "how often does a bullish golden gate complete after 1pm?", "odds of full ATR '
    'after the call trigger", "SPX ribbon on the hourly", "distance between the triggers", "size '
    'it: 25k account, 1% risk, long 450 stop 447", "what is a golden gate?".'
)

__all__ = ["HELP", "Plan", "Setting", "Turn", "plan"]


Builder = Callable[[Reading, list[str]], Built]
BUILDERS: dict[str, Builder] = {
    "levels": build.levels,
    "gg_stats": build.gg_stats,
    "level_stats": build.level_stats,
    "distance": distances.distance,
    "indicator": build.indicator,
    "context": build.context,
    "sizing": build.sizing,
    "create_alert": build.alert,
    "list_alerts": manage.no_args("list_alerts"),  # type: ignore[dict-item]
    "change_alert": manage.change_alert,
    "alert_history": manage.alert_history,
    "edit_alert": manage.edit_alert,
    "outcome": sessions.outcome,
    "counts": sessions.counts,
    "true_range": sessions.true_range,
    "backtest": manage.backtest,
    "compare": manage.compare,
    "strategies": manage.no_args("list_strategies"),  # type: ignore[dict-item]
    "search_strategies": manage.search,
    "show_strategy": manage.ref_call("show_strategy"),  # type: ignore[dict-item]
    "delete_strategy": manage.ref_call("delete_strategy"),  # type: ignore[dict-item]
    "share_strategy": manage.ref_call("share_strategy"),  # type: ignore[dict-item]
    "remember": manage.remember,
    "recall": manage.no_args("recall"),  # type: ignore[dict-item]
    "forget": manage.forget,
    "explain": manage.explain,
    "schedule_briefing": briefing.create,
    "list_briefings": manage.no_args("list_briefings"),  # type: ignore[dict-item]
    "change_briefing": briefing.change,
    "watch_strategy": watching.watch,
    "list_watches": manage.no_args("list_watches"),  # type: ignore[dict-item]
    "change_watch": watching.change,
    "paper_journal": watching.journal,
}
_MARKET = (
    "levels", "gg_stats", "level_stats", "distance", "indicator", "context", "create_alert", "sizing",
    "outcome", "counts", "true_range",
)  # fmt: skip
_BACK = r"\b(?:that|the same|same) (?:day|session|date)\b"
_BACK_ASK = (
    "Which symbol and session do you mean? I have no earlier answer for 'that day' to refer to."
)
_YES = (
    r"^(?:yes|yep|yeah|y|ok|okay|sure|confirm|do it|go ahead|save|store|keep|looks (?:right|good))\b"
    r"|\bsave (?:it|that|this)\b|\bsave\W*$"
)


def plan(text: str, history: list[Turn], setting: Setting) -> Plan:
    """Return the plan for one message; ``history`` holds the earlier turns, oldest first."""
    r = Reading(text, setting)
    if not r.t:
        return Plan(reply=HELP, rule="empty")
    asked = r  # conditions are read from the whole message
    plain = without_conditions(r.t)
    forced = None
    if plain != r.t:
        stripped = Reading(plain, setting)
        if classify(stripped)[0] in ("gg_stats", "level_stats"):
            r = stripped
        elif gate_asked(stripped):  # "spx bull gg when we open above the call trigger": odds
            r, forced = stripped, ("gg_stats", "gg-conditional")
    last = history[-1] if history else None
    weekday_answer = r.date.weekday is not None and not r.date.date and not r.symbols
    if last and last.pending and (weekday_answer or not _new_request(r)):
        completed = complete(last.pending, r)
        if completed is not None:
            decided = plan(completed, history[:-1], setting)
            decided.rule = f"answer-to-question > {decided.rule}"
            return decided
    intent, rule = forced or classify(r)
    authored = _authoring(r, last, setting, intent)
    if authored is not None:
        return authored
    if intent in ("unsupported", "smalltalk"):
        prefix = "I can't do that here. " if intent == "unsupported" else ""
        if rule == "refuse-prediction":
            prefix = (
                "I don't forecast prices: every number I give comes from the data. I can show "
                "today's levels and how often a setup played out before. "
            )
        return Plan(reply=prefix + HELP, rule=rule)
    about_term = after_term(plan, text, r, intent, rule, history, setting)
    if about_term is not None:
        return about_term
    unreadable = problem(r, intent or "levels")  # never answered by a follow-up's defaults
    if unreadable:
        return Plan(reply=unreadable, rule=f"{rule} > ask", pending={"text": text, "span": span(r)})
    data_turn = _last_data_turn(history)
    unanswered = bool(history) and not history[-1].calls and not history[-1].pending
    if r.has(BACK_REFERENCE) and not r.date.found and (data_turn is None or unanswered):
        return Plan(reply=BACK_ASK, rule="back-reference > ask", pending={"text": text, "span": ""})
    which = which_period(r, data_turn) or same_side(r, data_turn)
    if which:
        return Plan(reply=which, rule="ambiguous-period > ask", pending={"text": text, "span": ""})
    if data_turn is not None:
        calls = follow_up(r, intent, rule, data_turn)
        if calls:
            return _conditioned(Plan(calls=calls, rule=f"follow-up ({rule})"), asked)
    if intent is None:
        stats = last and last.calls and re.search(r"\bhow often\b|\bodds\b|\bcomplete", r.t)
        if stats and last is not None:
            return _stats_on_last_level(last, setting)
        return Plan(reply="I didn't understand that. " + HELP, rule=rule)
    symbols = _symbols(r, history, setting)
    built = BUILDERS[intent](r, symbols)
    if built.question:
        return Plan(reply=built.question, rule=f"{rule} > ask", pending={"text": text, "span": ""})
    calls = built.calls
    if data_turn is not None and intent in _MARKET:
        calls = [carry_context(r, data_turn, c) for c in calls]
    return _conditioned(Plan(calls=calls, rule=rule), asked)


def _conditioned(decided: Plan, r: Reading) -> Plan:
    """Return ``decided`` with the message's conditions ("on fridays", "when it opens below the
    put trigger") passed to each statistics call that takes them, and the rest named in a note."""
    unapplied: list[str] = []
    for call in decided.calls:
        found = read_conditions(r, call["name"])
        call["args"].update(found.args)
        unapplied += found.not_applied
    decided.note = not_applied_note(unapplied)
    return decided


_NO_DATA = ("explain_term", "remember", "recall", "forget")


def _last_data_turn(history: list[Turn]) -> Turn | None:
    """Return the latest earlier turn that ran a data tool (a glossary answer in between does
    not break a thread: "spy call trig 2/6" → "what's a call trigger?" → "and the put one")."""
    for turn in reversed(history[-3:]):
        if turn.calls and turn.calls[0]["name"] not in _NO_DATA:
            return turn
        if turn.calls or not turn.pending:
            continue
    return None


def _new_request(r: Reading) -> bool:
    intent, _ = classify(r)
    return intent is not None and intent not in ("smalltalk",) and r.words() > 6


def _symbols(r: Reading, history: list[Turn], setting: Setting) -> list[str]:
    if r.symbols:
        return r.symbols
    if re.search(r"\bboth\b(?! (?:triggers|trigs|ggs|golden gates|gates|sides))", r.t):
        return list(setting.symbols)
    for turn in reversed(history):
        for call in turn.calls:
            if call["args"].get("symbol"):
                return [str(call["args"]["symbol"])]
        if not turn.calls:  # asked back about (or refused) "spy levels thu 4/28/21": SPY
            named = Reading(str((turn.pending or {}).get("text") or turn.text), setting).symbols
            if named:
                return named
    return [setting.default_symbol]


def _stats_on_last_level(last: Turn, setting: Setting) -> Plan:
    """Return golden-gate odds for the side of the golden-gate level answered last turn."""
    for call in last.calls:
        level = call["args"].get("level")
        pair = set(call["args"].get("levels") or [])
        if pair == {"+0.382", "-0.382"}:
            sym = call["args"].get("symbol", setting.default_symbol)
            return Plan(
                calls=[{"name": "golden_gate_stats", "args": {"symbol": sym}}],
                rule="stats-on-last-level",
            )
        if level in ("+0.382", "-0.382"):
            sym = call["args"].get("symbol", setting.default_symbol)
            direction = "bull" if level == "+0.382" else "bear"
            return Plan(
                calls=[
                    {"name": "golden_gate_stats", "args": {"symbol": sym, "direction": direction}}
                ],
                rule="stats-on-last-level",
            )
    return Plan(reply="I didn't understand that. " + HELP, rule="no-rule")


_NOT_AUTHORING = (
    "unsupported",  # "buy 10 spy calls for me at the open": refused, never drafted
    "sizing",
    "create_alert",
    "change_alert",
    "edit_alert",
    "backtest",
    "compare",
    "remember",
)


def _authoring(r: Reading, last: Turn | None, setting: Setting, intent: str | None) -> Plan | None:
    """Return the plan for confirmations and strategy authoring, or None if it is not that."""
    t = r.t
    first = last.calls[0] if last and last.calls else None
    yes = re.search(r"^(?:yes|yep|yeah|ya|yup|yea|y|confirm\w*|do it|go ahead|sure)\b", t)
    if first and first["name"] == "delete_strategy" and yes:
        return Plan(
            calls=[{"name": "delete_strategy", "args": {**first["args"], "confirm": True}}],
            rule="confirm-delete",
        )
    waiting = first and (first.get("result") or {}).get("done") is False
    if first and first["name"] == "forget" and waiting and yes:
        ids = (first.get("result") or {}).get("ids") or []
        args = {"fact_id": ids[0]} if len(ids) == 1 else dict(first["args"])
        return Plan(
            calls=[{"name": "forget", "args": {**args, "confirm": True}}], rule="confirm-forget"
        )
    pending_alert = first and (first.get("result") or {}).get("pending")
    if first and first["name"] == "change_alert" and pending_alert and yes:
        args = (
            {**first["args"], "confirm": True}  # "delete all my alerts" → "yes"
            if pending_alert == "every"
            else {"alert_id": pending_alert, "action": "delete", "confirm": True}
        )
        return Plan(calls=[{"name": "change_alert", "args": args}], rule="confirm-delete-alert")
    if first and first["name"] == "update_strategy" and re.search(_YES, t):
        return Plan(
            calls=[{"name": "update_strategy", "args": {**first["args"], "save": True}}],
            rule="confirm-update",
        )
    draft = _recent_draft(last)
    if draft is not None and re.search(_YES, t) and not r.has(r"\bback ?test|\bbt\b"):
        return Plan(calls=[{"name": "save_strategy", "args": {"spec": draft}}], rule="confirm-save")
    if first and first["name"] == "draft_strategy":
        revised = revise_draft(r, first["args"]["spec"])
        if revised is not None:
            return Plan(
                calls=[{"name": "draft_strategy", "args": {"spec": revised}}], rule="revise-draft"
            )
    update = update_saved(r)
    if update is not None:
        return update
    if first and first["name"] == "position_size" and r.has(_REVISES):
        return None  # "short at the ptrig instead, same stop": the sizing, revised
    previous = last.text if last else ""
    plain = re.sub(r"\b(?:long|short) trigger\b", "level", t)
    answering = (
        bool(previous)
        and last is not None
        and not last.calls
        and is_authoring(Reading(previous, setting).t)
        and not is_authoring(plain)
        and not r.has(r"\bwhat(?:'s| is| are| was)\b")  # "what's the call trigger": a question
    )
    if not (is_authoring(plain) or answering) or intent in _NOT_AUTHORING:
        return None
    source = f"{previous}, {r.text}" if answering else r.text
    symbols = Reading(source, setting).symbols
    parsed = parse_strategy(source, symbols[0] if symbols else setting.default_symbol)
    if parsed.question:
        return Plan(reply=parsed.question, rule="author > ask")
    return Plan(calls=[{"name": "draft_strategy", "args": {"spec": parsed.spec}}], rule="author")


_REVISES = r"\binstead\b|\bsame (?:stop|entry|risk|account|size)\b|^(?:and |ok |now )?what if\b"


def _recent_draft(last: Turn | None) -> dict[str, Any] | None:
    """Return the unsaved draft of the last turn or the one before (a backtest of the draft in
    between keeps it: "backtest it" then "save it")."""
    for turn in (last, last.earlier if last else None):
        if turn is None or not turn.calls:
            continue
        call = turn.calls[0]
        if call["name"] == "draft_strategy":
            return call["args"]["spec"]
        if call["name"] == "backtest_strategy" and call["args"].get("spec"):
            return call["args"]["spec"]
        return None
    return None
