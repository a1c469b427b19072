"""Builders for questions about sessions rather than levels: what happened in one session
(``session_outcome``), how many sessions did something (``session_counts``) and the average true
range over N sessions (``average_true_range``)."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.build import Built, fill
from assistant.understand.levels import resolve_unsided
from assistant.understand.patterns import TRUE_RANGE
from assistant.understand.reading import Reading


def outcome(r: Reading, symbols: list[str]) -> Built:
    """Return one session_outcome call per symbol (the session and mode named, else the latest),
    with the one level asked about as its focus ("what time did SPX hit the call trigger")."""
    keys = resolve_unsided(r.levels, r.t)
    if r.has(r"\bgolden ?gates?\b|\bggs?\b|\bgates?\b") and r.gg_side:
        keys = ["+0.382" if r.gg_side == "bull" else "-0.382"]  # "did the bull gg trigger"
    given: dict[str, Any] = {"focus": keys[0]} if len(keys) == 1 else {}
    return Built([fill("session_outcome", r, s, **given) for s in symbols])


def _event(r: Reading) -> tuple[str, str | None] | None:
    """Return (event, side) a counting question asks about, or None when it names none."""
    t = r.t
    if re.search(r"\b(?:close[sd]?|closing|settle[sd]?)\b.{0,30}\b(?:inside|within|between)\b", t):
        return "close_inside", None
    if m := re.search(
        r"\bopen(?:s|ed|ing)?\b.{0,20}\b(above|below|beyond|outside|over|under)\b", t
    ):
        side = {"above": "above", "over": "above", "below": "below", "under": "below"}.get(m[1])
        return "open_beyond", side or "either"
    if re.search(
        r"\bgap(?:s|ped)? ?(?:ups?|downs?)?.{0,12}\b(?:beyond|past|above|below|over|thru|through|under)\b",
        t,
    ):
        up = re.search(r"\bgap(?:s|ped)? ?ups?\b|\babove\b|\bover\b", t)  # "gap ups"
        down = re.search(r"\bgap(?:s|ped)? ?downs?\b|\bbelow\b|\bunder\b", t)
        return (
            "open_beyond",
            "above" if up and not down else "below" if down and not up else "either",
        )
    if m := re.search(
        r"\b(?:close[sd]?|closing|settle[sd]?)\b.{0,12}\b(above|over|below|under|beneath|green|red|up|down)\b",
        t,
    ):
        return ("close_above" if m[1] in ("above", "over", "green", "up") else "close_below"), None
    if m := re.search(r"\b(green|red|up|down) (?:close[sd]?|closing days|days|sessions)\b", t):
        return ("close_above" if m[1] in ("green", "up") else "close_below"), None
    if re.search(
        r"\b(?:tag(?:s|ged|ging)?|touch(?:es|ed|ing)?|hit|hits|hitting|reach(?:es|ed|ing)?"
        r"|trade[sd]? (?:at|through))\b",
        t,
    ):
        return "touch", None
    return None


def counts(r: Reading, symbols: list[str]) -> Built:
    """Return a session_counts call: the event, its level (the previous close when a close is
    compared with nothing else: "closes green"), the period named and, when the question asks
    which days, the list of dates; ask when the level is missing or more than one is named."""
    found = _event(r)
    if found is None:
        return Built(
            question="Count sessions that did what: closed above/below a level, closed "
            "inside ±a level, opened beyond one, or tagged one?"
        )
    event, side = found
    keys = resolve_unsided(r.levels, r.t, "+" if event != "close_below" else "-")
    if event in ("close_inside", "open_beyond"):
        mags = {k.lstrip("+-") for k in keys if k != "0"}
        if len(mags) != 1:
            return Built(
                question="Inside or beyond which level (e.g. ±0.236 the triggers, "
                "±0.382 the golden gates)?"
            )
        level = mags.pop()
        if event == "open_beyond" and side == "either":
            signs = {k[0] for k in r.levels.keys}
            side = "above" if signs == {"+"} else "below" if signs == {"-"} else "either"
    else:
        if not keys and r.has(
            r"\b(?:pdc|previous close|prior close|yesterday'?s? close|green|red|up|down)\b"
        ):
            keys = ["0"]
        if len(set(keys)) != 1:
            return Built(
                question="Which level (e.g. the call trigger, +1 ATR, the previous close)?"
            )
        level = keys[0]
    given: dict[str, Any] = {"event": event, "level": level}
    if event == "open_beyond":
        given["side"] = side
    if r.has(r"\b(?:which|what) (?:days|dates|sessions)\b|\blist\b|\bdates\b|\bwhen were\b"):
        given["list_dates"] = True
    return Built([fill("session_counts", r, s, **given) for s in symbols])


def true_range(r: Reading, symbols: list[str]) -> Built:
    """Return average_true_range calls, one per N named ("14 day atr vs 50 day atr": two)."""
    lengths = [int(m[1] or m[2] or m[3] or m[4]) for m in re.finditer(TRUE_RANGE, r.t)] or [14]
    bad = [n for n in lengths if not 2 <= n <= 250]
    if bad:
        return Built(
            question=f"Average true range over how many sessions? {bad[0]} is not 2 to 250."
        )
    lengths = list(dict.fromkeys(lengths))
    return Built([fill("average_true_range", r, s, sessions=n) for s in symbols for n in lengths])
