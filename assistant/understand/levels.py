"""ATR levels as traders name them: call trigger, ctrig, bull GG, the 61.8, +1 ATR, ±1, 1.618 ext.

``read_levels`` returns the level keys a message names, in order (``+0.236``, ``-0.382``, ``0``),
expanding pairs ("both triggers", "+/-1 ATR", "ctrig + ptrig"), and the level families named
without a side ("the golden gate"), which the caller resolves from context or asks about. A
number written like a level that is not on the grid (+0.45) is reported as ``problem``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.understand.vocab import level_families, named_levels, side_regex

GRID = (
    "0.236", "0.382", "0.5", "0.618", "0.786", "1", "1.236", "1.382", "1.5", "1.618", "1.786",
    "2", "2.236", "2.382", "2.5", "2.618", "2.786", "3",
)  # fmt: skip
ALL_KEYS = tuple([f"-{g}" for g in reversed(GRID)] + ["0"] + [f"+{g}" for g in GRID])


@dataclass
class LevelSlot:
    """The levels a message names."""

    keys: list[str] = field(default_factory=list)
    unsided: list[str] = field(default_factory=list)
    """Magnitudes named without a side ("golden gate" → 0.382)."""
    order: list[tuple[float, str]] = field(default_factory=list)
    """Every key or unsided magnitude with its position in the text (for ordering)."""
    problem: str | None = None


def key_of(sign: str, magnitude: float) -> str | None:
    """Return the level key for a side and ATR fraction, or None when it is not on the grid."""
    text = f"{magnitude:.3f}".rstrip("0").rstrip(".")
    if text == "0":
        return "0"
    return f"{sign}{text}" if text in GRID else None


def value(key: str) -> float:
    """Return a level key's ATR fraction (``-0.382`` → -0.382)."""
    return float(key)


def between(a: str, b: str) -> list[str]:
    """Return every grid key from ``a`` to ``b`` inclusive, ascending."""
    lo, hi = sorted((value(a), value(b)))
    return [k for k in ALL_KEYS if lo - 1e-9 <= value(k) <= hi + 1e-9]


def side_near(t: str, start: int, end: int) -> str | None:
    """Return ``+`` or ``-`` when a side word stands just before the span (or in brackets after)."""
    before, after = t[max(0, start - 20) : start], t[end : end + 14]
    up, down = side_regex("up"), side_regex("down")
    hits = [(m.end(), "+") for m in re.finditer(up, before)]
    hits += [(m.end(), "-") for m in re.finditer(down, before)]
    hits = [h for h in hits if not re.search(r"\d[+-]$", before[: h[0]])]  # "2024-03-05"
    adjacent = [h for h in hits if not re.search(r"[\w,;]", before[h[0] :].replace(" side", ""))]
    if adjacent:
        return max(adjacent)[1]
    if re.match(r"^\s?(?:down|downside|bear\w*)\b", after):  # "mid up, mid down": its own word
        return "-"
    if re.match(r"^\s?(?:up|upside|bull\w*)\b", after):
        return "+"
    hits = [h for h in hits if not re.search(r"\w", before[h[0] :].replace(" side", ""))] or hits
    near = [h for h in hits if len(before) - h[0] <= 12]
    if near:
        return max(near)[1]
    if re.match(r"^\s?\(?\s?(?:down|downside|bear\w*|short|puts?)\b", after):
        return "-"
    if re.match(r"^\s?\(?\s?(?:up|upside|bull\w*|long|calls?)\b", after):
        return "+"
    if re.match(rf"^\s*(?:\(|side\b|\s)?\s*{down}", after) and re.match(r"^\s*(?:\(|side)", after):
        return "-"
    if re.match(rf"^\s*(?:\(|side\b|\s)?\s*{up}", after) and re.match(r"^\s*(?:\(|side)", after):
        return "+"
    return None


