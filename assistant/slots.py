"""Reading a trader's words: symbols, dates, modes, levels, hours, money and risk.

Pure text functions used by the offline planner. Each returns what it found and never guesses
silently: absence is ``None``. Relative dates are read against a reference ``today``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

from core.calendar import next_session, previous_session

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february", "febuary"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
WEEKDAYS = {
    d: i
    for i, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for d in names
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))

SYMBOL_ALIASES = {
    "spx": "SPX",
    "$spx": "SPX",
    "^spx": "SPX",
    "spx500": "SPX",
    "sp500": "SPX",
    "s&p": "SPX",
    "s&p500": "SPX",
    "spxw": "SPX",
    "spy": "SPY",
    "$spy": "SPY",
}


VOCABULARY = (
    "levels",
    "level",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "annual",
    "daily",
    "hourly",
    "ribbon",
    "compression",
    "oscillator",
    "phase",
    "trigger",
    "triggers",
    "golden",
    "gate",
    "gates",
    "midrange",
    "previous",
    "close",
    "stats",
    "statistics",
    "probability",
    "morning",
    "afternoon",
    "account",
    "contracts",
    "futures",
    "options",
    "bullish",
    "bearish",
    "conviction",
    "extension",
    "extensions",
    "yesterday",
    "tomorrow",
    "position",
    "should",
    "complete",
    "completion",
    "target",
    "targets",
    "entry",
    "stop",
    "risk",
    "percent",
    "scalp",
    "swing",
    "multiday",
    "longterm",
    "indicator",
    "indicators",
    "trend",
    "where",
    "explain",
    "what",
    "odds",
    "chance",
    "history",
    "historically",
    "session",
    "minute",
    "minutes",
    "premium",
    "arrow",
    "upside",
    "downside",
    "friday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "squeeze",
    "expansion",
)


ABBREVIATIONS = {
    "hrly": "hourly",
    "wkly": "weekly",
    "mthly": "monthly",
    "qtrly": "quarterly",
    "stas": "stats",
    "levs": "levels",
    "trig": "trigger",
    "trigs": "triggers",
}
KEEP = frozenset(
    (
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
        "bucket",
        "weekday",
        "close",
        "closes",
        "closed",
        "entries",
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
        "thing",
        "things",
        "along",
        "again",
        "going",
        "change",
        "changes",
        "update",
        "edit",
        "modify",
        "compare",
        "delete",
        "remove",
        "share",
        "remember",
        "forget",
        "pause",
        "paused",
        "resume",
        "alert",
        "alerts",
        "cancel",
        "notify",
        "reach",
        "reaches",
    )
)


def _correct(word: str) -> str:
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if (
        len(word) < 5
        or not word.isalpha()
        or word in KEEP
        or word in VOCABULARY
        or word in SYMBOL_ALIASES
        or any(word.startswith(v) for v in VOCABULARY if len(v) >= 4)
    ):
        return word
    close = difflib.get_close_matches(word, VOCABULARY, n=1, cutoff=0.8)
    return close[0] if close else word


def normalize(text: str) -> str:
    """Return lower-cased text with curly quotes and odd spaces straightened and common
    misspellings of the domain's words corrected (levles → levels, ribon → ribbon)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2212", "-")
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text.lower()).strip()
    return re.sub(r"[a-z]+", lambda m: _correct(m.group(0)), text)


def find_symbol(text: str, known: tuple[str, ...] = ()) -> str | None:
    """Return the first symbol named in ``text`` (aliases like $spx, s&p, or any ``known``)."""
    words = re.findall(r"[$^]?[a-z0-9&]+", normalize(text))
    known_lower = {k.lower(): k for k in known}
    for w in words:
        if w in SYMBOL_ALIASES:
            return SYMBOL_ALIASES[w]
        bare = w.lstrip("$^")
        if bare in known_lower and len(bare) >= 2 and bare not in _COMMON_WORDS:
            return known_lower[bare]
    return None


