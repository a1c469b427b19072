"""Follow-ups about the previous answer itself: a strategy's metrics asked again, a comparison
with the strategy just backtested, "run the X one" after a list of strategies, "gg to gg?"
after a distance, "in % terms?" after two levels, and references to the user's objects."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.briefing import briefing_reference
from assistant.understand.changes import distance_span, levels_apart
from assistant.understand.conditionturns import (
    condition_follow_up,
    pair_follow_up,
    same_call_changed,
    session_fact_follow_up,
    side_follow_up,
)
from assistant.understand.manage import compare
from assistant.understand.objectturns import alert_object, shown_from_list, strategy_object
from assistant.understand.reading import Reading
from assistant.understand.references import object_reference
from assistant.understand.ruletests import builtin_named
from assistant.understand.turns import Turn
from assistant.understand.watching import journal_reference

Call = dict[str, Any]
_STRATEGY_TOOLS = (
    "backtest_strategy",
    "compare_strategies",
    "list_strategies",
    "search_strategies",
)
_METRICS = (
    r"\b(?:profit factor|pf|max (?:dd|drawdown)|drawdown|dd|sharpe|win ?(?:rate|%)|expectancy"
    r"|avg r|average r|how many trades|# of trades|trades?|equity|p&?l|pnl|return)\b"
)
_RUN = r"^(?:ok |now |and |so |then |can you |pls |please )?(?:run|test|try|backtest|bt)\b"


_CUT = (
    r",|\b(?:since|from|over|during|between|for|in|on|last|this|ytd|same|q[1-4]|jan\w*|feb\w*|spx|spy"
    r"|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*)\b|\d"
)


def _named(text: str) -> str | None:
    """Return the built-in strategy named before any dates or clauses ("the call trigger one
    jun-dec '25", "w the put trigger one, same dates")."""
    head = re.split(_CUT, text)[0]
    return builtin_named(
        re.sub(r"\b(?:compare|vs|versus|with|w|against|to)\b", " ", head), loose=True
    )


def _range(r: Reading, args: dict[str, Any]) -> dict[str, Any]:
    """Return the dates a follow-up names, else the previous call's."""
    start, end = r.range
    if start or end:
        return {
            **({"start": start.isoformat()} if start else {}),
            **({"end": end.isoformat()} if end else {}),
        }
    return {k: args[k] for k in ("start", "end") if k in args}


_SHOWN = {
    "average_true_range": r"\b(?:simple|plain|sma|mean|avg|average) (?:of )?(?:the )?(?:true ranges?|trs?)\b"
    r"|\btrue ranges?\b.*\b(?:avg|average|mean)\b",
}
"""Follow-ups the previous answer already shows: the simple mean beside a Wilder ATR."""


def strategy_follow_up(r: Reading, intent: str | None, last: Turn) -> list[Call] | None:
    """Return the calls a strategy follow-up asks for (or a figure the previous answer already
    shows, asked again), or None when it is not one."""
    if last.calls and (shown := _SHOWN.get(last.calls[0]["name"])) and r.has(shown):
        return [dict(last.calls[0])] if not r.symbols else None
    if not last.calls or last.calls[0]["name"] not in _STRATEGY_TOOLS:
        return None
    template = last.calls[0]
    args = template["args"]
    if template["name"] == "backtest_strategy" and intent == "compare":
        built = compare(r, [str(args.get("symbol") or "SPX")])
        if built.question and (other := _named(r.t)):
            names = [str(args["strategy"]), other]
            keep = (
                {"symbol": r.symbols[0]}
                if r.symbols
                else {k: args[k] for k in ("symbol",) if k in args}
            )
            return [
                {
                    "name": "compare_strategies",
                    "args": {"strategies": names, **keep, **_range(r, args)},
                }
            ]
        return None
    other = builtin_named(r.t) or (_named(r.t) if r.words() <= 5 else None)
    if (
        template["name"] == "backtest_strategy"
        and other
        and other != args.get("strategy")
        and (
            r.has(
                r"\bsame (?:period|dates|range|window|time(?: ?frame)?)\b"
                r"|^(?:and |now |what about |how about )"
            )
            or r.words() <= 3
        )
    ):  # "ivomy same period" after vomy for 2025; "ivomy?", "and the ptrig one"
        keep = {k: args[k] for k in ("symbol",) if k in args}
        return [
            {"name": "backtest_strategy", "args": {"strategy": other, **keep, **_range(r, args)}}
        ]
    if (
        template["name"] in ("backtest_strategy", "compare_strategies")
        and r.has(_METRICS)
        and not r.has(r"\b(?:paper|watch\w*|live|forward|track|monitor)\b")  # "paper trade it"
        and r.words() <= 9
        and builtin_named(r.t) is None
        and not r.symbols
    ):  # "profit factor + max dd on that?": the same run shows them
        return [{"name": template["name"], "args": {**args, **_range(r, args)}}]
    if (
        intent not in ("backtest", "compare")
        and r.has(r"\bstrat(?:egy|s)?\b")
        and not r.has(r"\b(?:live|forward|paper|watch\w*|alert)\b")
        and (name := _named(r.t))
    ):  # "put trigger strat on spy since june" in a strategy conversation: its backtest
        sym = {"symbol": r.symbols[0]} if r.symbols else {}
        return [{"name": "backtest_strategy", "args": {"strategy": name, **sym, **_range(r, {})}}]
    if (
        intent not in ("backtest", "compare")
        and r.has(_RUN)
        and not r.has(r"\b(?:live|forward|paper)\b")
    ):
        name = _named(re.sub(_RUN, " ", r.t))
        if name:  # "run the call trigger one jun-dec '25" after a list of strategies
            sym = {"symbol": r.symbols[0]} if r.symbols else {}
            return [
                {"name": "backtest_strategy", "args": {"strategy": name, **sym, **_range(r, {})}}
            ]
    return None


_WATCH_TOOLS = ("watch_strategy", "list_watches", "paper_journal", "change_watch")
_BARE_ACTION = (
    r"^(?:ok |k |now |and |then |pls |please )*(pause|resume|unpause|stop|delete|kill|remove)"
    r"(?: it| that| that one| this one| the watch| watching)?(?: for now| now| pls| please| too)?\W*$"
)


def watch_action(r: Reading, last: Turn) -> list[Call] | None:
    """Return "pause it for now", "k resume" after a watch or journal answer: that watch (the
    tool picks the user's only watch when the previous call named none)."""
    m = re.search(_BARE_ACTION, r.t)
    if not m or not last.calls or last.calls[0]["name"] not in _WATCH_TOOLS:
        return None
    verb = m[1]
    action = "pause" if verb == "pause" else "resume" if verb in ("resume", "unpause") else "delete"
    named = {
        k: v for k, v in last.calls[0]["args"].items() if k in ("watch_id", "strategy", "symbol")
    }
    if last.calls[0]["name"] == "paper_journal":
        named = {k: v for k, v in named.items() if k == "watch_id"}
    return [{"name": "change_watch", "args": {**named, "action": action}}]


def about_the_answer(r: Reading, intent: str | None, last: Turn) -> list[Call] | None:
    """Return the calls of a message about the previous answer itself (see the module), or
    None; checked before any other follow-up reading."""
    return (
        condition_follow_up(r, last)
        or alert_object(r, last)
        or strategy_object(r, last)
        or shown_from_list(r, last)
        or session_fact_follow_up(r, last)
        or side_follow_up(r, last)
        or pair_follow_up(r, last)
        or same_call_changed(r, last)
        or watch_action(r, last)
        or journal_reference(r, last)
        or briefing_reference(r, last)
        or strategy_follow_up(r, intent, last)
        or distance_span(r, last)
        or levels_apart(r, last)
        or object_reference(r, intent, last)
    )