_BOTH_WAYS = (
    r"\b(?:up|upside|bull\w*)\s?(?:/|and|&|or|n)\s?(?:down|downside|bear\w*)\b|\bboth sides\b|\beither side\b"
    r"|\bboth ways\b"
)


def message_side(t: str) -> str | None:
    """Return the side the whole message leans to (bullish/bearish words), or None."""
    t = re.sub(r"\blong[- ]?term\b", " ", t)
    if re.search(
        r"\b(?:up|upside|bull\w*)\s?(?:/|and|&|or|n)\s?(?:down|downside|bear\w*)\b|\bboth sides\b|\beither side\b",
        t,
    ):
        return None
    up = re.search(r"\bbull\w*|\bupside\b|\bcalls?\b|\bupper\b|\bup\b|\blong\b", t)
    down = re.search(r"\bbear\w*|\bdownside\b|\bputs?\b|\blower\b|\bdown\b|\bshort\b", t)
    if up and not down:
        return "+"
    if down and not up:
        return "-"
    return None


_NOT_LEVEL_AFTER = r"^\s*(?:risk|of (?:my |the )?(?:account|acct|capital)|chance|odds|of the time|win|of days|of sessions)"
_NOT_LEVEL_BEFORE = (
    r"(?:risk\w*|risking|risk of|win rate|odds|chance|size|pct|percent)\s*(?:of\s*)?$"
)


_GATE_WORDS = r"\b(?:gg|ggs|golden ?gates?|gates?)\b"
_EXT_LIST = (
    r"\b(?:ext\w*|extension levels?|levels?|lvls?)\s+"
    r"((?:[123](?:\.\d{1,3})?[ ,/&+]+(?:and )?)+[123](?:\.\d{1,3})?)\b"
)
_BARE_NUMBER = (
    r"(?<![\w.$/+-])(0?\.\d{2,3}|[123]\.\d{1,3}|[123](?=\s?(?:x\s?)?atr\b)|38\.2|61\.8|23\.6|78\.6)"
    r"(?:\s?(?:x\s?)?atr)?(?=\s?(?:level|lvl|line|ext|extension|atr|fib|s\b|$|\?|,|\)|:| (?:on|for"
    r"|level|target|and|to|or|from|is|gg|mid|rate|odds|up|down|calls?|puts?|side|in|since|during"
    r"|over|last|past|this|after|before|short|long|bull\w*|bear\w*|upside|downside|lvl|line|how|then"
    r"|both|each|hit|hits|touch|reach|when|vs|with|only|no|gets|got|was|tagged|touched|breaks|&)\b| &"
    r"| \d{1,2}/\d| \d{4}-\d))"
)


