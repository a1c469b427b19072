"""The extra tests the intent table's rows apply to a parsed message (``intents.RULES``): how
many levels it names, whether it names one session, which statistics words it has, and so on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from assistant.understand.patterns import STATS, TRUE_RANGE
from assistant.understand.reading import Reading
from core.strategies import builtin_strategies
from tools.strategies import builtin_name


@dataclass(frozen=True)
class Rule:
    """One row of the intent table (``intents.RULES``): name, intent, pattern, extra test."""

    name: str
    intent: str
    pattern: str
    test: Callable[[Reading], bool] | None = None

    def matches(self, r: Reading) -> bool:
        """Return True when the rule applies to the message."""
        return r.has(self.pattern) and (self.test is None or self.test(r))


def question_follows(t: str) -> bool:
    """Return True when a later sentence asks something: "I trade the monthly chart. For SPX in
    January 2021 what was the upper midrange?" is a question with a preface, not a fact to keep."""
    later = re.split(r"(?<=[.!;])\s+", t)[1:]
    return any(
        "?" in s
        or re.match(r"(?:what|whats|how|where|which|when|is|are|did|does|can|give|show)\b", s)
        for s in later
    )


CONDITION = (
    r"\b(?:ribbon|po|phase osc\w*|oscillator)\b[^.?]{0,20}\b(?:bullish|bearish|mixed|bull|bear|mark up|markup|"
    r"mark down|markdown|launch box|distribution|accumulation|extended up|extended down)\b"
    r"|\b(?:bullish|bearish|mixed) (?:\d{1,2} ?(?:m|min|h|hr) |hourly )?ribbon\b|\bon (?:mon|tue|wed|thu|fri)\w*"
    r"|\b(?:mon|tues?|wednes|thurs?|fri)days\b|\b(?:mon|tue|wed|thu)\w*\s?(?:-|to|thru)\s?(?:tue|wed|thu|fri)\w*\b"
    r"|\bopen(?:s|ed|ing)? (?:above|below|inside|beyond)\b|\bgap(?:s|ped)? (?:up|down|above|below)\b"
    r"|\b(?:mon|tue|wed|thu|fri)\w*(?:\s?[/+&]\s?(?:mon|tue|wed|thu|fri)\w*)* only\b"
    r"|\b(?:mark up|markup|mark down|markdown|launch box|accumulation|distribution) (?:po|phase)\b"
)
"""Words that condition statistics on the session or the trigger moment."""


STATS_STRONG = (
    r"\bhow often|\bodds\b|%|\bpercent|\brate\b|\bstats?\b|\bprobab|\bhistoric|\busually\b"
    r"|\bhow many times\b"
)
"""Statistics words that a past-tense "did it complete?" about one session never has."""


def one_level_or_band(r: Reading) -> bool:
    """Return True when at most one level is named, or one band (±x: both sides of one level)."""
    keys = set(r.levels.keys) | {f"+{u}" for u in r.levels.unsided}
    return len({k.lstrip("+-") for k in keys}) <= 1


def true_range_n(r: Reading) -> int:
    m = re.search(TRUE_RANGE, r.t)
    return int(m[1] or m[2] or m[3] or m[4]) if m else 0


def n_levels(r: Reading) -> int:
    """Return how many different levels the message names ("0.786 to +1 once .786 tagged": 2)."""
    return len(set(r.levels.keys)) + len(
        set(r.levels.unsided) - {k.lstrip("+-") for k in r.levels.keys}
    )


def gate_only(r: Reading) -> bool:
    """Return True when the only levels named are golden gates (and their midrange target)."""
    mags = {k.lstrip("+-") for k in r.levels.keys} | set(r.levels.unsided)
    if r.has(r"\bat (?:the )?trigger\b(?! (?:level|price))"):
        mags.discard("0.236")  # "… ribbon at trigger": the gate's trigger moment, not a level
    return mags <= {"0.382"} or (
        mags <= {"0.382", "0.618"} and (r.has(r"\bcomplet\w*|\btarget\b") or r.buckets is not None)
    )


def specific_day(r: Reading) -> bool:
    """Return True when the message names one session (not a period or a range)."""
    return r.date.found and not r.date.period and r.range == (None, None)


def strategy_names_in(t: str) -> list[str]:
    """Return the built-in strategies whose names (or short names) the text contains."""
    return [n for n, pattern in strategy_patterns() if re.search(pattern, t)]


@cache
def strategy_patterns() -> list[tuple[str, str]]:
    out = []
    for spec in builtin_strategies():
        words = re.sub(r"[^a-z0-9 ]", " ", spec.name.lower()).split()
        out.append((spec.name, r"\b" + r"\W+".join(map(re.escape, words)) + r"\b"))
    return out


