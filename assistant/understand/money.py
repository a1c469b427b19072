"""Money, risk and trade prices: "25k net liq", "acct 100K", "risk 2 pct", "risk $500",
"short $SPY 392 stop 394.81", "long at the ptrig, stop at the ctrig", "tp 460 and +1".

``read_sizing`` returns a ``Sizing`` with what it found; a value that cannot be meant (a negative
account, a risk over 100 %, 1e308) is a ``problem`` naming it, never silently rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.understand.levels import read_levels, resolve_unsided

_MULT = {"k": 1e3, "grand": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mil": 1e6, "million": 1e6}
_AMOUNT = (
    r"(-(?=\$?\d))?\$?\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?!\d|\.\d)"
    r"\s?(k|mm|mil|million|m|grand|thousand)?\b"
)
_ACCOUNT_WORDS = r"(?:account|net liq\w*|netliq|nlv|capital|portfolio|equity|bankroll|balance)"


@dataclass
class Sizing:
    """What a sizing message says."""

    account: float | None = None
    risk_pct: float | None = None
    risk_amount: float | None = None
    entry: str | None = None
    stop: str | None = None
    targets: list[str] = field(default_factory=list)
    side: str | None = None
    multiplier: float | None = None
    units: str | None = None
    problem: str | None = None


def _amount(m: re.Match[str]) -> float:
    return float(m[2].replace(",", "")) * _MULT.get(m[3] or "", 1.0) * (-1 if m[1] else 1)


def read_account(t: str) -> tuple[float | None, str | None]:
    """Return (account dollars, problem) from "50k account", "acct 100K", "net liq 6500"."""
    patterns = [
        rf"{_ACCOUNT_WORDS}(?: size)?(?: is| of| at| =|:|=| around| about| ~)?"
        rf"(?: (?:actually|really|now|only|just))? {_AMOUNT}",
        # "50k account"; not "stop 5990 acct 20k", where the amount follows the word
        rf"{_AMOUNT} (?:[a-z]+ )?{_ACCOUNT_WORDS}"
        r"(?!(?: size)?(?: is| of| at| =|:|=)? ?\$?\d[\d,.]*\s?(?:k|m|mm)?\b(?!\s?%|\.\d))",
        rf"(?:with|have|got|on|using) (?:an? |my )?{_AMOUNT}(?! ?(?:%|shares|contracts|units|risk|stop|target))",
        r"(?<![\w.])\$(\d{1,3}(?:,\d{3})+|\d{4,})(?!\.\d)()()",
        r"(?<![\w.$])()(\d+(?:\.\d+)?)\s?(k|grand|mm|mil|million)\b",
        rf"% of (?:my |a |an |the )?{_AMOUNT}",
    ]
    candidates: list[tuple[int, float, str]] = []
    for pattern in patterns:
        for m in re.finditer(pattern, t):
            if pattern.startswith("(?<![\\w.])\\$"):
                amount = float(m[1].replace(",", ""))
            else:
                amount = _amount(m)
            candidates.append((m.start(), amount, m.group(0).strip()))
    if not candidates:
        return None, None
    bad = [c for c in candidates if c[1] <= 0 or c[1] > 1e12]
    if bad:
        raw = re.search(r"-?\$?[\d.,]+(?:e[+-]?\d+)?\s?(?:k|m|mm)?", bad[0][2])
        shown = raw.group(0) if raw else bad[0][2]
        return None, f"an account of {shown} can't be right: give it in dollars, e.g. 25k"
    marked = [
        c
        for c in candidates
        if re.search(r"\d\s?(?:k|m|mm|grand|thousand|mil|million)\b|\$|,\d", c[2]) or c[1] >= 2000
    ]
    sized = marked or [c for c in candidates if c[1] >= 100]
    return (min(sized)[1], None) if sized else (None, None)
    return None, None


def read_risk(t: str) -> tuple[float | None, float | None, str | None]:
    """Return (risk %, risk dollars, problem): "risk 1%", "2 % risk", "half a percent", "risk $500"."""
    if re.search(r"\bhalf (?:a |of a |of one )?(?:percent|%)", t):
        return 0.5, None, None
    if re.search(r"\bquarter (?:of a )?(?:percent|%)", t):
        return 0.25, None, None
    m = re.search(
        r"\brisk(?:ing)?(?: of| at| is|:)? (?<![\d.])(-?\d*\.\d+|-?\d+(?:\.\d+)?) ?(?:%|percent)"
        r"|(?<![\d.])(-?\d*\.\d+|-?\d+(?:\.\d+)?) ?(?:%|percent) (?:risk|of (?:my |the )?(?:account|capital|port))"
        r"|\brisk(?:ing)?\b[^%$\d]{0,20}?(?<![\d.])(-?\d*\.\d+|-?\d+(?:\.\d+)?) ?(?:%|percent)"
        r"|(?<![\w.])(\d+(?:\.\d+)?) ?(?:%|percent)(?= (?:r\b|max|per trade))",
        t,
    )
    if m:
        pct = float(next(g for g in m.groups() if g is not None))
        if not 0 < pct <= 100:
            return (
                None,
                None,
                f"a risk of {pct:g}% can't be right: give a percent above 0 and at most 100",
            )
        return pct, None, None
    m = re.search(
        r"\b(?:risk(?:ing)?|max loss|lose at most|willing to lose)(?: of| is|:)? \$?(-?\d[\d,]*(?:\.\d+)?)\s?(k)?(?! ?%)"
        r"|\$(\d[\d,]*(?:\.\d+)?)\s?(k)? (?:of )?risk",
        t,
    )
    if m:
        raw, k = (m[1], m[2]) if m[1] else (m[3], m[4])
        amount = float(raw.replace(",", "")) * (1e3 if k else 1)
        if amount <= 0:
            return None, None, f"a risk of {raw} dollars can't be right"
        if m[1] and "$" not in m[0] and amount <= 10:  # "risk 2": two percent, not two dollars
            return amount, None, None
        return None, amount, None
    m = re.search(
        r"(?<![\w+-])(\.\d+|(?<!\.)\d(?:\.\d+)?) ?%(?! (?:chance|odds|of (?:the time|days|sessions)))",
        t,
    )
    if m and float(m[1]) > 0:
        return float(m[1]), None, None
    return None, None, None


_PRICE = (
    r"\$?(\d+(?:\.\d+)?)(?![\d%k]|\.\d|\s?(?:%|k\b|atr|x\b|shares|contracts)"
    r"|\s+(?:\$?[a-z]{2,6}\s+){0,2}(?:calls?|puts?|options?|contracts?|shs|cts|lots?)\b"
    r"|\s+(?:\$?[a-z]{2,6}\s+){1,2}(?:at|@)\s?\$?\d)"
)
"""A price (not a count: "buy 2 spy puts at 3.20" and "long 10 spx 0dte calls at 5.20" enter at
the premium, not at the count; "short 5 es at 5000" enters at 5000)."""
_STOP_PRICE = r"\$?(\d+(?:\.\d+)?)(?![\d%k]|\.\d|\s?(?:%|k\b|atr|x\b))"


def _price_or_level(tail: str, side: str, price: str = _PRICE) -> str | None:
    """Return the price or level key at the start of a clause ("392", "the ptrig", "pdc")."""
    tail = tail.strip()
    if re.match(r"(?:the )?(?:close|previous close|0)(?![\d.%])", tail):
        return "0"
    head = re.split(
        r",|;|\btarget|\btgt|\btp\b|\bstop|\bsl\b|\bentry|\brisk|\bon (?:a|my|an)\b|\busing\b|\bwith\b|\bacc|\band\b|\bfor\b|\bnet\b|\bif\b|-\s",
        tail,
    )[0]
    num = re.match(price, head)
    if num and float(num[1]) > 0:
        return num[1]
    slot = read_levels(head)
    keys = slot.keys or resolve_unsided(slot, head, "+" if side == "long" else "-")
    return keys[0] if keys else None


def read_side(t: str) -> str | None:
    """Return long or short from the trade's words ("buy puts" is short), or None."""
    plain = re.sub(r"\b(?:call|put)s? (?:side )?trigger\b", " ", t)
    m = re.search(
        r"\b(long|short|buy(?:ing)?|sell(?:ing)?|bought|sold|shorting|longing)\b(?: [$a-z&]+)?(?: (calls?|puts?))?",
        plain,
    )
    if m:
        if m[2]:
            return "short" if m[2].startswith("put") else "long"
        return "long" if m[1] in ("long", "buy", "buying", "bought", "longing") else "short"
    m = re.search(r"\b(calls?|puts?)\b", plain)
    if m:
        return "short" if m[1].startswith("put") else "long"
    return None


