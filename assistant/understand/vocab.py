"""The planner's vocabulary, loaded once from ``vocab.toml``, plus the text normaliser.

Everything a trader can call a symbol, level, mode, timeframe, month or weekday lives in the TOML
file; this module turns it into lookups and regular expressions. ``normalize`` lower-cases,
straightens punctuation, expands abbreviations (ctrig → call trigger, yday → yesterday) and
corrects misspelt domain words (levles → levels), so every parser reads one canonical text.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from assistant.understand.spoken import spoken_dates


@cache
def data() -> dict[str, Any]:
    """Return the parsed vocabulary file."""
    return tomllib.loads((Path(__file__).with_name("vocab.toml")).read_text())


def phrase_regex(phrases: list[str]) -> str:
    """Return an alternation matching any phrase as whole words, longest first."""
    escaped = [re.escape(p).replace(r"\ ", r"\s?" if len(p) <= 5 else r"\s") for p in phrases]
    body = "|".join(sorted(escaped, key=len, reverse=True))
    return rf"(?<![\w$^+\-.])(?:{body})(?![\w])"


@cache
def symbol_names() -> dict[str, str]:
    """Return every name of a known symbol → the symbol (``s&p`` → ``SPX``)."""
    return {name: sym for sym, names in data()["symbols"].items() for name in [sym.lower(), *names]}


@cache
def named_levels() -> list[tuple[str, str]]:
    """Return (regex, level key) for levels named with their side (call trigger → +0.236)."""
    return [(phrase_regex(p), key) for key, p in data()["levels"]["named"].items()]


@cache
def level_families() -> list[tuple[str, str]]:
    """Return (regex, magnitude) for level names without a side (golden gate → 0.382), in the
    order they must be tried (longer names first)."""
    pairs = [
        (phrase, mag) for mag, phrases in data()["levels"]["families"].items() for phrase in phrases
    ]
    pairs.sort(key=lambda pair: -len(pair[0]))  # "gg completion" before "gg"
    return [(phrase_regex([phrase]), mag) for phrase, mag in pairs]


@cache
def side_regex(side: str) -> str:
    """Return a regex of the words that put a level on the ``up`` or ``down`` side."""
    words = data()["levels"]["sides"][side]
    plain = [w for w in words if w.isalpha() or " " in w]
    signs = "".join(re.escape(w) for w in words if len(w) == 1 and not w.isalpha())
    return rf"(?:\b(?:{'|'.join(sorted(plain, key=len, reverse=True))})\b|[{signs}](?=\w))"


@cache
def modes() -> list[tuple[str, str]]:
    """Return (regex, mode) pairs; tried in file order."""
    return [(phrase_regex(p), mode) for mode, p in data()["modes"].items()]


@cache
def timeframes() -> list[tuple[str, str]]:
    """Return (regex, bar size) pairs for chart timeframes."""
    return [(phrase_regex(p), tf) for tf, p in data()["timeframes"].items()]


@cache
def months() -> dict[str, int]:
    """Return month name → number."""
    return {n: int(k) for k, names in data()["months"].items() for n in names}


@cache
def weekdays() -> dict[str, int]:
    """Return weekday name → Monday-based number."""
    return {n: int(k) for k, names in data()["weekdays"].items() for n in names}


def alternation(names: list[str] | dict[str, Any]) -> str:
    """Return ``a|b|c`` of the names, longest first (for embedding in a larger regex)."""
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))


_KEEP = frozenset(
    [
        "plain",  # not "explain"
        "rates",  # not "gates"
        "rate",
        "follow",  # not "following"
        "watch",
        "watches",
        "track",
        "count",
        "counts",
        "date",
        "dates",
        "counted",
        "hour",
        "hours",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "days",
        "current",
        "first",
        "last",
        "power",
        "past",
        "over",
        "with",
        "when",
        "then",
        "than",
        "from",
        "that",
        "this",
        "have",
        "does",
        "done",
        "much",
        "many",
        "more",
        "less",
        "calls",
        "puts",
        "long",
        "short",
        "bull",
        "bear",
        "high",
        "open",
        "gaps",
        "status",
        "whats",
        "state",
        "stack",
        "stock",
        "start",
        "price",
        "prices",
        "lower",
        "upper",
        "times",
        "touch",
        "reach",
        "hits",
        "often",
        "above",
        "below",
        "today",
        "would",
        "could",
        "should",
        "where",
        "there",
        "their",
        "these",
        "those",
        "point",
        "points",
        "range",
        "zone",
        "zones",
        "close",
        "closes",
        "closed",
        "early",
        "later",
        "quick",
        "shares",
        "share",
        "units",
        "size",
        "sized",
        "using",
        "used",
        "uses",
        "change",
        "update",
        "edit",
        "delete",
        "remove",
        "remember",
        "forget",
        "pause",
        "resume",
        "cancel",
        "notify",
        "reaches",
        "touched",
        "tagged",
        "crosses",
        "cross",
        "crossed",
        "loses",
        "reclaims",
        "breaks",
        "broke",
        "again",
        "going",
        "thing",
        "since",
        "until",
        "after",
        "before",
        "about",
        "leave",
        "lunch",
        "quarter",
    ]
)


@cache
def _correct(word: str) -> str:
    abbreviations = data()["abbreviations"]
    if word in abbreviations:
        return abbreviations[word]
    vocabulary = data()["spelling"]["words"]
    if (
        len(word) < 5
        or word in _KEEP
        or word in vocabulary
        or word in months()
        or word in weekdays()
        or any(word.startswith(v) for v in vocabulary if len(v) >= 5)
    ):
        return word
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.8)
    return close[0] if close else word


def _r_as_percent(text: str) -> str:
    """Return ``text`` with risk written in R made a percentage: "(1r = 1%)" defines R, and
    "0.5r on a 20k acct (1r = 1%)" risks 0.5 %."""
    unit = re.search(r"\(?\b1\s?r\s?(?:=|is)\s?(\d+(?:\.\d+)?)\s?%\)?", text)
    if not unit:
        return text
    size = float(unit[1])
    text = text[: unit.start()] + " " + text[unit.end() :]
    scaled = re.search(r"(?<![\w.])(\d*\.?\d+)\s?r\b", text)
    pct = f"{float(scaled[1]) * size:g}" if scaled else f"{size:g}"
    if scaled:
        return text[: scaled.start()] + f"risk {pct}%" + text[scaled.end() :]
    return (
        re.sub(r"\brisk\b", f"risk {pct}%", text, count=1)
        if "risk" in text
        else f"{text} risk {pct}%"
    )


def normalize(text: str) -> str:
    """Return the canonical text every parser reads: lower case, straight quotes and dashes,
    single spaces, abbreviations expanded and misspelt domain words corrected."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2212", "-")
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00b1", "+/-")
    text = spoken_dates(re.sub(r"\s+", " ", text.lower()).strip())
    text = re.sub(r"\bs/l\b", "sl", text)  # stop loss
    text = re.sub(r"\b(mark|launch|extended)_(up|down|box)\b", r"\1 \2", text)  # "mark_up"
    text = _r_as_percent(text)
    # "wk" is the weekly mode ("spx wk levels") except after next/last/this/prev or a count
    text = re.sub(r"\b(next|last|this|prev|previous|\d+|a|one) wk\b", r"\1 week", text)
    # "pt" is the put trigger, except as a price target ("pt 460", "pt at 5980")
    text = re.sub(
        r"\bpt\b(?=\s*(?:at |@ |of |is |= |: )?\$?\d{2})(?!\s*\d{1,2}[./-]\d{1,2}[./-])",
        "target",
        text,
    )
    text = re.sub(
        r"(?<!\S)(\d{1,4}(?:\.\d+)? )?pt\b(?!\s*(?:from|to|away|between|of|down|up|risk)\b)",
        lambda m: m.group(0) if m.group(1) else "put trigger",  # "2 pt" is points
        text,
    )
    text = re.sub(r"(?<![\w'])[a-z]+(?=(?:'s)?(?![\w']))", lambda m: _correct(m.group(0)), text)
    return re.sub(r"\s+", " ", text)
