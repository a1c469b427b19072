"""How a follow-up changes the previous question's arguments, by tool: a level-to-level pair
("and from the gg?"), a count ("which days", "below the -1"), golden-gate side and hours, sizing
terms and statistics windows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.reading import Reading
from assistant.understand.turns import RANGED_TOOLS


def pair_change(r: Reading, args: dict[str, Any]) -> dict[str, Any]:
    """Return a new start or end of a level-to-level question ("and from the gg?", "to +1
    instead"), each level on the side of the one it replaces unless the message names one."""
    out: dict[str, Any] = {}
    both = re.fullmatch(
        r"(?:and |what about |how about |now |ok )?(?:from )?(?:the )?(.+?) (?:to|->|→) (?:the )?(.+?)\??",
        r.t,
    )
    if both:  # "what about +1 to +1.236"
        a = resolve_unsided(read_levels(both[1]), both[1], str(args.get("from_level", "+"))[:1])
        b = resolve_unsided(read_levels(both[2]), both[2], str(args.get("to_level", "+"))[:1])
        if len(a) == 1 and len(b) == 1:
            return {"from_level": a[0], "to_level": b[0]}
    alone = read_levels(r.t).keys if not re.search(r"\b(?:from|to)\b|->|→", r.t) else []
    if len(alone) == 1 and r.words() <= 4 and args.get("from_level") == "0":
        return {"to_level": alone[0]}  # "and -1" after "pc to +1": the other target
    for word, key in (("from", "from_level"), ("to", "to_level")):
        m = re.search(rf"\b{word}\b(?: the)? (.+?)(?=\b(?:to|from|instead)\b|\?|$)", r.t)
        old = args.get(key)
        if not (m and isinstance(old, str)):
            continue
        keys = resolve_unsided(read_levels(m[1]), m[1], old[:1] if old[:1] in "+-" else None)
        if len(keys) == 1:
            out[key] = keys[0]
    return out


def gate_change(r: Reading, args: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = {}
    if r.gg_side and "direction" not in out:
        change["direction"] = r.gg_side
    bare = re.fullmatch(
        r"(?:and |what about |how about |now )?(?:the )?(\d{1,2})(?: ?(?:am|pm|o'?clock))?\??", r.t
    )
    hour = int(bare[1]) + (12 if int(bare[1]) < 5 else 0) if bare else 0
    if r.buckets:
        change["trigger_buckets"] = r.buckets
    elif 9 <= hour <= 15:
        change["trigger_buckets"] = [f"{hour:02d}"]
    elif r.has(r"\b(?:the )?open(?:ing)?\b"):
        change["trigger_buckets"] = ["open"]
    elif r.has(r"\ball (?:hours|day|buckets|triggers)\b|\bany time\b"):
        change["trigger_buckets"] = None
    return change


def sizing_change(r: Reading, args: dict[str, Any]) -> dict[str, Any]:
    z = r.sizing
    out: dict[str, Any] = {}
    if z.side and "side" in args:
        out["side"] = z.side
    for key, value in (("account_size", z.account), ("entry", z.entry), ("stop", z.stop)):
        if value is not None:
            out[key] = value
    if z.targets:
        out["targets"] = z.targets
    risk = z.risk_pct
    if risk is None and (m := re.search(r"(\d+(?:\.\d+)?) ?%", r.t)):
        risk = float(m[1])
    if risk is not None:
        out.update(risk_pct=risk, risk_amount=None)
    elif z.risk_amount is not None:  # "what if risk $300 instead"
        out.update(risk_amount=z.risk_amount, risk_pct=None)
    if z.multiplier:
        out["multiplier"] = z.multiplier
        out.pop("side", None)
    elif z.units == "shares":
        out["multiplier"] = None
    return out


def counts_change(r: Reading, args: dict[str, Any]) -> dict[str, Any]:
    """Return "which days" (list them) or another level ("and the call trigger?") of a count."""
    out: dict[str, Any] = {}
    if r.has(
        r"\b(?:which|what) (?:days|dates|sessions)\b|\blist\b|\bdates\b|^which (?:ones|days)\b|\bshow (?:me )?(?:them|the days)\b"
    ):
        out["list_dates"] = True
    keys = resolve_unsided(read_levels(r.t), r.t, str(args.get("level", "+"))[:1])
    if len(keys) == 1 and args.get("event") not in ("close_inside", "open_beyond"):
        out["level"] = keys[0]
    if r.has(r"\b(?:touch(?:ed|es)?|tag(?:ged|s)?|hit|reached)\b") and len(keys) == 1:
        out.update(event="touch", level=keys[0], side=None)  # "and touched +1 in that span"
        return out
    mags = {k.lstrip("+-") for k in keys if k != "0"}
    if len(mags) == 1 and args.get("event") in ("close_inside", "open_beyond"):
        out["level"] = mags.pop()  # "inside the gg's?" after "inside the triggers"
    if args.get("event") == "open_beyond":  # "gap ups only", "below only"
        if re.search(r"\bgap(?:s|ped)? ?ups?\b|\b(?:above|up) only\b|\bupside\b", r.t):
            out["side"] = "above"
        elif re.search(r"\bgap(?:s|ped)? ?downs?\b|\b(?:below|down) only\b|\bdownside\b", r.t):
            out["side"] = "below"
    if args.get("event") in ("close_above", "close_below"):
        if r.has(r"\b(?:below|under|beneath)\b"):
            out["event"] = "close_below"
        elif r.has(r"\b(?:above|over)\b"):
            out["event"] = "close_above"
    return out


def range_change(r: Reading, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """Return the start and end a follow-up of a ``tool`` call names (nothing for a tool over
    no span); a period written without its year ("q3?", "h2?") is taken in the year of the span
    answered before (``args``' start)."""
    if tool not in RANGED_TOOLS:
        return {}
    start, end = r.range
    half = re.fullmatch(
        r"(?:and |what about |how about |now )?(?:the )?(h[12]|[12](?:st|nd) half)\W*", r.t
    )
    was = str(args.get("start") or "")[:4]
    if half and was.isdigit():  # "h2?" after h1 2025
        first = half[1][-1] == "1" or half[1].startswith("1")
        start, end = (
            dt.date(int(was), 1 if first else 7, 1),
            dt.date(int(was), 6 if first else 12, 30 if first else 31),
        )
    elif (start or end) and was.isdigit() and not re.search(r"(?:19|20)\d\d|'\d\d", r.date.text):
        shift = int(was) - (start or end).year  # type: ignore[union-attr]
        start = start.replace(year=start.year + shift) if start else None
        end = end.replace(year=end.year + shift) if end else None
    if not (start or end):
        return {}
    return {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}


def distance_span(r: Reading, last: Any) -> list[dict[str, Any]] | None:
    """Return "gg to gg?" after a distance between two levels: the same distance between the
    two sides of the family named (bear gate to bull gate, in the previous call's order)."""
    if not last.calls or last.calls[0]["name"] != "level_distance":
        return None
    m = re.fullmatch(r"(?:and |what about |ok |so |now )?(?:the )?(.+?) to (?:the )?(.+?)\W*", r.t)
    if not m or read_levels(m[1]).unsided != read_levels(m[2]).unsided or read_levels(m[1]).keys:
        return None
    family = read_levels(m[1]).unsided
    if len(family) != 1:
        return None
    args = dict(last.calls[0]["args"])
    up = str(args.get("end_at", "+"))[:1] != "-"
    low, high = f"-{family[0]}", f"+{family[0]}"
    args.update(start_at=low if up else high, end_at=high if up else low)
    return [{"name": "level_distance", "args": args}]


_IN_TERMS = (
    r"^(?:and |ok |so )?(?:in |as a )?(?:%|percent|pts|points|atrs?)(?: terms)?\W*$"
    r"|^(?:and |ok |so )?how (?:many|much|far)(?: (?:atrs?|pts|points|%))?(?: apart| is (?:that|it))?\W*$"
)


def levels_apart(r: Reading, last: Any) -> list[dict[str, Any]] | None:
    """Return "in % terms?" / "how far apart?" after an answer of exactly two levels: the
    distance between them (points, % and ATR), same session and mode."""
    if not last.calls or last.calls[0]["name"] != "atr_levels" or not r.has(_IN_TERMS):
        return None
    args = last.calls[0]["args"]
    keys = args.get("levels") or []
    if len(keys) != 2:
        return None
    keep = {k: args[k] for k in ("symbol", "date", "mode") if k in args}
    return [{"name": "level_distance", "args": {**keep, "start_at": keys[0], "end_at": keys[1]}}]
