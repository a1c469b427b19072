"""Natural-language strategy authoring for the offline planner: a trader's sentence → a spec dict.

Reads: side (long/short/buy/sell), symbol, the entry level and direction (crosses, breaks,
reclaims, loses), a ribbon filter, a time window (before 11am, after 1pm, between 10 and 12),
the bar size, the target and the stop (levels; "the close"/pdc = previous close). When the target
or the stop is missing it returns the one question to ask instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.authoring_signals import daily_bars, holding, levels_mode, signal_entry
from assistant.understand.clock import read_window
from assistant.understand.conditions import weekdays_named
from assistant.understand.levels import read_levels
from assistant.understand.vocab import normalize, timeframes

_AUTHOR = re.compile(
    r"^(?:(?:create|make|add|build|new|save|write)(?: a| me a| my)? (?:strategy|setup)[:,]?\s*)?"
    r"(?:(?:go|i want to|i'd like to|i'd|let's|lets|i wanna)\s)*(?:long|short|buy|sell)\b.*"
    r"\b(?:when|if|on|at|once|as)\b"
)


@dataclass
class Draft:
    """A parsed strategy: the spec fields, and the question to ask if something is missing."""

    spec: dict[str, Any] = field(default_factory=dict)
    question: str | None = None


_PREAMBLE = re.compile(
    r"^[^:]{0,80}?\b(?:strat\w*|setup|system|new one|draft(?: one)?|build|create|make)\b[^:]{0,60}:\s*"
    r"|^\$?[a-z]{2,5} (?:daily|hourly|weekly|\d{1,2}m|1h|4h|1d)\s*:\s*"
)
"""A strategy request's lead-in up to a colon: "build me a strat, call it 'x': long spy when…"."""
_NAMED = re.compile(
    r"\b(?:call(?:ed)?(?: it)?|name[ds]?(?: it)?|strat\w*|setup)\s*[\"'‘’“”]([^\"'‘’“”]{1,60})[\"'‘’“”]"
)
_NAMED_LAST = re.compile(
    r"[.,;]\s*(?:call it|name it|named|name)(?:\s*:)?\s+([^.,;:'\"]{2,60}?)\s*[.!]?\s*$"
)
"""An unquoted name at the end: "…, stop pdc. call it ctrig long w ribbon"."""


def is_authoring(t: str) -> bool:
    """Return True when the text describes a strategy to create."""
    return bool(
        _AUTHOR.search(t)
        or _AUTHOR.search(_PREAMBLE.sub("", t))
        or re.search(r"\b(?:create|new|make|build) (?:a |my )?strateg", t)
        or _DESCRIBED.search(t)
    )


_DESCRIBED = re.compile(
    r"\b(?:draft|new strat\w*|name it|call it)\b.*\b(?:long|short|buy|sell)\b.*\b(?:stop|target)\b"
    r"|\b(?:long|short|buy|sell)\b.*\b(?:stop|target)\b.*[.,;]\s*(?:name it|call it|named?|called)(?:\s*:)?\s+\S"
)
"""A trade described with exits and a name or a draft word: "spy daily: buy the PO dot leaving
accumulation, stop 1 atr, out after 10 bars. name po dot spy daily"."""


def _side(t: str) -> str:
    """Return long or short from the first side word ("buy puts" is short, "buy calls" long)."""
    plain = re.sub(r"\b(?:call|put)s? trigger\b", " ", t)
    m = re.search(r"\b(long|short|buy|sell)\b(?: [a-z$&]+)?(?: (calls?|puts?))?", plain)
    if m is None:
        return "long"
    if m.group(2):
        return "short" if m.group(2).startswith("put") else "long"
    return "long" if m.group(1) in ("long", "buy") else "short"


def _pick_level(text: str, sign: str, entry: str | None, below: bool) -> str | None:
    """Return the level named in a target/stop clause; an unsided name (the golden gate) takes
    the trade's side, or the other side when that would put it on the wrong side of the entry."""
    if re.fullmatch(r"\s*0\s*|\s*0 .*", text) or re.search(r"\b(?:close|pdc)\b", text):
        return "0"
    keys = read_levels(text).keys
    if keys:
        return keys[0]
    families = read_levels(text).unsided
    if not families:
        return None
    key = f"{sign}{families[0]}"
    if entry is not None and ((float(key) < float(entry)) != below):
        key = f"{'-' if sign == '+' else '+'}{families[0]}"
    return key


def time_window(t: str) -> dict[str, str] | None:
    """Return the time-of-day condition ``{kind, start, end}`` (HH:MM ET) that ``t`` names
    ("before 11am", "after 1pm", "between 10 and 2", "in the morning"), or None."""
    window = read_window(t)
    if window is None:
        return None
    return {"kind": "time_window", "start": window[0], "end": window[1]}


def _timeframe(t: str) -> str | None:
    hits = [(m.start(), tf) for pattern, tf in timeframes() for m in re.finditer(pattern, t)]
    return min(hits)[1] if hits else None


def atr_size(text: str) -> float | None:
    """Return the ATR fraction a target/stop clause gives ("half an atr" → 0.5, "0.25 atr")."""
    m = re.search(
        r"\b(half|quarter|third|\d*\.?\d+)\s*(?:an?\s+|of\s+(?:an?\s+|the\s+)?)?atrs?\b", text
    )
    if not m:
        return None
    words = {"half": 0.5, "quarter": 0.25, "third": round(1 / 3, 3)}
    return words.get(m[1]) or float(m[1])