class _Scan:
    """One pass over a message: each ``pass_*`` method reads one way of naming levels, in an
    order where the more specific forms claim their text first (a span is read once)."""

    def __init__(self, t: str) -> None:
        self.t = t
        self.found: list[tuple[float, str]] = []
        self.taken: list[tuple[int, int]] = []
        self.slot = LevelSlot()

    def free(self, a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in self.taken)

    def take(self, pos: int, span: tuple[int, int], *keys: str) -> None:
        self.found.extend((pos + i * 1e-3, k) for i, k in enumerate(keys))
        self.taken.append(span)

    def sided(self, m: re.Match[str], magnitude: str, sign: str | None) -> None:
        """Record a level with its side, or as an unsided family when no side is known."""
        if sign:
            self.take(m.start(), m.span(), f"{sign}{magnitude}")
        else:
            self.slot.unsided.append(magnitude)
            self.slot.order.append((m.start(), magnitude))
            self.taken.append(m.span())

    def pass_dates(self) -> None:
        """Claim full dates first: "1/3/95" is a day, not the +1 and +3 levels."""
        date = r"(?<![\d.+-])\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})(?![\d/])|\b\d{4}-\d{2}-\d{2}\b"
        for m in re.finditer(date, self.t):
            self.taken.append(m.span())

    def pass_both_triggers(self) -> None:
        t = self.t
        pattern = r"\b(?:both|the|2|two) (?:triggers|trigs)\b|\btriggers\b(?! (?:at|in|after|before|between|during))"
        for m in re.finditer(pattern, t):
            listed = re.search(  # "spx triggers + gg's": both families named side by side
                r"\btriggers\s*(?:\+|and|&|,|n)\s*(?:the |both )?(?:gg|golden ?gate|gate)"
                r"|(?:gg|golden ?gate|gate)'?s?\s*(?:\+|and|&|,|n)\s*(?:the )?triggers\b",
                t,
            )
            gates = re.search(_GATE_WORDS, t) and not listed
            if gates and not re.search(r"\b(?:both|the|2|two) triggers\b", t):
                continue
            sided = re.search(r"\b(?:call|put|bull|bear|upper|lower)\w* triggers", t)
            if self.free(*m.span()) and not sided:
                self.take(m.start(), m.span(), "+0.236", "-0.236")
        for m in re.finditer(r"\b(?:calls?|c) ?(?:and|&|/|\+|n) ?(?:puts?|p)(?: side)? trig\w*", t):
            if self.free(*m.span()):
                self.take(m.start(), m.span(), "+0.236", "-0.236")

    def pass_extension_list(self) -> None:
        for m in re.finditer(_EXT_LIST, self.t):
            after = self.t[m.end() : m.end() + 12]
            down = re.search(r"\b(?:down\w*|lower|bear\w*|puts?)\b", after)
            sign = side_near(self.t, m.start(), m.end()) or ("-" if down else "+")
            keys = [key_of(sign, float(x)) for x in re.findall(r"[123](?:\.\d{1,3})?", m[1])]
            if re.fullmatch(r"\d{1,2}/\d{1,2}", m[1]) and not re.match(r"\s*(?:atrs?|x)\b", after):
                continue  # "spy lvls 2/2": a date, not the +2 extension twice
            if all(keys) and self.free(*m.span(1)):
                self.take(m.start(1), m.span(1), *[k for k in keys if k])

    def pass_pairs(self) -> None:
        both = (
            r"\b(?:upper|top|bull\w*|call) ?(?:and|&|/|\+|n) ?(?:lower|bottom|bear\w*|put) "
            r"(midranges?|mids?|golden gates?|ggs?|gates?|triggers?)"
        )
        family = {"mid": "0.618", "gol": "0.382", "gg": "0.382", "gat": "0.382", "tri": "0.236"}
        for m in re.finditer(both, self.t):
            mag = next(v for k, v in family.items() if m[1].startswith(k))
            if self.free(*m.span()):
                self.take(m.start(), m.span(), f"+{mag}", f"-{mag}")
        for m in re.finditer(
            r"\bboth (?:golden gates|ggs|gates|gg)\b|\bgolden gates\b|\bggs\b", self.t
        ):
            if self.free(*m.span()):
                self.take(m.start(), m.span(), "+0.382", "-0.382")
        for m in re.finditer(
            r"(?<![\w.+-])\+?(\d(?:\.\d{1,3})?)\s?(?:and|&|/|,)\s?-\1(?![\d.])", self.t
        ):
            up, down = key_of("+", float(m[1])), key_of("-", float(m[1]))
            if up and down and self.free(*m.span()):  # "2 and -2 atr"
                self.take(m.start(), m.span(), up, down)
        for m in re.finditer(
            r"(?<![\w.])([+-]\d(?:\.\d{1,3})?)\s?/\s?([+-]\d(?:\.\d{1,3})?)(?![\d/])", self.t
        ):
            a, b = key_of(m[1][0], float(m[1][1:])), key_of(m[2][0], float(m[2][1:]))
            if a and b and self.free(*m.span()):  # "+1/-1"
                self.take(m.start(), m.span(), a, b)
        for m in re.finditer(r"(?:\+/-|\+-|-/\+|±)\s?(\d(?:\.\d{1,3})?|\.\d{1,3})\s?(%)?", self.t):
            size = float(m[1]) / (100 if m[2] else 1)
            up, down = key_of("+", size), key_of("-", size)
            if up and down and self.free(*m.span()):
                self.take(m.start(), m.span(), up, down)

    def pass_named(self) -> None:
        zero = r"(?<![\w.+-])0(?= to | ?->| ?→)|(?<=\bfrom )0(?![\w.%])|(?<=\bof )0(?![\w.%])"
        for m in re.finditer(zero, self.t):
            if self.free(*m.span()):
                self.take(m.start(), m.span(), "0")
        for pattern, key in named_levels():
            for m in re.finditer(pattern, self.t):
                if self.free(*m.span()):
                    self.take(m.start(), m.span(), key)

    def pass_percent(self) -> None:
        t = self.t
        for m in re.finditer(r"(?<![\w.])([+-])?\s?(\d{1,3}(?:\.\d{1,3})?)\s?%", t):
            if not self.free(*m.span()) or re.search(_NOT_LEVEL_BEFORE, t[: m.start()]):
                continue
            if re.search(_NOT_LEVEL_AFTER, t[m.end() :]):
                continue
            sign = m[1] or side_near(t, m.start(), m.end())
            key = key_of(sign or "+", float(m[2]) / 100)
            if key is not None:
                self.sided(m, key[1:], sign)

    def pass_signed(self) -> None:
        t = self.t
        signed = r"(?<![\w.$/])([+-])\s?(\d(?:\.\d{1,3})?|\.\d{1,3})(?![\d%/]|\.\d)(?:\s?atr\b)?"
        for m in re.finditer(signed, t):
            if not self.free(*m.span()) or _separator(t, m.start()):
                continue
            key = key_of(m[1], float(m[2]))
            if key:
                self.take(m.start(), m.span(), key)
            elif float(m[2]) <= 3 or "atr" in m[0] or re.match(r"\s?ext", t[m.end() :]):
                text = m.group(0).strip()  # "+4 atr": beyond the grid, never read as full ATR
                self.slot.problem = f"'{text}' is not one of the ATR levels (±0.236 … ±3)."
                self.taken.append(m.span())
        for m in re.finditer(
            r"(?<![\w.$/])([+-])\s?(\d{2,3}(?:\.\d)?)(?![\d%.])(?!\s?(?:ema|sma|ma|d\b|day|period))",
            t,
        ):
            key = key_of(m[1], float(m[2]) / 100)
            if key and self.free(*m.span()) and not _separator(t, m.start()):
                self.take(m.start(), m.span(), key)

    def pass_bare_numbers(self) -> None:
        self.t = re.sub(r"(?<=\d)/(?=0?\.\d{2,3}\b)", " ", self.t)  # "0.236/0.382/0.618"
        fraction = r"(?<![\w.$/+-])(0?\.(?:236|382|5|50|500|618|786))(?![\d%])"
        thousandths = r"(?<=\bthe )(618|382|236|786)(?=\b(?!\.\d))"  # "from the 618": 0.618
        for m in re.finditer(thousandths, self.t):
            if self.free(*m.span()):
                self.sided(m, f"0.{m[1]}", side_near(self.t, m.start(), m.end()))
        for pattern in (fraction, _BARE_NUMBER):
            for m in re.finditer(pattern, self.t):
                if not self.free(*m.span()):
                    continue
                raw = float(m[1])
                key = key_of("+", raw / 100 if raw > 3 else raw)
                if key is not None:
                    self.sided(m, key[1:], side_near(self.t, m.start(), m.end()))

    def pass_families(self) -> None:
        t = self.t
        for pattern, magnitude in level_families():
            signed = pattern.replace(r"(?<![\w$^+\-.])", r"(?<![\w.])([+-])", 1)
            for m in re.finditer(signed, t):  # "ptrig to -mid", "+gg"
                if signed != pattern and self.free(*m.span()):
                    self.take(m.start(), m.span(), f"{m[1]}{magnitude}")
            for m in re.finditer(pattern, t):
                if not self.free(*m.span()):
                    continue
                if magnitude == "0.236" and _names_a_gate_trigger(t, m):
                    self.taken.append(m.span())
                    continue
                self.sided(m, magnitude, side_near(t, m.start(), m.end()))


