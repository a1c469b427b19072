"""Follow-ups about the object the last answer was about: the level of an alert just set
("what price is that?"), its firings ("when has it fired before"), another alert "for the bear
gg, same window", a new one after a clear-out ("set a fresh one: spx put trig"), and a saved
strategy changed or shown without its name ("change the target to +1 atr", "set its stop to the
put trigger and save", "show the Morning ctrig one")."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.reading import Reading
from assistant.understand.turns import Turn

Call = dict[str, Any]
_ALERTS = ("create_alert", "edit_alert", "change_alert", "alert_history")
_STRATEGIES = ("save_strategy", "update_strategy", "show_strategy", "backtest_strategy")


def _alert_args(last: Turn) -> dict[str, Any] | None:
    """Return the symbol and level of the alert the last answer was about, or None."""
    call = last.calls[0] if last.calls else None
    if call is None or call["name"] not in _ALERTS:
        return None
    args = {k: call["args"][k] for k in ("symbol", "level") if k in call["args"]}
    return args if "symbol" in args and "level" in args else None


def alert_object(r: Reading, last: Turn) -> list[Call] | None:
    """Return the call a message about the last alert asks for, or None."""
    another = re.search(
        r"^(?:and |also |plus )?(?:another|one more|also one|one) for (?:the )?(.+?),? same"
        r" (?:window|hours|time)\W*$",
        r.t,
    )
    made = next(
        (
            t.calls[0]
            for t in (last, last.earlier)
            if t and t.calls and t.calls[0]["name"] == "create_alert"
        ),
        None,
    )  # the alert just set, also across a question about its level in between
    if another and made is not None:  # "also one for the bear gg, same window"
        old = made["args"]
        keys = resolve_unsided(r.levels, r.t, "-" if old.get("direction") == "down" else "+")
        if len(keys) == 1:
            direction = old.get("direction", "up")
            if keys[0][:1] != str(old["level"])[:1]:  # the other side: the other way through it
                direction = "down" if direction == "up" else "up"
            new = {**old, "level": keys[0], "direction": direction}
            if r.symbols:
                new["symbol"] = r.symbols[0]
            return [{"name": "create_alert", "args": new}]
    args = _alert_args(last)
    if args is None:
        return None
    if r.has(
        r"\bwhat(?:'s| is)? (?:the |that |this )?(?:price|level)\b|\bwhat price\b|\bwhere is (?:that|it)\b"
    ):
        level = args["level"] if args["level"][:1] in "+-0" else "+" + args["level"]
        return [{"name": "atr_levels", "args": {"symbol": args["symbol"], "level": level}}]
    if r.has(
        r"\b(?:when )?(?:has|did|have) (?:it|that|this)(?: one| alert)? (?:ever |already |yet )?"
        r"(?:fire[ds]?|trigger(?:ed)?|gone off|go off|hit)\b|\bfired (?:before|yet)\b"
    ):
        return [{"name": "alert_history", "args": args}]
    return None


def shown_from_list(r: Reading, last: Turn) -> list[Call] | None:
    """Return "show the Morning ctrig one" after a list or search of strategies as that
    strategy's details (its name as typed), or None."""
    if not last.calls or last.calls[0]["name"] not in ("search_strategies", "list_strategies"):
        return None
    m = re.search(
        r"^(?:ok |now |and )?(?:show|open|pull up|describe)(?: me)? (?:the |my )?(.+?) one\W*$",
        re.sub(r"\s+", " ", r.text.strip()),
        re.I,
    )
    return [{"name": "show_strategy", "args": {"ref": m[1]}}] if m else None


def strategy_of(call: Call) -> str | None:
    """Return the strategy a strategy call was about: its reference, name or drafted spec's
    name, else the name its result gives; None when it names none."""
    spec = call["args"].get("spec") or {}
    result = call.get("result") or {}
    name = call["args"].get("ref") or call["args"].get("strategy") or spec.get("name")
    return str(name or result.get("strategy") or result.get("name") or "") or None


def _strategy_name(last: Turn) -> str | None:
    """Return the saved (not built-in) strategy the last answer was about, or None."""
    call = last.calls[0] if last.calls else None
    return strategy_of(call) if call is not None and call["name"] in _STRATEGIES else None


def strategy_object(r: Reading, last: Turn) -> list[Call] | None:
    """Return an update of the last strategy's target or stop named by pointer or not at all
    ("change the target to +1 atr", "set its stop to the put trigger and save"), or None."""
    name = _strategy_name(last)
    m = re.search(
        r"^(?:ok |now |and |then )?(?:change|set|move|make|update)(?: the| its| it'?s)? (target|stop)"
        r"(?: to| at)? (?:the )?(.+?)(?:,? and save(?: it)?)?\W*$",
        r.t,
    )
    if name is None or m is None:
        return None
    sign = "+" if m[1] == "target" else "-"
    keys = (
        ["0"]
        if re.search(r"\b(?:previous close|pdc|close)\b", m[2])
        else resolve_unsided(read_levels(m[2]), m[2], sign)
    )
    if len(keys) != 1:
        return None
    args: dict[str, Any] = {"ref": name, m[1]: keys[0]}
    if r.has(r"\band save\b|\bsave it\b"):
        args["save"] = True
    return [{"name": "update_strategy", "args": args}]