_COMMON_WORDS = {
    "a",
    "i",
    "am",
    "at",
    "on",
    "in",
    "to",
    "it",
    "is",
    "be",
    "by",
    "do",
    "go",
    "me",
    "my",
    "of",
    "or",
    "so",
    "up",
    "we",
    "pm",
    "all",
    "are",
    "for",
    "the",
    "and",
}


@dataclass(frozen=True)
class DateRange:
    """An inclusive date range read from text; either end may be open."""

    start: dt.date | None
    end: dt.date | None


def _year(text: str | None, today: dt.date) -> int:
    if text is None:
        return today.year
    value = int(text)
    return value + 2000 if value < 100 else value


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_DATE_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),
    ("us", r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b"),
    ("mdy", rf"\b({_MONTH_RE})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b"),
    ("dmy", rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH_RE})\.?(?:,? (\d{{4}}))?\b"),
    (
        "rel",
        r"\b(today|tonight|now|currently|current session|this session|yesterday|yday|ytd|"
        r"tomorrow|tmrw|tmr|tomorow|next session|last session|prior session|previous session)\b",
    ),
    ("wd", rf"\b(?:(last|this|on|past|previous) )?({_WEEKDAY_RE})\b"),
]


def find_date(text: str, today: dt.date) -> tuple[dt.date | None, bool, str]:
    """Return (date, said_current, matched text) for the first date phrase in ``text``.

    ``said_current`` is True for words that mean the latest session (today, now, current): the
    caller omits the date then, so tools use the newest data. Weekday names mean the most recent
    such day on or before ``today`` ("last friday": strictly before).
    """
    t = normalize(text)
    best: tuple[int, dt.date | None, bool, str] | None = None
    for kind, pattern in _DATE_PATTERNS:
        for m in re.finditer(pattern, t):
            found = _read_date(kind, m, today)
            if found is None:
                continue
            date, current = found
            if best is None or m.start() < best[0]:
                best = (m.start(), date, current, m.group(0))
            break
    if best is None:
        return None, False, ""
    return best[1], best[2], best[3]


def _read_date(kind: str, m: re.Match[str], today: dt.date) -> tuple[dt.date | None, bool] | None:
    g = m.groups()
    if kind == "iso":
        d = _safe_date(int(g[0]), int(g[1]), int(g[2]))
        return None if d is None else (d, False)
    if kind == "us":
        if g[2] is None and not re.search(r"\d/\d", m.group(0)):
            return None
        d = _safe_date(_year(g[2], today), int(g[0]), int(g[1]))
        return None if d is None else (d, False)
    if kind in ("mdy", "dmy"):
        month, day = (MONTHS[g[0]], int(g[1])) if kind == "mdy" else (MONTHS[g[1]], int(g[0]))
        year = int(g[2]) if g[2] else today.year
        d = _safe_date(year, month, day)
        if d is not None and not g[2] and d > today:
            d = _safe_date(year - 1, month, day)
        return None if d is None else (d, False)
    if kind == "rel":
        word = g[0]
        if word in (
            "yesterday",
            "yday",
            "ytd",
            "last session",
            "prior session",
            "previous session",
        ):
            return previous_session(today), False
        if word in ("tomorrow", "tmrw", "tmr", "tomorow", "next session"):
            return next_session(today), False
        return None, True
    if kind == "wd":
        target = WEEKDAYS[g[1]]
        back = (today.weekday() - target) % 7
        if g[0] in ("last", "past", "previous") and back == 0:
            back = 7
        return today - dt.timedelta(days=back), False
    return None


