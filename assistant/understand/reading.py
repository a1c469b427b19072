"""One message read once: every slot kind parsed into a ``Reading`` the rules and builders share.

The slot parsers live in their own modules (dates, levels, money, clock, symbols); this module
only runs them and carries the planner's ``Setting`` (today per symbol, remembered defaults).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from assistant.understand.clock import read_window, trigger_buckets
from assistant.understand.dates import DateSlot, read_date
from assistant.understand.levels import LevelSlot, read_levels
from assistant.understand.money import Sizing, read_sizing
from assistant.understand.patterns import WEEKDAY_WORD
from assistant.understand.ranges import read_range
from assistant.understand.symbols import read_symbols
from assistant.understand.vocab import modes, normalize, timeframes


@dataclass(frozen=True)
class Setting:
    """What the planner knows besides the message (it reaches the planner through the graph's
    runtime context)."""

    today: dt.date
    """The reference date: the newest session any symbol has (or the clock's date)."""
    symbols: tuple[str, ...] = ("SPX", "SPY")
    default_symbol: str = "SPX"
    default_risk: float | None = None
    account: float | None = None
    latest: Callable[[str], dt.date | None] | None = field(default=None, compare=False)
    """Return a symbol's own latest session ("today" for that symbol), None if unknown."""

    def today_for(self, symbol: str | None) -> dt.date:
        """Return the date "today" means for ``symbol``: its own latest session when known."""
        day = self.latest(symbol) if (self.latest and symbol) else None
        return day or self.today


_D = WEEKDAY_WORD
WEEKDAYS_AS_CONDITION = (
    rf"\b{_D}(?:\s?[/+&]\s?{_D})+(?: only)?\b|\b{_D} only\b|\b{_D}\s?(?:-|to|thru)\s?{_D}\b"
)
_UP = r"(?:bull\w*|upside|up|calls?|long)"
_DOWN = r"(?:bear\w*|downside|down|puts?|short)"
_JOIN = r"\W{0,2}(?:and|&|/|or|n|\+|vs)\W{0,2}"
BOTH_SIDES = (
    rf"\bboth\b|\beither\b|\beach (?:side|way|direction)\b"
    rf"|\b{_UP}{_JOIN}{_DOWN}\b|\b{_DOWN}{_JOIN}{_UP}\b"
)
"""Words asking for both golden gates at once: "both up and down", "bull & bear", "either way"."""


@dataclass
class Reading:
    """Every slot of one message."""

    text: str
    setting: Setting
    t: str = ""

    def __post_init__(self) -> None:
        self.t = normalize(self.text)

    @cached_property
    def symbols(self) -> list[str]:
        """Return the symbols named, in order."""
        return read_symbols(self.text, self.t, self.setting.symbols)

    @cached_property
    def date(self) -> DateSlot:
        """Return the date or period named (read against the default symbol's today); weekdays
        named as a condition ("wed+thu only", "on mondays") are not a date."""
        t = re.sub(WEEKDAYS_AS_CONDITION, " ", self.t)
        if re.search(r"\b(?:emas?|ribbon|cross\w*)\b", t):  # "monthly ribbon, 8/21": EMA pairs
            t = re.sub(r"\b(?:8|13)/21(?:/(?:34|48))?\b", " ", t)
        return read_date(t, self.setting.today)

    @cached_property
    def levels(self) -> LevelSlot:
        """Return the levels named."""
        return read_levels(self.t)

    @cached_property
    def modes(self) -> list[str]:
        """Return the levels modes named, in order (a named period's mode included)."""
        t = re.sub(
            r"\b(?:last|past|previous|next|this) (?:\d+ )?(?:years?|months?|weeks?|days?)\b",
            " ",
            self.t,
        )
        t = re.sub(r"\bposition siz\w*|\bmy position\b|\bweek of\b", " ", t)
        found = sorted(
            (m.start(), mode) for pattern, mode in modes() for m in re.finditer(pattern, t)
        )
        pair = r"(?:weekly|monthly|quarterly|yearly|swing|multiday|position|longterm|scalp)"
        for m in re.finditer(rf"\bday(?=\s*(?:\+|and|&|/|,|vs)\s*{pair})", t):
            found.append((m.start(), "day"))
        for m in re.finditer(rf"\b{pair}\s*(?:\+|and|&|/|,|vs)\s*(day)\b", t):
            found.append((m.start(1), "day"))
        found.sort()
        out = list(dict.fromkeys(mode for _, mode in found))
        if self.date.mode and self.date.mode not in out:
            out.insert(0, self.date.mode)
        return out

    @property
    def mode(self) -> str | None:
        """Return the first mode named, or None."""
        return self.modes[0] if self.modes else None

    @cached_property
    def timeframe(self) -> str | None:
        """Return the chart bar size named (hourly → 1h), or None."""
        t = re.sub(r"\b(?:last|past) \d+ \w+", " ", self.t)
        hits = [(m.start(), tf) for pattern, tf in timeframes() for m in re.finditer(pattern, t)]
        return min(hits)[1] if hits else None

    @cached_property
    def window(self) -> tuple[str, str] | None:
        """Return the (start, end) ET clock window named, or None."""
        return read_window(self.t)

    @cached_property
    def buckets(self) -> list[str] | None:
        """Return the golden-gate trigger buckets named, or None."""
        return trigger_buckets(self.t)

    @cached_property
    def range(self) -> tuple[dt.date | None, dt.date | None]:
        """Return the statistics window named, or (None, None)."""
        return read_range(self.t, self.setting.today)

    @cached_property
    def sizing(self) -> Sizing:
        """Return the sizing slots."""
        return read_sizing(self.t)

    @cached_property
    def gg_side(self) -> str | None:
        """Return bull or bear when the message names a side (or only one side's levels)."""
        t = re.sub(r"\b(?:mark|extended) ?(?:up|down)\b", "", self.t)  # PO zones name no side
        t = re.sub(  # nor does the ribbon's state: "gg stats w bullish ribbon" asks both gates
            r"\b(?:bullish|bearish|bull|bear) (?:\d{1,2} ?(?:m|min|h|hr) |hourly )?ribbon\b"
            r"|\bribbon(?:'s| is| was)? (?:bullish|bearish|bull|bear)\b",
            "ribbon",
            t,
        )
        up = re.search(r"\bbull\w*|\bupside\b|\bcalls?\b|\bup\b|\bupper\b|\blong\b|\babove\b", t)
        down = re.search(
            r"\bbear\w*|\bdownside\b|\bputs?\b|\bdown\b|\blower\b|\bshort\b|\bbelow\b", t
        )
        if up and down:
            if re.search(BOTH_SIDES, t):
                return None  # both sides asked: "both up and down", "bull & bear"
            return "bull" if up.start() < down.start() else "bear"
        if up or down:
            return "bull" if up else "bear"
        signs = {k[0] for k in self.levels.keys if k != "0"}
        return {"+": "bull", "-": "bear"}.get(signs.pop()) if len(signs) == 1 else None

    def words(self) -> int:
        """Return the number of words in the message."""
        return len(self.t.split())

    def has(self, pattern: str) -> bool:
        """Return True when the normalised text matches ``pattern``."""
        return re.search(pattern, self.t) is not None