def bare_atr(text: str) -> bool:
    """Return True for an unsigned ATR count ("1 atr", "half an atr"): a distance, not the
    "+1 atr" or "full atr" level."""
    return bool(
        re.search(
            r"^\s*(?:half|quarter|third|\d*\.?\d+)\s*(?:an?\s+|of\s+(?:an?\s+|the\s+)?)?atrs?\b",
            text,
        )
    )


def _clause(t: str, word: str) -> str:
    m = re.search(
        rf"\b{word}s?\b(?: (?:at|is|of|to|on|:))?(?: the)? ([^,;]+?)(?=,|;|\band\b (?:stop|target)|\bstop\b|\btarget\b|$)",
        t,
    )
    return m.group(1) if m else ""


def parse_strategy(text: str, symbol: str) -> Draft:
    """Return the spec fields read from ``text`` (or the question to ask)."""
    named = _NAMED.search(text) or _NAMED_LAST.search(text)
    if named and named.re is _NAMED_LAST:
        text = text[: named.start()]  # the name is not part of the rules
    whole = normalize(text)
    t = _PREAMBLE.sub("", whole)
    # "draft a short: spx crosses below …": the side may be named in the lead-in only
    side = _side(t if re.search(r"\b(?:long|short|buy|sell)\b", t) else whole)
    sign = "+" if side == "long" else "-"
    t = re.sub(r"\b(?:tgt|tp|pt)\b", "target", t)
    head = re.split(r"\btarget|\bstop\b", t)[0]
    found = read_levels(head)
    entry_levels = found.keys or [f"{sign}{f}" for f in found.unsided]
    signals = signal_entry(head)
    if signals and not re.search(
        r"trigger|gate|\bgg\b|\bmid|\batr\b|\bpdc\b|\blevel|[+-]\.?\d", head
    ):
        entry_levels = []  # "when vomy forms on the 1h": the signal is the entry, not a level
    entry: list[dict[str, Any]] = []
    if entry_levels:
        down = re.search(r"\b(?:loses|below|under|breaks down|drops)\b", head) or (
            side == "short" and not re.search(r"\b(?:above|over|reclaims)\b", head)
        )
        entry.append(
            {"kind": "level_cross", "level": entry_levels[0], "direction": "down" if down else "up"}
        )
    entry.extend(signals)
    ribbon = re.search(r"\b(bullish|bearish) ribbon\b|\bribbon (?:is )?(bullish|bearish)\b", t)
    if ribbon:
        entry.append({"kind": "ribbon", "state": ribbon.group(1) or ribbon.group(2)})
    window = time_window(
        re.sub(r"\b(?:out|exit|close|flat)(?: it)? after \d+ (?:bars?|candles?)\b", " ", t)
    )
    if window:
        entry.append(window)
    if days := weekdays_named(t):  # "when it loses the ptrig on fridays"
        entry.append({"kind": "day_of_week", "days": days})
    if not entry_levels and not signals:
        return Draft(
            question="Which level should trigger the entry (e.g. the call trigger, "
            "the golden gate, the midrange)?"
        )
    target_text, stop_text = _clause(t, "target"), _clause(t, "stop")
    long = side == "long"
    anchor = entry_levels[0] if entry_levels else None
    target = _pick_level(target_text, sign, anchor, below=not long)
    stop = _pick_level(stop_text, sign, anchor, below=long)
    exits: dict[str, Any] = {}
    # "stop half an atr", "target 1 atr": a distance from the fill; "+1 atr", "full atr": a level
    if (stop is None or bare_atr(stop_text)) and (size := atr_size(stop_text)):
        stop, exits["stop_atr"] = "atr", size
    if (target is None or bare_atr(target_text)) and (size := atr_size(target_text)):
        target, exits["target_atr"] = "atr", size
    read = _timeframe(re.sub(r"\b(?:before|after|between) \d.*", "", t))
    # "daily" alone names the day levels ("the daily call trigger"), not daily bars
    bar = "1d" if daily_bars(whole) else (read if read and read != "1d" else "5m")
    exits.update(holding(t, bar))
    if target is None and exits.get("max_bars"):
        target = "none"  # "out after 10 bars": the bar count ends the trade
    if target is None:
        return Draft(
            question="What is the target? Name a level (e.g. the golden gate, the "
            "midrange, full ATR)."
        )
    if stop is None:
        return Draft(
            question="Where is the stop? Name a level (e.g. the previous close, the put trigger)."
        )
    what = entry_levels[0] if entry_levels else str(signals[0].get("variant") or signals[0]["kind"])
    spec: dict[str, Any] = {
        "name": f"{symbol} {side} {what} to {target}"
        if target not in ("atr", "none")
        else f"{symbol} {side} {what}",
        "symbol": symbol,
        "side": side,
        "bar": bar,
        "entry": entry,
        "exit": {
            **({"target": target} if target not in ("atr", "none") else {}),
            **({"stop": stop} if stop != "atr" else {}),
            **exits,
        },
        "description": text.strip(),
    }
    if mode := levels_mode(t):
        spec["mode"] = mode
    if named:
        spec["name"] = named.group(1).strip()
    if re.search(
        r"\b(?:first (?:signal|entry|trigger|trade)(?: of the (?:day|session))? only|once (?:a|per) (?:day|session)"
        r"|one (?:trade|entry) (?:a|per) (?:day|session)|first (?:signal|entry|trade) (?:of the|per) (?:day|session))\b",
        t,
    ):
        spec["entries_per_session"] = 1
    return Draft(spec=spec)