def find_range(text: str, today: dt.date) -> DateRange:
    """Return the statistics window in ``text``: "last 3 years", "since 2025", "in 2025", "from X to Y"."""
    t = normalize(text)
    m = re.search(
        r"\b(?:last|past|previous) (\d+|one|two|three|four|five|six|twelve) "
        r"(years?|yrs?|months?|mos?|weeks?|days?|sessions?)\b",
        t,
    )
    if m:
        n = _number_word(m.group(1))
        unit = m.group(2)[0]
        if unit == "y":
            start = _safe_date(today.year - n, today.month, min(today.day, 28))
        elif unit == "m":
            months = today.year * 12 + today.month - 1 - n
            start = _safe_date(months // 12, months % 12 + 1, min(today.day, 28))
        elif unit == "w":
            start = today - dt.timedelta(weeks=n)
        else:
            start = today - dt.timedelta(days=n if unit == "d" else round(n * 7 / 5))
        return DateRange(start, None)
    m = re.search(r"\b(?:last|past) (year|month|week)\b", t)
    if m:
        return find_range(t.replace(m.group(0), f"last 1 {m.group(1)}"), today)
    m = re.search(r"\b(?:since|from|after) (\d{4})(?!-)\b", t)
    if m and not re.search(r"\b(?:since|from|after) \d{4}-", t):
        return DateRange(dt.date(int(m.group(1)), 1, 1), None)
    m = re.search(r"\b(?:in|during|for) (\d{4})\b(?!-)", t)
    if m:
        year = int(m.group(1))
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31))
    m = re.search(r"\b(?:from|between|since) (.+?)(?: (?:to|and|until|through|-) (.+))?$", t)
    if m:
        start, _, _ = find_date(m.group(1), today)
        end = find_date(m.group(2), today)[0] if m.group(2) else None
        if start is not None:
            return DateRange(start, end)
    return DateRange(None, None)


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}


def _number_word(text: str) -> int:
    return _NUMBER_WORDS.get(text, int(text) if text.isdigit() else 1)


MODE_WORDS: list[tuple[str, str]] = [
    (r"\bscalp(?:ing)?\b|\b4 ?h(?:ou)?r?\b|\bfour hour\b|\b240 ?m(?:in)?\b", "scalp"),
    (r"\bmulti[- ]?day\b|\bweekly\b|\bweek(?:'s)?\b|\bwk\b", "multiday"),
    (r"\bswing\b|\bmonthly\b|\bmonth(?:'s)?\b", "swing"),
    (
        r"\bposition(?:al)? (?:mode|levels?|lvls?|atr)\b|\bquarterly\b|\bquarter(?:'s)?\b|\bqtr\b"
        r"|\bpositional\b",
        "position",
    ),
    (r"\blong[- ]?term\b|\byearly\b|\bannual\b|\byear(?:'s)?\b", "longterm"),
    (r"\bday (?:mode|levels?|atr)\b|\bdaily\b|\bintraday\b|\bday trad", "day"),
]


def find_mode(text: str) -> str | None:
    """Return the levels mode named in ``text`` (weekly → multiday, monthly → swing...), or None."""
    t = normalize(text)
    t = re.sub(
        r"\b(?:last|past|previous|next|this) (?:\d+ )?(?:years?|months?|weeks?|days?)\b", " ", t
    )
    t = re.sub(r"\b(?:since|in|for|during) \d{4}\b", " ", t)
    t = re.sub(r"\bposition siz\w*|\bmy position\b", " ", t)
    if re.search(r"\bthis week(?:'s)?\b|\bweekly\b", normalize(text)):
        return "multiday"
    for pattern, name in MODE_WORDS:
        if re.search(pattern, t):
            return name
    return None