def _separator(t: str, at: int) -> bool:
    """Return True when the sign at ``at`` is a dash between words ("back to spx - 2x atr
    above"): spaced on both sides after a word, it is not a minus."""
    return (
        t[at] == "-"
        and t[at - 2 : at].endswith(" ")
        and at >= 2
        and t[at - 2].isalpha()
        and t[at + 1 : at + 2] == " "
    )


def _names_a_gate_trigger(t: str, m: re.Match[str]) -> bool:
    """Return True when "trigger" is the golden gate's trigger ("gg triggers after 1pm"), not
    the trigger level."""
    before = t[max(0, m.start() - 30) : m.start()]
    after_words = (
        r"s?\s(?:in|at|after|before|between|during|time|hour|bucket|window|odds|stats|rate|by|from|until)\b"
        r"|s?\s(?:the |a |its )?(?:gg|ggs|golden ?gates?|gates?)\b"  # "trigger the gg": the verb
        r"|s?\s\d{1,2}(?::\d{2})?\s?(?:am|pm)\b"
    )
    clock = r"(?:\d{1,2}(?::\d{2})?\s?(?:am|pm)?(?:\s?-\s?\d{1,2}(?::\d{2})?\s?(?:am|pm)?)?|open(?:ing)?|morning|afternoon|lunch|late|early)\s?$"
    return bool(
        re.search(rf"{_GATE_WORDS}\s*(?:\w+\s){{0,3}}$", before)
        or re.match(after_words, t[m.end() :])
        # "a 10am trigger", "9:30-10 trigger" beside golden-gate words: when the gate triggered
        or (re.search(clock, before) and re.search(rf"{_GATE_WORDS}|\bcomplet\w*", t))
    )