def _underlying_price(value: str | None) -> bool:
    """Return True for an entry of 100 or more: "puts on spy: short at 681" is SPY's price, not
    an option's premium (a premium that high has a strike written: "6000c at 120")."""
    return (
        value is not None
        and re.fullmatch(r"\d+(?:\.\d+)?", value) is not None
        and float(value) >= 100
    )


def _is_level(value: str | None) -> bool:
    """Return True for a level key ("+0.236", "0"), False for a price or nothing."""
    return value is not None and (value[:1] in "+-" or value == "0")


def _entry(t: str, side: str) -> str | None:
    """Return the entry price or level a trade names, or None."""
    written_before = re.search(r"(?<![\d.])\$?(\d+(?:\.\d+)?) (?:entry|entry price)\b", t)
    if written_before:  # "spy 680 entry stop 678.5"
        return written_before[1]
    for pattern in (
        r"\b(?:entry|enter(?:ing)?|in|paying|pay|paid|filled)(?: price)?(?: \$?[a-z]{2,5}(?= \$?\d))?(?: at| @| of| is|:|=)?",
        r"\b\d{3,5}[cp]\b(?: at| @)",
        r"\b(?:long|short|buy(?:ing)?|sell(?:ing)?|bought|sold|shorting|longing|going long|going short|get(?:ting)? (?:long|short))\b(?: \d+(?=(?: \$?[a-z]{2,6}){1,2} (?:at\b|@)|(?: \$?[a-z]{2,6}){0,2} (?:calls?|puts?|contracts?|options?|shares)\b))?(?: (?!stop|stp|sl|tgt|target|risk|at)(?:\$?[a-z]{2,5}))?(?: via \$?[a-z]{2,5})?(?: (?:calls?|puts?|options?|shares|contracts))?(?: at| @| from)?",
        r"(?:^|\s)@\s?",
        r"\b(?:spx|spy|\$?[a-z]{2,5})(?= \$?\d+(?:\.\d+)? (?:long|short|buy|sell)\b)",
        r"\b(?:spx|spy|es|mes|\$[a-z]{1,5})(?= \$?\d+(?:\.\d+)?,? (?:(?:with|w/|w) )?(?:stop|sl|stp)\b)",
        r"\b(?:calls?|puts?|options?|premium)(?! (?:side )?trig)(?: at| @| of| for)?",
    ):
        for m in re.finditer(pattern, t):
            found = _price_or_level(t[m.end() :], side)
            if found is not None:
                return found
    return None


