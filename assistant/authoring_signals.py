"""Strategy authoring beyond level crosses: indicator entries (Vomy/iVomy, phase-oscillator dots,
conviction arrows, moving-average crosses), the bar size, the levels' mode and how a trade is
held (overnight, at most N bars). Each reader takes the normalised text and returns spec pieces
or None; ``assistant.authoring`` assembles them.
"""

from __future__ import annotations

import re
from typing import Any

_DOTS = (
    (r"\bleav\w* (?:the )?accumulation\b|\bout of accumulation\b", "leaving_accumulation"),
    (r"\bleav\w* (?:the )?distribution\b|\bout of distribution\b", "leaving_distribution"),
    (r"\bleav\w* (?:the )?extreme (?:down|low)\b|\bextended down\b", "leaving_extreme_down"),
    (r"\bleav\w* (?:the )?extreme (?:up|high)\b|\bextended up\b", "leaving_extreme_up"),
    (r"\bbull\w* (?:po |phase )?dot\b", "bullish"),
    (r"\bbear\w* (?:po |phase )?dot\b", "bearish"),
)


def signal_entry(t: str) -> list[dict[str, Any]]:
    """Return the indicator entry conditions named before the exits: "when vomy forms",
    "the ivomy", "the PO dot leaving accumulation", "a bullish conviction arrow", "8 ema
    crosses over the 21", "price is above pdc" (empty when none is named)."""
    out: list[dict[str, Any]] = []
    if m := re.search(r"\b(i ?vomy|vomy)\b", t):
        out.append({"kind": "vomy", "variant": "ivomy" if m[1].startswith("i") else "vomy"})
    if re.search(r"\b(?:po|phase(?: oscillator)?) dots?\b|\bdot (?:leaving|out of)\b", t):
        dot = next((name for pattern, name in _DOTS if re.search(pattern, t)), "bullish")
        out.append({"kind": "po_dot", "dot": dot})
    if m := re.search(r"\b(bull\w*|bear\w*) (?:conviction )?arrow\b|\bconviction arrow\b", t):
        bearish = bool(m[1]) and m[1].startswith("bear")
        out.append({"kind": "conviction_arrow", "direction": "bearish" if bearish else "bullish"})
    cross = re.search(
        r"\b(\d{1,3}) ?(ema|sma)? (?:crosses|cross(?:es)? (?:over|above|under|below)|x)"
        r"(?: (over|above|under|below))?(?: the)? (\d{1,3})(?: ?(ema|sma))?\b",
        t,
    )
    if cross:
        down = bool(re.search(r"\b(?:under|below)\b", cross[0]))
        average = cross[2] or cross[5] or "ema"
        fast, slow = int(cross[1]), int(cross[4])
        out.append(
            {
                "kind": "ma_cross",
                "fast": fast,
                "slow": slow,
                "average": average,
                "direction": "down" if down else "up",
            }
        )
    zone = re.search(
        r"\b(?:po|phase oscillator|oscillator)(?: is)?(?: in)?(?: the)? (extended up|distribution|mark up"
        r"|launch box|mark down|accumulation|extended down)\b(?! dot)",
        t,
    )
    if zone and not any(c["kind"] == "po_dot" for c in out):  # "and the PO is in mark down"
        out.append({"kind": "po_zone", "zones": [zone[1].replace(" ", "_")]})
    where = re.search(
        r"\b(?:price|close|it)(?: is| closes?| stays?)? (above|below|over|under) (?:the )?"
        r"(pdc|previous close|prior close|yesterday'?s close)\b",
        t,
    )
    if where:
        relation = "above" if where[1] in ("above", "over") else "below"
        out.append({"kind": "price_vs_level", "level": "0", "relation": relation})
    return out


def daily_bars(t: str) -> bool:
    """Return True when the strategy runs on daily bars ("daily bars", "on the daily", "spy
    daily:"), not merely on the daily levels ("the daily call trigger")."""
    return bool(
        re.search(
            r"\b(?:daily|1d|day) (?:bars?|candles?|chart|closes?|timeframe)\b|\bon the daily\b"
            r"|^\$?[a-z]{2,5} daily\s*:|\bd1\b",
            t,
        )
    )


_MODES = (
    (r"\bweekly\b", "multiday"),
    (r"\bmonthly\b", "swing"),
    (r"\bquarterly\b", "position"),
    (r"\byearly\b|\bannual\b", "longterm"),
)


def levels_mode(t: str) -> str | None:
    """Return the levels' mode when the rules name a period's levels ("the weekly call trigger",
    "target weekly +1"), else None (day levels)."""
    for pattern, mode in _MODES:
        if re.search(pattern + r"(?! bars?\b| candles?\b| chart\b)", t):
            return mode
    return None


def holding(t: str, bar: str) -> dict[str, Any]:
    """Return exit settings for how a trade is held: ``session_end`` False when it may be held
    overnight (said so, or daily bars), ``max_bars`` for "out after 10 bars"."""
    out: dict[str, Any] = {}
    if bar == "1d" or re.search(
        r"\b(?:hold(?:ing)? (?:it )?overnight|overnight (?:ok|is fine|allowed)|swing hold"
        r"|multi-?day hold|no (?:eod|end of day) exit)\b",
        t,
    ):
        out["session_end"] = False
    if m := re.search(r"\b(?:out|exit|close|flat)(?: it)? after (\d{1,3}) (?:bars?|candles?)\b", t):
        out["max_bars"] = int(m[1])
    return out
