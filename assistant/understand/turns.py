"""An earlier turn as the planner sees it, and the words that mark a message as a follow-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Call = dict[str, Any]

CUE = re.compile(
    r"^(?:and|what about|how about|wbu|same(?: for| but| thing| on)?|now|ok|also|then|for|what if|instead|"
    r"but|plus|k|okay|cool|the|next|prev|previous|day|yo|nice|ty|thx|thanks|since|in|over|during|"
    r"only|just|last|past)\b"
)
NEXT = (
    r"\b(?:next|following|the day after|day after|subsequent)(?: (?:day|session|trading day|one|bar))?"
    r"\b(?!\s*(?:week|wk|month|quarter|year|level))|\b(?:the )?(?:week|wk|month|quarter|year) after\b"
)
PREV = (
    r"\b(?:day before|session before|previous (?:day|session|trading day)|prior (?:day|session|trading day)"
    r"|the day prior|one before|previous one|(?:the )?(?:week|month|quarter|year) before)\b"
)
FLIP = r"\b(?:other side|opposite(?: side)?|flip(?: it)?|mirror|inverse|other one)\b"
LEVEL_TOOLS = ("atr_levels", "price_context", "level_distance")
RANGED_TOOLS = (
    "golden_gate_stats", "level_to_level", "backtest_strategy", "compare_strategies", "session_counts"
)  # fmt: skip
"""Tools over a span of sessions: a follow-up naming a period changes their start and end."""
SIDE_PICK = (
    r"\b(?:the )?(?:bear|bull|bearish|bullish|put|call|puts|calls|up|down|upside|downside|upper|lower|short|long)"
    r"(?: side| one|side| version| case)\b"
    r"|^(?:and |also |what about |how about |now |ok )?(?:for )?(?:the )?(?:bears?|bulls?|bearish|bullish|downside|upside|puts?|calls?|down|up)(?: too| as well| also)?\W*$"
)


@dataclass
class Turn:
    """An earlier turn: the user's text, the calls made (with results) and any open question."""

    text: str
    calls: list[Call] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    earlier: Turn | None = field(default=None, repr=False)
    """The turn before this one (for references that span two answers: "how far apart are those")."""