_PASSES = (
    _Scan.pass_dates,
    _Scan.pass_both_triggers,
    _Scan.pass_extension_list,
    _Scan.pass_pairs,
    _Scan.pass_named,
    _Scan.pass_percent,
    _Scan.pass_signed,
    _Scan.pass_bare_numbers,
    _Scan.pass_families,
)


def read_levels(t: str) -> LevelSlot:
    """Return the levels a normalised message names (see the module docstring)."""
    scan = _Scan(t)
    for step in _PASSES:
        step(scan)
    slot = scan.slot
    if re.search(
        _BOTH_WAYS, t
    ):  # "full atr up/down", "the 0.618 both sides": each level's mirror too
        mirrored = [
            (p + 1e-6, ("-" if k[0] == "+" else "+") + k[1:]) for p, k in scan.found if k[0] in "+-"
        ]
        scan.found += mirrored
    slot.keys = list(dict.fromkeys(k for _, k in sorted(scan.found)))
    slot.order = sorted(scan.found + slot.order)
    return slot


def resolve_unsided(slot: LevelSlot, t: str, default_sign: str | None = None) -> list[str]:
    """Return the keys in the order named, each unsided family given the message's side, else
    ``default_sign``, else both sides (a trader asking for "the golden gate" wants the pair)."""
    if not slot.unsided:
        return list(slot.keys)
    side = message_side(t) or default_sign
    if side is None and slot.keys:
        signs = {k[0] for k in slot.keys if k != "0"}
        side = signs.pop() if len(signs) == 1 else None
    out: list[str] = []
    for _, item in slot.order:
        if item[:1] in "+-" or item == "0":
            wanted = [item]
        else:
            wanted = [f"{side}{item}"] if side else [f"+{item}", f"-{item}"]
        out += [k for k in wanted if k not in out]
    return out