_SIGN_UP = r"(?:bull(?:ish)?|upper|upside|up|above|call|calls|long|\+|positive|plus|top|high)"
_SIGN_DOWN = (
    r"(?:bear(?:ish)?|lower|downside|down|below|put|puts|short|-|negative|minus|bottom|low)"
)
_NAMED: list[tuple[str, str]] = [
    (
        r"\bcall trigger\b|\blong trigger\b|\bbull(?:ish)? trigger\b|\bupper trigger\b|\bup trigger\b"
        r"|\bcalls? trig\w*",
        "+0.236",
    ),
    (
        r"\bput trigger\b|\bshort trigger\b|\bbear(?:ish)? trigger\b|\blower trigger\b"
        r"|\bdown trigger\b|\bputs? trig\w*",
        "-0.236",
    ),
    (
        r"\bprevious close\b|\bprior close\b|\bprev close\b|\bpdc\b|\bpc\b|\byesterday'?s close\b"
        r"|\bthe close\b|\bclose level\b|\bzero line\b|(?<=from )0(?![\d.%])|(?<=of )0(?![\d.%])"
        r"|(?<![\d.])0(?= to )",
        "0",
    ),
]
_FAMILY: list[tuple[str, str]] = [
    (r"\bmomentum (?:golden ?gates?|ggs?)\b", "1.382"),
    (r"\bgolden ?gates?\b|\bggs?\b|\bgate\b", "0.382"),
    (r"\bmid ?range\b|\bmidrange\b|\bgg (?:target|completion)\b", "0.618"),
    (r"\bfull atr\b|\b1 atr\b|\bone atr\b|\bfull range\b", "1"),
    (r"\b2 atr\b|\btwo atr\b|\bdouble atr\b", "2"),
    (r"\b3 atr\b|\bthree atr\b", "3"),
    (r"\btrigger\b", "0.236"),
]
_PCT = r"([+-]?)\s?(\d{1,3}(?:\.\d{1,3})?)\s?%"
_FRACTION = r"(?<![\w.])([+-])\s?(\d(?:\.\d{1,3})?)(?![\d%])(?:\s?atr)?"
GRID = (
    "0.236",
    "0.382",
    "0.5",
    "0.618",
    "0.786",
    "1",
    "1.236",
    "1.382",
    "1.5",
    "1.618",
    "1.786",
    "2",
    "2.236",
    "2.382",
    "2.5",
    "2.618",
    "2.786",
    "3",
)


def _key(sign: str, magnitude: float) -> str | None:
    text = f"{magnitude:.3f}".rstrip("0").rstrip(".")
    if text not in GRID:
        return None
    return f"{sign}{text}"


def _sign_near(text: str, start: int, end: int) -> str | None:
    before = text[max(0, start - 18) : start]
    after = text[end : end + 12]
    if re.search(rf"{_SIGN_DOWN}\s*$", before) or re.search(rf"^\s*\({_SIGN_DOWN}\)", after):
        return "-"
    if re.search(rf"{_SIGN_UP}\s*$", before) or re.search(rf"^\s*\({_SIGN_UP}\)", after):
        return "+"
    return None


