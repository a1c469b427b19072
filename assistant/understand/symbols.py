"""Symbols: the ones with data (SPX, SPY and their aliases), $tickers, and other tickers named
where a symbol belongs ("qqq levels", "TSLA call trigger"), so the tools can say they have no
data for them instead of the planner answering for SPX."""

from __future__ import annotations

import re

from assistant.understand.vocab import data, months, symbol_names, weekdays

_DOMAIN_AFTER = (
    r"(?:levels?|lvls?|atr|call|put|trigger|triggers|ribbon|day|weekly|monthly|golden|gg|po|"
    r"previous|midrange|mid|full|ema|daily|quarterly|yearly|alert|price|bull|bear|bullish|bearish|"
    r"upper|lower|ext|extension|extensions|pdc|pc|ribbon|vomy|ivomy)"
)


def read_symbols(original: str, t: str, known: tuple[str, ...]) -> list[str]:
    """Return the symbols a message names, in order (aliases mapped, unknown tickers kept)."""
    names = dict(symbol_names())
    names.update({k.lower(): k for k in known})
    clean = re.sub(r"#[\w-]+", " ", t)  # channel names (#spx) are not symbols
    found: list[tuple[int, str]] = []
    for name, sym in names.items():
        body = re.escape(name).replace("\\ ", "\\s?")
        pattern = rf"(?<![\w#])[$^]?{body}(?![\w])"
        for m in re.finditer(pattern, clean):
            found.append((m.start(), sym))
    for m in re.finditer(r"(?<![\w#])\$([a-z]{1,5})\b", clean):
        found.append((m.start(), names.get(m[1], m[1].upper())))
    for m in re.finditer(r"(?<![\w$#/])([A-Z]{2,5})(?![\w])", re.sub(r"#[\w-]+", " ", original)):
        word = m[1].lower()
        if word not in _NOT_TICKERS and word not in names and not _is_vocab(word):
            found.append((_pos(clean, word), m[1]))
    known_named = any(sym in known or sym in names.values() for _, sym in found)
    head = re.match(
        rf"^\$?([a-z]{{2,5}}) (?:[+-]?\d(?:\.\d+)? |\d{{1,3}} ?(?:m|min|h|hr|d) |hourly |daily |\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})? )?"
        rf"{_DOMAIN_AFTER}\b",
        clean,
    )
    if (
        head
        and not known_named
        and head[1] not in names
        and head[1] not in _NOT_TICKERS
        and not _is_vocab(head[1])
    ):
        found.append((0, head[1].upper()))
    for m in re.finditer(
        r"\b([a-z]{2,5}) (?:and|&|\+|or) (?:spx|spy)\b|\b(?:spx|spy) (?:and|&|\+|or) ([a-z]{2,5})\b",
        clean,
    ):
        word = m[1] or m[2]
        if word not in names and word not in _NOT_TICKERS and not _is_vocab(word):
            found.append((m.start(1) if m[1] else m.start(2), word.upper()))
    for m in re.finditer(
        r"\b(?:for|on|and|same for|what about|how about) ([a-z]{2,5})(?:\s*\??$| (?=\d{1,2}h\b"
        r"|\d{1,3} ?m\b|daily\b|hourly\b|weekly\b|monthly\b|levels?\b|lvls\b|po\b|ribbon\b"
        r"|gg\b|atr\b|indicators?\b))",  # "what about tsla 4h PO"
        clean,
    ):
        if (
            m[1] not in names
            and m[1] not in _NOT_TICKERS
            and not _is_vocab(m[1])
            and len(m[1]) >= 3
            and not known_named
        ):
            found.append((m.start(1), m[1].upper()))
    for m in re.finditer(_SUBJECT_OF_A_MOVE, clean):  # "when tsla crosses its +1"
        word = m[1]
        if (
            word not in names
            and word not in _NOT_TICKERS
            and word not in _NOT_SUBJECTS
            and not _is_vocab(word)
        ):
            found.append((m.start(1), word.upper()))
    if any(s == "SPX" for _, s in found):  # ES is SPX's future: one answer, for SPX
        found = [(p, s) for p, s in found if s != "ES"]
    out: list[str] = []
    for _, sym in sorted(found):
        if sym not in out:
            out.append(sym)
    return out


_SUBJECT_OF_A_MOVE = (
    r"\b(?:when|if|once|as soon as) \$?([a-z]{2,5}) (?:crosses|breaks|loses|reclaims|hits|"
    r"tags|touches|trades|closes|drops|falls|rallies|gets|goes|taps|pierces)\b"
)
_NOT_SUBJECTS = frozenset({"it", "price", "px", "we", "mkt", "spot", "this", "that", "she", "he"})


def _pos(text: str, word: str) -> int:
    m = re.search(rf"\b{re.escape(word)}\b", text)
    return m.start() if m else len(text)


_NOT_TICKERS = frozenset(data()["not_tickers"]["acronyms"])
_COMMON = frozenset(data()["not_tickers"]["words"])


def _is_vocab(word: str) -> bool:
    return word in _COMMON or word in months() or word in weekdays()
