"""Follow-ups that change one thing of the previous answer: a statistics question's condition
("what about gap ups above ctrig", "what if its in accumulation", "now only tues and thurs"),
its side ("+ side", "bear side?"), the pair a distance spans ("and between the gg's"), the
levels' anchor ("now the normal ones"), the ATR's average ("and wilder 5?") or the day a sizing
is priced on ("same for tmrw's levels"). Each returns the previous call changed, or None."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.conditions import read_conditions, without_conditions
from assistant.understand.reading import Reading
from assistant.understand.turns import Turn

_STATS = ("golden_gate_stats", "level_to_level")
_LEAD = r"^(?:and |so |ok |now |k )?(?:what about|how about|what if|and|with|when|if|on|for|only|just)\b"
_ZONE = r"\b(extended up|distribution|mark ?up|launch box|mark ?down|accumulation|extended down)\b"
_FILLER = (
    r"\b(?:and|so|ok|now|k|what|about|how|if|its|it's|it|is|in|the|a|with|when|on|for|days?"
    r"|sessions?|instead|then|only|po|ribbon)\b|[?!.,]"
)


_DROPS = {
    "po_zone": r"po|phase|oscillator", "ribbon": r"ribbon", "open_location": r"gap|open",
    "weekdays": r"weekday|day|mon|tue|wed|thu|fri",
}  # fmt: skip
_BARE_OPEN = (
    r"^(?:and |now |ok |what about |how about )?(?:only )?(?:days that open )?(above|below|over|under|inside)"
    r" (?:the )?(pdc|previous close|call trigger|put trigger|triggers)\W*$"
)


def _dropped(r: Reading, args: dict[str, Any]) -> dict[str, Any] | None:
    """Return ``args`` without the filters a message drops ("no PO filter at all", "drop the
    gap filter", "and any weekday"), or None when it drops none."""
    if not r.has(r"\b(?:no|without|drop|remove|ignore|any|all)\b"):
        return None
    out = dict(args)
    for key, words in _DROPS.items():
        if key in out and r.has(
            rf"\b(?:no|without|drop|remove|ignore)\b(?: the| a)? (?:{words})\w*"
            rf"|\b(?:any|all) (?:{words})\w*"
        ):
            out.pop(key)
            if key == "po_zone":
                out.pop("indicator_timeframe", None)
    return out if out != args else None


def condition_follow_up(r: Reading, last: Turn) -> list[dict[str, Any]] | None:
    """Return the previous statistics call under the condition this message names (or without
    the one it drops), or None when the message is not only a change of condition."""
    if not last.calls or last.calls[0]["name"] not in _STATS:
        return None
    call = last.calls[0]
    if (dropped := _dropped(r, call["args"])) is not None:
        return [{"name": call["name"], "args": dropped}]
    if "open_location" in call["args"] and (m := re.search(_BARE_OPEN, r.t)):
        opened = Reading(f"opens {m[1]} the {m[2]}", r.setting)  # "now below pdc"
        found = read_conditions(opened, call["name"]).args
        if found:
            return [{"name": call["name"], "args": {**call["args"], **found}}]
    ribbon = re.search(
        r"^(?:and |now |what about )?(?:a |the )?(bullish|bearish|mixed)(?: ribbon)?\W*$", r.t
    )
    if "ribbon" in call["args"] and ribbon:  # "and mixed" after a ribbon filter
        return [{"name": call["name"], "args": {**call["args"], "ribbon": ribbon[1]}}]
    if not r.has(_LEAD):
        return None
    found = dict(read_conditions(r, call["name"]).args)
    zone = re.search(_ZONE, r.t)
    if zone and "po_zone" not in found and "po_zone" in call["args"]:  # "what if its in accum"
        found["po_zone"] = re.sub(r"mark ?", "mark_", zone[1]).replace(" ", "_")
    if not found:
        return None
    residue = re.sub(_ZONE, " ", without_conditions(r.t))
    residue = re.sub(
        r"\b(?:bullish|bearish|mixed|bull|bear)\b|\b(?:mon|tue|wed|thu|fri)\w*", " ", residue
    )
    if len(re.sub(_FILLER, " ", residue).split()) > 1:
        return None
    return [{"name": call["name"], "args": {**call["args"], **found}}]


_SIDE = (
    r"^(?:and |now |ok |what about |the )?(\+|-|plus|minus|up|down|upside|downside|bull\w*|bear\w*"
    r"|call|put)\s*(?:side|one|version)?\W*$"
)


def side_follow_up(r: Reading, last: Turn) -> list[dict[str, Any]] | None:
    """Return the previous level-to-level odds or session outcome on the side asked ("+ side",
    "bear side?"), or None."""
    m = re.search(_SIDE, r.text.lower().strip())
    if not m or not last.calls:
        return None
    sign = "+" if m[1] in ("+", "plus", "up", "upside", "call") or m[1].startswith("bull") else "-"
    call = last.calls[0]
    args = dict(call["args"])
    keys = ("from_level", "to_level") if call["name"] == "level_to_level" else ("focus",)
    if call["name"] not in ("level_to_level", "session_outcome") or not all(
        str(args.get(k, "0"))[:1] in "+-" for k in keys
    ):
        return None
    for k in keys:
        if k in args:
            args[k] = sign + str(args[k])[1:]
    return [{"name": call["name"], "args": args}]


_PAIRS = {
    "gg": "0.382",
    "golden gate": "0.382",
    "trigger": "0.236",
    "mid": "0.618",
    "midrange": "0.618",
}


def pair_follow_up(r: Reading, last: Turn) -> list[dict[str, Any]] | None:
    """Return "and between the gg's" after a distance as the distance between both sides of
    that level, or None."""
    m = re.search(
        r"^(?:and |what about |now )?(?:between|from) (?:the )?(gg|golden gate|trigger|mid|midrange)"
        r"(?:'?s|s)\W*$",
        r.t,
    )
    if not m or not last.calls or last.calls[0]["name"] != "level_distance":
        return None
    size = _PAIRS[m[1]]
    args = {**last.calls[0]["args"], "start_at": f"-{size}", "end_at": f"+{size}"}
    return [{"name": "level_distance", "args": args}]


def same_call_changed(r: Reading, last: Turn) -> list[dict[str, Any]] | None:
    """Return the previous call with one setting changed: the official close as anchor again
    ("now the normal ones"), Wilder's ATR asked after the simple mean ("and wilder 5?"), a
    sizing priced on another day ("same for tmrw's levels"); else None."""
    if not last.calls:
        return None
    call = last.calls[0]
    args = dict(call["args"])
    if args.get("use_current_close") and r.has(r"\b(?:normal|regular|standard|usual|official)\b"):
        args.pop("use_current_close")
        return [{"name": call["name"], "args": args}]
    if call["name"] == "average_true_range" and r.has(r"^(?:and |ok |now )?wilder\b"):
        n = re.search(r"\b(\d{1,3})\b", r.t)
        return [{"name": call["name"], "args": {**args, **({"sessions": int(n[1])} if n else {})}}]
    same = r"^(?:and |ok |now )?(?:same|do the same|same thing|same trade)\b"
    if call["name"] == "position_size" and r.date.found and r.has(same):
        day = r.date.resolve(r.setting.today_for(args.get("symbol")))
        return [
            {"name": call["name"], "args": {**args, **({"date": day.isoformat()} if day else {})}}
        ]
    return None


_SESSION_TOOLS = ("session_outcome", "atr_levels", "price_context")


def session_fact_follow_up(r: Reading, last: Turn) -> list[dict[str, Any]] | None:
    """Return "and the gap at the open?", "how big was the range in atr" after an answer about
    one session as that session's outcome (it shows the gap, range and close), or None."""
    if not last.calls or last.calls[0]["name"] not in _SESSION_TOOLS or r.symbols:
        return None
    args = last.calls[0]["args"]
    if (
        not r.has(
            r"^(?:and |ok |so )?(?:what about |how about |how big was |what was )?(?:the )?"
            r"(?:gap|range|open|close|high|low)\b.{0,30}$"
        )
        or args.get("mode", "day") != "day"
    ):
        return None
    if r.has(r"\brange\b") and last.calls[0]["name"] != "session_outcome":
        return None  # "range vs atr that day?" after levels: the levels answer shows it
    keep = {k: args[k] for k in ("symbol", "date") if k in args}
    return [{"name": "session_outcome", "args": keep}]