def no_market_words(r: Reading) -> bool:
    return (
        not r.symbols
        and not r.date.found
        and not r.has(r"\d{3}|\b(?:that|same|this) (?:day|session|week)\b|\bthen\b")
        and not r.has(STATS)
        and r.buckets is None
    )


def gate_asked(r: Reading) -> bool:
    """Return True when a message, its conditions taken out, names only a golden gate and no
    session ("spx bull gg" from "spx bull gg when we open above the call trigger")."""
    return (
        r.has(r"\bgolden ?gates?\b|\bggs?\b")
        and gate_only(r)
        and not specific_day(r)  # a period ("…, 2024") is the odds' span, a session is not
        and r.words() <= 5 + (2 if r.date.period or r.range != (None, None) else 0)
    )


def atr_alone(r: Reading) -> bool:
    """Return True when a short message asks for the ATR itself ("spx atr on 3/16/20", "what's
    spy's atr"): no level, mode, range or statistics words; answered as the average true range,
    which also shows the ATR that session's levels use."""
    return (
        n_levels(r) == 0
        and bool(r.symbols)  # "and the ATR?", "in atr?": a follow-up, not a new question
        and not r.has(
            r"^(?:and|in|so|ok|also|what about|how about)\b|\bin atrs?\b|\bhalf\b|\bdouble\b"
        )
        and not r.has(r"\btwice\b|\bmax\b|\bwent\b|\bx atr\b|\bmultiple")
        and r.words() <= 8
        and not r.date.period
        and r.range == (None, None)
        and not r.has(
            r"\blevels?\b|\blvls?\b|\brange\b|\bprevious close\b|\bweekly\b|\bmonthly\b"
            r"|\bquarterly\b|\byearly\b|\bmultiday\b|\bswing\b|\bposition\b|\blong ?term\b"
            r"|\b4h\b|\bscalp\b|\bodds\b|\bstats?\b|%|\bdistance\b|\bhow far\b|\bsiz\w*"
            r"|\bmove\b|\bgap\b|\bhow many\b|\bstop\b|\btarget\b|\balert\b|\bchart\b"
            r"|\bexplain\b|\bwhat is (?:an? )?atr\b|\bwhat does\b|\bmean\w*\b|\bwhy\b|\bhow\b"
        )
    )


def session_fact(r: Reading) -> bool:
    """Return True for a short question about one session's open/high/low/close/range/gap: no
    level, no statistics or counting words, no levels or ATR word ("range vs atr" is another)."""
    return (
        r.words() <= 8
        and not r.levels.keys
        and not r.has(STATS)
        and not r.has(
            r"\b(?:levels?|lvls?|atrs?|ribbon|ema|po|oscillator|vs|above|below|inside|between"
            r"|how (?:many|often)|times|days|sessions|alert|stop|size|compress\w*|squeeze\w*|i?vomy|trend\w*"
            r"|gg|gates?|bull\w*|bear\w*)\b|\b\d+ ?(?:m|min|h|hr|hour)\b|(?<![/-])\b\d{3,}\b(?![/-])"
        )
        and (
            r.has(
                r"^\W*(?:and |so |ok |what about |the |its |it's |whats |what's |what was )*\w+\W*$"
            )
            or r.has(r"^\W*(?:(?:and|the|hod|lod|high|low|hi|lo|open|close|range|gap)\W*){2,4}$")
            or r.symbols != []
            or r.date.found
            or r.has(r"\b(?:this|that) (?:am|morning|day|session)\b|\btoday\b|\byday\b|\byesterday")
        )
    )


_SHORT = r"\b(?:gg|gate|vomy|ivomy|po dot|arrow)\b|\b(?:trigger|trig)\b.*\b(?:to )?mid"
"""Words that make a built-in's short name a strategy ("gg bull"), not a level ("call trigger")."""
_NOT_NAME = (
    r"#[\w-]+|\b(?:spx|spy|\$\w+|it|that|this|one|stop|pause|resume|delete|remove|cancel|kill"
    r"|watch\w*|unwatch|track\w*|follow\w*|monitor\w*|paper|trade|run|live|forward|on|in|for|to|my|the|a"
    r"|strat\w*|setup|system|me|pls|please|now|rn|for|us|u)\b"
)


def builtin_named(t: str, *, loose: bool = False) -> str | None:
    """Return the built-in strategy a message names, by full or short name ("gg bull",
    "the vomy", "put trig to mid"), or None; ``loose`` also reads a level's name as its
    strategy ("stop watching the put trigger strat": a watch is always of a strategy)."""
    named = strategy_names_in(t)
    if named:
        return named[0]
    if not loose and not re.search(_SHORT, t):
        return None
    words = re.sub(_NOT_NAME, " ", t).split()
    # the longest run of words that names a built-in ("how'd 4h po dot do" → "4h po dot")
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            found = builtin_name(" ".join(words[start : start + size]))
            if found:
                return found
    return None