def read_sizing(t: str) -> Sizing:
    """Return the sizing slots of a normalised message."""
    dates = r"(?<![\d.$])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d]|\.\d)|\b\d{4}-\d{2}-\d{2}\b"
    t = re.sub(dates, " ", t)  # a date is never a price
    t = re.sub(r"\b\d+ ?dte\b", " dte ", t)  # "0dte": days to expiry, never a price or level
    t = re.sub(r"(\d)\s?pct\b", r"\1%", t)  # "risk 2pct"
    out = Sizing()
    out.account, problem = read_account(t)
    out.risk_pct, out.risk_amount, risk_problem = read_risk(t)
    out.problem = problem or risk_problem
    out.side = read_side(t)
    side = out.side or "long"
    out.entry = _entry(t, side)
    if out.entry is None:  # "the call trigger long, stop at pdc": the level named before the stop
        head = re.split(r"\b(?:stop|sl|target|tgt|tp)\b", t)[0]
        slot = read_levels(head)
        keys = slot.keys or resolve_unsided(slot, head, "+" if side == "long" else "-")
        if keys and out.side:
            out.entry = keys[0]
    for stop in re.finditer(  # "risk per trade + daily stop be. say spy 681 w/ stop 679": the 2nd
        r"\b(?:stop(?:ped)?(?: loss)?(?:'s)?|sl|stp|out at)(?: out)?(?: at| @| is| of| to| above| below|:|=)?(?: the)?",
        t,
    ):
        out.stop = _price_or_level(
            t[stop.end() :], "short" if side == "long" else "long", _STOP_PRICE
        )
        if out.stop is not None:
            break
    before = re.search(r"\$?(\d+(?:\.\d+)?) (?:hard |mental )?(?:stop|sl)\b", t)
    use_as = re.search(
        r"\b(?:use|using|with|make|put)\b (?:the |a )?(.+?) as (?:the |my |a )?stop\b", t
    )
    target_as = re.search(  # "add -1 as the target", "use the mid as tp"
        r"\b(?:add|use|using|with|make|put|set)\b (?:the |a )?(.+?) as (?:the |my |a )?(?:target|tgt|tp)\b",
        t,
    )
    if target_as and (found := _price_or_level(target_as[1], side)) is not None:
        out.targets.append(found)
    if use_as:
        out.stop = _price_or_level(use_as[1], "short" if side == "long" else "long", _STOP_PRICE)
    elif out.stop is None and before:
        out.stop = before[1]
    target = re.search(
        r"\b(?:targets?|tgts?|tps?|take ?profits?|pt)(?: at| of| are| is|:|=)?(?: the)? (.+)$", t
    )
    if target:
        tail = re.split(
            r"\b(?:stop|sl|entry|risk|account|on (?:a|my)|for|using|with)\b|\d{4}-\d", target[1]
        )[0]
        for piece in re.split(r",| and | & | \+ | plus |/| then | (?=\$?\d)| (?=[+-]\d)", tail):
            found = _price_or_level(piece, side)
            if found is not None and found not in out.targets:
                out.targets.append(found)
    if re.search(r"\b(?:mes|micro(?:s| es| e-mini)?)\b", t):
        out.multiplier, out.units = 5.0, "contracts"
    elif re.search(r"\bes\b|\bfutures?\b|/es\b|\be-?mini\b", t):
        out.multiplier, out.units = 50.0, "contracts"
    elif re.search(
        r"\boptions?\b|\bpremium\b|\bdte\b|\bcontracts?\b|\bcons\b|\b\d{3,5}[cp]\b|\bx ?100\b",
        t,
    ) or (
        re.search(r"\b(?:calls?|puts?)\b(?! (?:side )?trigger| (?:my|the|a|your) stop)", t)
        # "puts on spy: short at the put trig, stop at pdc" prices the underlying: the option
        # word only names the side there
        and not (_is_level(out.entry) or _is_level(out.stop))
        and not _underlying_price(out.entry)
    ):
        out.multiplier, out.units = 100.0, "contracts"
    elif re.search(r"\bshares?\b|\bunits?\b", t):
        out.units = "shares"
    return out