def find_levels(text: str) -> list[str]:
    """Return the ATR level keys named in ``text`` in order of appearance (``+0.382``, ``0``...).

    Names: call/put trigger, golden gate, midrange, full/1/2/3 ATR, previous close (pdc), and
    numbers such as +61.8 %, -0.382 or 1.236. An unsigned family (``golden gate``) takes its side
    from nearby words (bullish, lower, put...) or from ``default_sign``; without one it is skipped.
    """
    t = normalize(text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern, key in _NAMED:
        for m in re.finditer(pattern, t):
            if free(m.start(), m.end()):
                found.append((m.start(), key))
                taken.append(m.span())
    for m in re.finditer(_PCT, t):
        if not free(m.start(), m.end()):
            continue
        key = _key(m.group(1) or _sign_near(t, m.start(), m.end()) or "+", float(m.group(2)) / 100)
        if key and _level_context(t, m.start(), m.end()):
            found.append((m.start(), key))
            taken.append(m.span())
    for m in re.finditer(_FRACTION, t):
        if free(m.start(), m.end()):
            key = _key(m.group(1), float(m.group(2)))
            if key:
                found.append((m.start(), key))
                taken.append(m.span())
    side = {"bull": "+", "bear": "-"}.get(find_direction(t) or "")
    if side is None and found:
        signs = {key[0] for _, key in found if key != "0"}
        side = signs.pop() if len(signs) == 1 else None
    for pattern, magnitude in _FAMILY:
        for m in re.finditer(pattern, t):
            if not free(m.start(), m.end()):
                continue
            sign = _sign_near(t, m.start(), m.end()) or side
            if sign:
                found.append((m.start(), f"{sign}{magnitude}"))
                taken.append(m.span())
    return [key for _, key in sorted(found)]


def _level_context(text: str, start: int, end: int) -> bool:
    """Return False for percentages that are risk or odds, not levels ("risk 1%", "70% chance")."""
    before = text[max(0, start - 14) : start]
    after = text[end : end + 10]
    if re.search(r"risk\w*\s*(?:of\s*)?$|\brisking\s*$", before) or re.search(
        r"^\s*(?:risk|of (?:my|the) account|chance|odds)", after
    ):
        return False
    return True


def level_families(text: str) -> list[str]:
    """Return unsigned level families named in ``text`` without a side (``golden gate`` → 0.382)."""
    t = normalize(text)
    out = []
    for pattern, magnitude in _FAMILY:
        for m in re.finditer(pattern, t):
            if _sign_near(t, m.start(), m.end()) is None:
                out.append(magnitude)
    return out


def find_direction(text: str) -> str | None:
    """Return ``bull`` or ``bear`` when the text names a side, else None."""
    t = normalize(text)
    bull = re.search(r"\bbull\w*|\bupside\b|\blong\b|\bcalls?\b|\bup(?:ward)?\b|\bupper\b|\+", t)
    bear = re.search(r"\bbear\w*|\bdownside\b|\bshort\b|\bputs?\b|\bdown(?:ward)?\b|\blower\b", t)
    if bull and not bear:
        return "bull"
    if bear and not bull:
        return "bear"
    if bull and bear:
        return "bull" if bull.start() < bear.start() else "bear"
    return None


BUCKETS = ("open", "09", "10", "11", "12", "13", "14", "15")


def _hour24(hour: int, ampm: str | None) -> int:
    if ampm == "pm" and hour < 12:
        return hour + 12
    if ampm is None and 1 <= hour <= 4:
        return hour + 12  # "after 2" in a trading day means 2 pm
    return hour


def _bucket_of(hour: int) -> int:
    return max(9, min(15, hour))


def find_trigger_buckets(text: str) -> list[str] | None:
    """Return the golden-gate trigger buckets a text asks about ("after 1pm" → 13, 14, 15)."""
    t = normalize(text)
    hour = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
    m = re.search(rf"\bbetween {hour} (?:and|&|-) {hour}", t)
    if m:
        lo = _hour24(int(m.group(1)), _ampm(m.group(3)))
        hi = _hour24(int(m.group(4)), _ampm(m.group(6)))
        return [f"{h:02d}" for h in range(_bucket_of(lo), _bucket_of(hi))] or None
    m = re.search(rf"\b(after|before|by|at|around|in the) {hour}(?!\s*(?:%|atr|years?|days?))", t)
    if m:
        h = _hour24(int(m.group(2)), _ampm(m.group(4)))
        if not 1 <= int(m.group(2)) <= 16 and h > 16:
            return None
        if m.group(1) == "after":
            start = h if m.group(3) in (None, "00") else h + 1
            return [f"{x:02d}" for x in range(max(9, start), 16)]
        if m.group(1) in ("before", "by"):
            return ["open", *(f"{x:02d}" for x in range(9, min(h, 16)))]
        return [f"{_bucket_of(h):02d}"]
    if re.search(
        r"\bat the open\b|\bon the open\b|\bopens? (?:above|below|beyond|through)\b"
        r"|\bgap(?:s|ped)? (?:above|below|over|through)",
        t,
    ):
        return ["open"]
    if re.search(r"\bfirst (?:30|half hour)\b", t):
        return ["09"]
    if re.search(r"\bfirst hour\b", t):
        return ["open", "09"]
    if re.search(r"\b(?:last|final|power) hour\b", t):
        return ["15"]
    if re.search(r"\bafternoon\b", t):
        return ["12", "13", "14", "15"]
    if re.search(r"\bmorning\b", t):
        return ["open", "09", "10", "11"]
    if re.search(r"\blunch\b|\bmidday\b", t):
        return ["12"]
    return None


def _ampm(text: str | None) -> str | None:
    return None if text is None else text.replace(".", "")[:2]


_MONEY = r"\$?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(k|mm|m|grand|thousand|million)?\b"


def find_account(text: str) -> float | None:
    """Return the account size in dollars ("50k account", "account of $100,000", "net liq 6500")."""
    t = normalize(text)
    patterns = [
        rf"(?:account|acct|net ?liq\w*|capital|portfolio|equity)(?: size)?(?: is| of| at|:|=)? {_MONEY}",
        rf"{_MONEY} (?:account|acct|portfolio|net ?liq)",
    ]
    for p in patterns:
        m = re.search(p, t)
        if m:
            return _money_from(m)
    return None


def _money_from(m: re.Match[str]) -> float:
    digits = m.group(1).replace(",", "")
    mult = {"k": 1e3, "grand": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6}
    return float(digits) * mult.get(m.group(2) or "", 1.0)


def find_risk_pct(text: str) -> float | None:
    """Return the risk percent ("risk 1%", "1.5% risk", "risking 2 percent")."""
    t = normalize(text)
    m = re.search(r"\brisk(?:ing)?(?: of)? (\d+(?:\.\d+)?) ?(?:%|percent|pct)", t) or re.search(
        r"(\d+(?:\.\d+)?) ?(?:%|percent|pct) (?:risk|of (?:my |the )?(?:account|acct|capital))", t
    )
    return float(m.group(1)) if m else None


TIMEFRAME_WORDS: list[tuple[str, str]] = [
    (r"\b1 ?m(?:in(?:ute)?)?\b|\bone minute\b", "1m"),
    (r"\b3 ?m(?:in(?:ute)?)?\b|\bthree minute\b", "3m"),
    (r"\b5 ?m(?:in(?:ute)?)?\b|\bfive minute\b", "5m"),
    (r"\b10 ?m(?:in(?:ute)?)?\b|\bten minute\b", "10m"),
    (r"\b15 ?m(?:in(?:ute)?)?\b|\bfifteen minute\b", "15m"),
    (r"\b30 ?m(?:in(?:ute)?)?\b|\bthirty minute\b|\bhalf hour\b", "30m"),
    (r"\b1 ?h(?:r|our)?\b|\bhourly\b|\b60 ?m(?:in)?\b|\bone hour\b|\bthe hour\b", "1h"),
    (r"\b2 ?h(?:r|our)?\b|\btwo hour\b", "2h"),
    (r"\b4 ?h(?:r|our)?\b|\bfour hour\b", "4h"),
    (r"\bdaily\b|\b1 ?d\b|\bday chart\b|\bthe day\b|\bon the daily\b|\bd chart\b", "1d"),
    (r"\bweekly\b|\b1 ?w\b|\bweek chart\b", "1w"),
    (r"\bmonthly\b|\bmonth chart\b", "1mo"),
]


def find_timeframe(text: str) -> str | None:
    """Return the chart bar size named in ``text`` (hourly → 1h, 10 min → 10m, daily → 1d)."""
    t = normalize(text)
    t = re.sub(r"\b(?:last|past) \d+ \w+", " ", t)
    hits = [(m.start(), tf) for pattern, tf in TIMEFRAME_WORDS for m in re.finditer(pattern, t)]
    return min(hits)[1] if hits else None


_K_MONEY = r"\$?(\d+(?:\.\d+)?)\s?(k|mm|m|grand)\b|\$(\d{1,3}(?:,\d{3})+|\d{4,})"
_PRICE = r"\$?(\d+(?:\.\d+)?)(?![\d%k])"


def find_account_size(text: str) -> float | None:
    """Return the account size: an account phrase, else the first amount written like money
    (``50k``, ``$100,000``, ``1.5m``) — prices are never written that way."""
    found = find_account(text)
    if found is not None:
        return found
    m = re.search(_K_MONEY, normalize(text))
    if not m:
        return None
    if m.group(3):
        return float(m.group(3).replace(",", ""))
    mult = {"k": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6}[m.group(2)]
    return float(m.group(1)) * mult


def find_risk(text: str) -> float | None:
    """Return the risk percent: "risk 1%", "1% risk", "risk half a percent", "20k acct risk 3%"."""
    t = normalize(text)
    if re.search(r"\bhalf (?:a |of a )?(?:percent|%)", t):
        return 0.5
    if re.search(r"\bquarter (?:of a )?(?:percent|%)", t):
        return 0.25
    found = find_risk_pct(t)
    if found is not None:
        return found
    m = re.search(r"\brisk(?:ing)?\b[^%]{0,20}?(\d+(?:\.\d+)?) ?(?:%|percent)", t)
    return float(m.group(1)) if m else None


def _slot_value(tail: str) -> str | None:
    tail = tail.strip()
    if re.match(r"(?:the )?close\b|pdc\b|0(?![\d.%])", tail):
        return "0"
    head = re.split(
        r",|;|\btarget|\btgt|\btp\b|\bstop|\bentry|\brisk|\bon\b|\busing\b|\bwith\b", tail
    )[0]
    num = re.match(_PRICE, head)
    if num and not re.match(r"\d+(?:\.\d+)?\s?(?:k|%|atr)\b", head):
        return num.group(1)
    levels = find_levels(head)
    return levels[0] if levels else None


def find_entry_stop(text: str) -> tuple[str | None, str | None]:
    """Return (entry, stop) as price strings or level keys from sizing phrases."""
    t = normalize(text)
    entry = None
    for pattern in (
        r"\bentry(?: price)?(?: at| @| of| is|:)?",
        r"\benter(?:ing)?(?: at)?",
        r"\b(?:long|short|buy(?:ing)?|sell(?:ing)?)(?: (?:spx|spy|es|[a-z]{2,5}))?"
        r"(?: (?:calls?|puts?|options?|shares))?(?: at| @)?",
        r"\b(?:calls?|puts?|options?|premium)(?: at| @| of)?",
        r"\bin at\b",
    ):
        for m in re.finditer(pattern, t):
            value = _slot_value(t[m.end() :])
            if value is not None:
                entry = value
                break
        if entry is not None:
            break
    stop = None
    m = re.search(r"\b(?:stop(?: loss)?|sl)(?: at| @| is| of| to|:)?(?: the)?", t)
    if m:
        stop = _slot_value(t[m.end() :])
    return entry, stop


def find_targets(text: str, side: str = "+") -> list[str]:
    """Return targets after target/targets/tgt/tp: prices and level keys, several allowed."""
    t = normalize(text)
    m = re.search(
        r"\b(?:targets?|tgts?|tps?|take ?profits?)(?: at| of| are| is|:)?(?: the)? (.+)$", t
    )
    if not m:
        return []
    tail = re.split(
        r"\b(?:stop|sl|entry|risk|account|acct|on|for|using|with)\b|\d{4}-\d", m.group(1)
    )[0]
    out: list[str] = []
    for piece in re.split(r",| and | & |/| (?=\d)| (?=[+-]\d)", tail):
        piece = piece.strip()
        if not piece:
            continue
        num = re.match(r"\$?(\d+(?:\.\d+)?)(?![\d%]|\s?atr)", piece)
        levels = find_levels(piece) or [f"{side}{f}" for f in level_families(piece)]
        if num and not levels:
            out.append(num.group(1))
        elif levels:
            out.append(levels[0])
    return out
