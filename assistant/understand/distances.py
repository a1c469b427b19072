"""Builders of distances: between two levels, from a price or a session's close to a level, and
the dollar value of a move for a quantity ("in $ for 300 shares")."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.build import Built, _keys, fill
from assistant.understand.levels import message_side as levels_side
from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.patterns import HALF_ATR
from assistant.understand.reading import Reading


def money_terms(r: Reading, priced: bool = False) -> dict[str, Any]:
    """Return the quantity and multiplier a distance question asks to price ("100 shs … $$?",
    "in $ for 300 shares", "2 ES ($50/pt)"), or {} when it asks for points only; ``priced``: the
    question before was already in dollars ("what if its 5 option contracts instead")."""
    money: dict[str, Any] = {}
    if priced or r.has(
        r"\$|\bdollars?\b|\bbucks\b|\bhow much\b|\bper (?:share|contract)\b|\bp&?n?l\b|\bpnl\b"
        r"|^x ?\d|=\s*\??$|\bworth\b|\bmake\b"
    ):
        qty = re.search(
            r"\b(\d+|one|a|an) (?:\w+ ){0,2}(?:shares?|shs|sh|contracts?|cts|es|mes|lots?|cons"
            r"|calls|puts|options|opts)\b"
            r"|\b(?:buy|bought|sell|sold|short|shorted|long|x) ?(\d+) (?:\$?[a-z]{2,5})\b",
            r.t,
        )
        if qty:
            n = qty[1] or qty[2]
            money["quantity"] = float({"one": 1, "a": 1, "an": 1}.get(n, n))
        per = re.search(r"\((\d+)\s?/\s?(?:pt|point)\)|\$?(\d+) (?:per|a|/) ?(?:pt|point)\b", r.t)
        mult = r.sizing.multiplier
        if per:
            money["multiplier"] = float(per[1] or per[2])
        elif mult:
            money["multiplier"] = mult
    return money


_FROM_CLOSE = r"\b(?:above|below|over|under|from|off) (?:the )?(?:pdc|pc|previous close|prior close|yday close|0)\b"


_DAY_CLOSE = (
    r"\b(?:yday|yesterday|today|tdy|friday|thursday|wednesday|tuesday|monday)(?:'?s)? close\b"
    r"|\bclose (?:yday|yesterday|today|on \d)"
)


def distance(r: Reading, symbols: list[str]) -> Built:
    """Return level_distance calls: between two levels, or from a price to a level."""
    keys = _keys(r) if not r.has(r"\btriggers\b|\bgates\b") else resolve_unsided(r.levels, r.t)
    span = re.search(r"(\S+(?: \S+)?) (?:to|->|→|and) (\S+(?: \S+)?)", r.t)
    if span and len(keys) > 2:  # "the golden gate zone, 38.2 to 61.8": the span names the pair
        side = levels_side(r.t) or "+"
        pair = [resolve_unsided(read_levels(x), x, side) for x in (span[1], span[2])]
        if all(len(p) == 1 for p in pair):
            keys = [pair[0][0], pair[1][0]]
    price = re.search(
        r"(?:\bat|@|from|is|was|price|of|traded|trading|hit|printed|touched|tagged|sitting at|near"
        r"|vs\.?|versus|spx|spy|around|about|near|~)\s?\$?(\d{3,6}(?:\.\d{1,4})?)(?![\d/%]|-\d|[cp]\b)"
        r"|^\$?(\d{3,6}(?:\.\d{1,4})?)(?= (?:to|->|→) )",  # "6700 to the -1 atr"
        r.t,
    )
    if r.has(HALF_ATR) and not keys:
        return Built([fill("level_distance", r, s, start_at="0", end_at="+0.5") for s in symbols])
    if len(r.modes) == 2 and keys:  # "weekly +1 vs daily +1"
        if not r.levels.keys and len(set(r.levels.unsided)) == 1:  # "daily .618 vs weekly .618"
            keys = [(levels_side(r.t) or "+") + r.levels.unsided[0]]
        end = keys[1] if len(keys) > 1 else keys[0]
        return Built(
            [
                fill(
                    "level_distance",
                    r,
                    s,
                    start_at=keys[0],
                    end_at=end,
                    mode=r.modes[0],
                    end_mode=r.modes[1],
                )
                for s in symbols
            ]
        )
    money = money_terms(r)
    if price and keys:
        a, b = price[1] or price[2], keys[0]
    elif (
        len(keys) == 2
        and "0" in keys
        and r.has(_DAY_CLOSE)
        and not r.has(
            r"\b(?:pdc|previous close|prior close|prev close|yesterday's close to today)\b"
        )
    ):  # "spy yday close to its ptrig": that session's close, not the close before it
        a, b = "close", next(k for k in keys if k != "0")
    elif len(keys) >= 2 and "0" in keys[:2] and r.has(_FROM_CLOSE):
        # "+1 was how many % above pdc": measured from the previous close
        a, b = "0", next(k for k in keys[:2] if k != "0")
    elif len(keys) >= 2:
        a, b = keys[0], keys[1]
    elif keys and r.has(r"\b(?:close|closed|price|now|current|it|spx|spy)\b"):
        a, b = "close", keys[0]
        if r.has(
            r"\bclose[sd]? (?:vs|versus|relative to|compared to|above|below|over|under)\b"
            r"|\b(?:chg|change|move)\b"
        ):
            a, b = b, a  # "close vs pdc": the close measured from the level
    else:
        return Built(
            question="Distance between which two levels (or from which price to which level)?"
        )
    return Built([fill("level_distance", r, s, start_at=a, end_at=b, **money) for s in symbols])
