"""Intent rules as a table: the first rule that matches a message decides what it asks for.

Each rule has a name (``whispr eval --show-misses`` prints the rule that fired for every miss),
the intent it gives, a regular expression over the normalised text, and optionally an extra
test on the parsed ``Reading``. To teach the planner a new way of asking, add a row; to add a
question type, add an intent here and a builder in ``build.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from assistant.understand.reading import Reading
from core.strategies import builtin_strategies
from tools.explain import find_entry

STATS = (
    r"\bhow (?:often|many times|likely|frequently)\b|\bodds\b|\bprobab\w*|\bchances?\b|\bhit rate\b"
    r"|\b(?:completion|success|fail\w*|win) rate\b|\bstats?\b|\bstatistic\w*|\bhistorically\b"
    r"|\bwhat (?:%|percent\w*)\b|\b% of (?:the )?(?:time|days|sessions)\b|\blikelihood\b"
    r"|\bhow reliable\b|\bbase rate\b|\bhit %|\bcompletes?\b|\bcompletion\b(?! (?:level|lvl|target|price))"
    r"|\bfollow[- ]?through\b"
    r"|%\s*\??$|\bbuckets?\b|\bsame day %|\bhow frequent\b|\bhow many\b|\bfailures?\b|\bfailed\b"
    r"|\brate\b|\bcount\b|\bhow often\b|\bfrequency\b|\blevel to level\b|\bl2l\b"
)
INDICATOR_NOW = (
    r"\b(?:right now|now|currently|on the \d+\w*|\d+ ?(?:m|min|h|hr|hour)\b|1h|daily|hourly)\b"
)
INDICATOR = (
    r"\bribbon\b|\bphase\b|\boscillator\b|\bpo\b|\bcompress\w*|\bsqueez\w*|\bemas?\b|\b\d{1,3} ?ema\b"
    r"|\bema ?\d{1,3}\b|\bthe (?:8|13|21|34|48|200)\b|\bconviction\b|\barrows?\b|\bi?vomy\b|\bclouds?\b"
    r"|\bindicators?\b|\bpo dots?\b|\bdots?\b|\btrend\b|\bspine\b|\bexpansion\b|\bextended\b"
)
LEVELS = (
    r"\blevels?\b|\btrigger\b|\b(?:the|both|call|put|2|two|spx|spy|day|weekly) triggers\b|\btrigs?\b|\batr\b|\bgolden ?gates?\b|\bgg\w*\b|\bmid ?range\b|\bmid\b"
    r"|\bprevious close\b|\bextensions?\b|\bsupport\b|\bresistance\b|\bfib\w*|\bladder\b|\bgrid\b"
)
DISTANCE = (
    r"\bdistance\b|\bhow far\b|\bhow many (?:pts|points|dollars|handles|\$|bucks|atrs?)\b"
    r"|\b(?:points|pts|handles|dollars) (?:from|to|between|away)\b|\bspread between\b"
    r"|\bgap between\b|\bdifference between\b|\bdiff between\b|\bwidth\b|\bhow wide\b|\bpoints? away\b"
    r"|\b(?:pts|points|handles|cents|dollars)\b|\bgap from\b|\bhow much (?:room|space)\b|\bapart\b"
    r"|\bhow (?:many|much) \$|\$ (?:is|would) that\b|\bper (?:share|contract)\b|\bhow much is that\b"
    r"|\bhalf (?:the |an? )?(?:daily |day )?atr\b|\$ move\b|\bdollar move\b|\batr multiples?\b"
    r"|\bin atrs?\b|(?:spx|spy) \d{3,5}(?:\.\d+)? (?:to|->|→)|\bin \$|\bin dollars\b|% move\b"
    r"|\bmove from\b"
)


@dataclass(frozen=True)
class Rule:
    """One row of the table."""

    name: str
    intent: str
    pattern: str
    test: Callable[[Reading], bool] | None = None

    def matches(self, r: Reading) -> bool:
        """Return True when the rule applies to the message."""
        return r.has(self.pattern) and (self.test is None or self.test(r))


def _n_levels(r: Reading) -> int:
    return len(r.levels.keys) + len(r.levels.unsided)


def glossary_term(t: str) -> str | None:
    """Return the glossary term a "what is …" question asks about, or None."""
    body = re.sub(
        r"^(?:what(?:'s| is| are| does)|whats|wtf is|explain|define|definition of|meaning of|tell me about"
        r"|how (?:does|do|is)|what do you mean by|eli5|difference between|what is meant by)\s*",
        "",
        t,
    ).strip(" ?.!")
    body = re.sub(r"^(?:a|an|the|by)\s+", "", body)
    body = re.sub(
        r"\s+(?:mean|means|work|works|in trading|indicator|calculated|computed)$", "", body
    )
    for candidate in (body, t):
        try:
            return find_entry(candidate).term
        except ValueError:
            continue
    return None


def _gate_only(r: Reading) -> bool:
    """Return True when the only levels named are golden gates (and their midrange target)."""
    mags = {k.lstrip("+-") for k in r.levels.keys} | set(r.levels.unsided)
    return mags <= {"0.382"} or (
        mags <= {"0.382", "0.618"} and (r.has(r"\bcomplet\w*|\btarget\b") or r.buckets is not None)
    )


def _specific_day(r: Reading) -> bool:
    """Return True when the message names one session (not a period or a range)."""
    return r.date.found and not r.date.period and r.range == (None, None)


def strategy_names_in(t: str) -> list[str]:
    """Return the built-in strategies whose names (or short names) the text contains."""
    return [n for n, pattern in _strategy_patterns() if re.search(pattern, t)]


@cache
def _strategy_patterns() -> list[tuple[str, str]]:
    out = []
    for spec in builtin_strategies():
        words = re.sub(r"[^a-z0-9 ]", " ", spec.name.lower()).split()
        out.append((spec.name, r"\b" + r"\W+".join(map(re.escape, words)) + r"\b"))
    return out


def _no_market_words(r: Reading) -> bool:
    return (
        not r.symbols
        and not r.date.found
        and not r.has(r"\d{3}|\b(?:that|same|this) (?:day|session|week)\b|\bthen\b")
        and not r.has(STATS)
        and r.buckets is None
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "refuse-trading",
        "unsupported",
        r"\b(?:buy|sell|place|execute|submit|short|long)\b.*\b(?:for me|an order|the order|on my account)\b"
        r"|\b(?:place|execute|submit) (?:a |an |the )?(?:trade|order)\b",
    ),
    Rule(
        "refuse-offtopic",
        "unsupported",
        r"\bweather\b|\bjoke\b|\bsystem prompt\b|\bignore (?:all |your |previous )*(?:instructions|rules)\b"
        r"|\bpassword\b|\bapi key\b|\bwho are you\b|\bwhat model\b",
    ),
    Rule(
        "greeting",
        "smalltalk",
        r"^(?:hi|hello|hey|yo|sup|gm|good morning|thanks|thank you|ty|cheers|ok|okay|cool|nice|lol)\W*$",
    ),
    Rule(
        "remember",
        "remember",
        r"^(?:remember|note|fyi|for the record|save (?:that|this) )|^i (?:trade|only trade|mostly trade|risk|use)\b"
        r"|^my (?:account|risk|net liq|default|usual)\b|^i have an? \$?\d|^default (?:symbol|risk|account)\b",
    ),
    Rule(
        "recall",
        "recall",
        r"\bwhat do you (?:remember|know) about me\b|\bwhat have you remembered\b|\bmy (?:preferences|facts|settings)\b",
    ),
    Rule("forget", "forget", r"^forget\b|\bforget (?:my|that|what|everything)\b"),
    Rule(
        "alert-create",
        "create_alert",
        r"\b(?:alert|ping|notify|buzz|wake) me\b|\b(?:tell|text|message|dm) me (?:when|if|once|as soon|the moment|whenever)\b"
        r"|\b(?:set|create|add|make|new|put)\b.{0,24}\balerts?\b|\bpost (?:in|to) #[\w-]+ (?:when|if|once)\b"
        r"|\b(?:when|if|once)\b.*\bpost (?:it )?(?:in|to) #[\w-]+"
        r"|\b(?:loses?|lost|reclaim\w*|cross\w*|breaks?|broke|fails?|failed|tag\w*|hits?)\b.*\balert\b"
        r"|\balert\s*\??$|\balert,|\bnotification\b|\b(?:notify|ping|buzz|alert)(?: me)? (?:if|when|once)\b"
        r"|\b(?:gg|gate|trigger|trig|midrange|mid|atr|close|level|[+-]?\d(?:\.\d+)?) alert\b"
        r"|\b(?:create|add|make|new) (?:an? )?alert\b|^alert\b(?! \w{8}\b)|\blet me know (?:when|if)\b"
        r"|\bgive me a (?:ping|heads up|shout)\b|\bheads up (?:when|if)\b",
        lambda r: (
            not r.has(
                r"\b(?:pause|resume|delete|remove|cancel|kill|mute|unpause|list|show)\b.*\balerts?\b|\ba[0-9a-f]{7,8}\b"
            )
        ),
    ),
    Rule(
        "alert-list",
        "list_alerts",
        r"\b(?:list|show|what are|which|what|see|view|check)\b.*\balerts\b|^(?:my |all )?alerts\??$|\bmy alerts\b",
        lambda r: not r.has(r"\b(?:pause|resume|delete|remove|cancel|kill|mute|unpause)\b"),
    ),
    Rule(
        "alert-change",
        "change_alert",
        r"\b(?:pause|resume|unpause|delete|remove|cancel|kill|mute|unmute|stop|disable|enable|turn off|turn on|reactivate|turn|switch)\b"
        r".*\b(?:alerts?|a[0-9a-f]{7,8})\b|\ba[0-9a-f]{7,8}\b.*\b(?:back on|on|off)\b",
    ),
    Rule(
        "strategy-search",
        "search_strategies",
        r"\b(?:find|search|look for|look up|any)\b.*\bstrateg",
    ),
    Rule(
        "strategy-show",
        "show_strategy",
        r"\b(?:show|describe|details of|what is|what's)\b (?:me )?(?:my |the )?strategy\b.+",
    ),
    Rule("strategy-delete", "delete_strategy", r"\b(?:delete|remove|drop)\b.*\bstrateg"),
    Rule("strategy-share", "share_strategy", r"\bshare\b.*\bstrateg"),
    Rule(
        "strategy-compare",
        "compare",
        r"\bcompare\b|\bvs\.?\b.*\bstrateg|\bwhich (?:is|was) better\b|\bhead to head\b",
        lambda r: not r.has(r"\b(?:levels?|price|close)\b"),
    ),
    Rule(
        "strategy-compare-names",
        "compare",
        r"\bvs\.?\b|\bversus\b|\bcompare\b|\bbetter\b|\bor\b.*\b(?:strateg\w*|backtest|performed|did better)\b",
        lambda r: len(strategy_names_in(r.t)) >= 2 and not r.has(INDICATOR_NOW),
    ),
    Rule(
        "strategy-list",
        "strategies",
        r"\b(?:list|show|what|which)\b.*\bstrategies\b|^strateg(?:y|ies)\b|\bbuilt[- ]?ins?\b"
        r"|\bwhat strategy can\b|\bwhich strategy can\b",
    ),
    Rule(
        "backtest",
        "backtest",
        r"\bback ?test\w*\b|\bbacktest\b|\bhow did .* (?:perform|do)\b|\b(?:run|test)\b.*\bstrategy\b"
        r"|\bstrategy\b.*\b(?:win rate|profit factor|expectancy|drawdown|sharpe)\b",
    ),
    Rule(
        "explain",
        "explain",
        r"^(?:what(?:'s| is| are) (?:a|an)\b|what does\b|explain|define|definition|meaning of|tell me about|eli5"
        r"|what do you mean by|difference between|how (?:does|do|is) .* (?:work|calculated|computed)|what is meant by)"
        r"|^(?:what(?:'s| is| are)|whats|wtf is|wth is)\b|\bwhat does\b.*\bmean\b",
        lambda r: _no_market_words(r) and glossary_term(r.t) is not None,
    ),
    Rule(
        "sizing-words",
        "sizing",
        r"\bsiz(?:e|ing)\b|\bhow many (?:shares?|contracts?|units|lots|cons|es|mes|spy)\b|\bposition size\b"
        r"|\bhow much (?:to buy|should i buy|can i buy)\b|\b# of (?:shares|contracts)\b|\bnumber of (?:shares|contracts)\b"
        r"|\bhow big\b|\bqty\b|\bquantity\b|\bshares\?|\bcontracts\?",
        lambda r: (
            not r.has(
                r"\bhow big (?:is|was) (?:the |its |spx'?s? |spy'?s? )?(?:daily |day |weekly |monthly )?"
                r"(?:range|move|gap|atr)\b"
            )
        ),
    ),
    Rule(
        "sizing-trade",
        "sizing",
        r"\bstop\b|\bsl\b|\bout at\b|\bnet ?liq|\baccount\b",
        lambda r: (
            r.sizing.account is not None
            and r.sizing.entry is not None
            and r.sizing.stop is not None
        ),
    ),
    Rule(
        "distance",
        "distance",
        DISTANCE,
        lambda r: (
            (
                _n_levels(r) >= 1
                or r.has(r"\btriggers\b|\bgates\b|\bhalf (?:the |an? )?(?:daily |day )?atr\b")
            )
            and not r.has(STATS.replace(r"|\bhow many\b", ""))
        ),
    ),
    Rule(
        "range-vs-atr",
        "levels",
        r"\brange (?:vs|versus|compared to|against|relative to|as a % of|of the) ?(?:the )?atr\b|\b% of (?:the )?atr\b"
        r"|\bhow much of (?:the|its|the daily) atr\b|\batr used\b|\brange used\b",
    ),
    Rule(
        "gg-stats",
        "gg_stats",
        STATS,
        lambda r: r.has(r"\bgolden ?gates?\b|\bggs?\b|\bgates?\b") and _gate_only(r),
    ),
    Rule("level-stats", "level_stats", STATS, lambda r: _n_levels(r) >= 2),
    Rule(
        "gg-stats-window",
        "gg_stats",
        r"\bgolden ?gates?\b|\bggs?\b",
        lambda r: r.buckets is not None and not _specific_day(r) and _gate_only(r),
    ),
    Rule(
        "level-stats-to",
        "level_stats",
        r"\bto\b|->|→|\blevel to level\b",
        lambda r: (
            _n_levels(r) == 2
            and not _specific_day(r)
            and not r.has(
                r"\blevels?\b|\blvls?\b|\bgrid\b|\bladder\b|\bsize\b|\bstop\b|\bfrom -?\d"
            )
        ),
    ),
    Rule(
        "level-stats-reach",
        "level_stats",
        r"\b(?:reach|hit|get to|tag|make it to|touch|run to|go to)\b",
        lambda r: _n_levels(r) >= 2 and r.has(STATS),
    ),
    Rule("gg-stats-bare", "gg_stats", r"\bgolden gate stats\b|\bgg stats\b|\bgg odds\b|\bgg %"),
    Rule(
        "gg-stats-range",
        "gg_stats",
        r"\bgolden ?gates?\b|\bggs?\b",
        lambda r: (
            r.range[0] is not None
            and r.range[1] is not None
            and r.range[0] != r.range[1]
            and r.has(r"\b(?:from|between|since|period|through|thru)\b")
            and _gate_only(r)
        ),
    ),
    Rule(
        "levels-where",
        "levels",
        r"\bwhere(?: is|'s| are| r) the\b",
        lambda r: (
            bool(r.levels.keys or r.levels.unsided) and not r.has(r"\b(?:price|trading|we)\b")
        ),
    ),
    Rule(
        "context",
        "context",
        r"\bprice context\b|\bwhere (?:is|are|'s|r|was|were|did|does|do we)\b|\bwhere's\b|\bwhat level (?:is|are) (?:we|\S+ (?:at|on|near|sitting))\b"
        r"|\bnearest levels?\b|\bnext level\b|\bbetween which\b|\bare we (?:above|below|at|over|under|near|through)\b"
        r"|\b(?:vs|versus|relative to|against)\b.*\b(?:levels?)\b|\bwhat zone\b|\bgg status\b|\bgate status\b"
        r"|\btriggered (?:yet|today)\b|\bdid\b.{0,30}\b(?:trigger|hit|tag|touch|reach)\b|\bhas\b.{0,30}\b(?:triggered|hit|tagged|touched)\b"
        r"|\bis (?:spx|spy|it|price) (?:above|below|over|under|near|through)\b",
        lambda r: not r.has(INDICATOR) or r.has(r"\blevels?\b"),
    ),
    Rule(
        "indicator",
        "indicator",
        INDICATOR,
        lambda r: not r.has(r"\blevels\b") and (not r.levels.keys or set(r.levels.keys) == {"0"}),
    ),
    Rule("levels", "levels", LEVELS),
    Rule("levels-by-key", "levels", r".", lambda r: bool(r.levels.keys or r.levels.unsided)),
    Rule(
        "levels-by-mode",
        "levels",
        r".",
        lambda r: bool(r.modes) and bool(r.symbols or r.date.found),
    ),
)


def classify(r: Reading) -> tuple[str | None, str]:
    """Return (intent, rule name) for a message, or (None, "no-rule") when nothing matches."""
    for rule in RULES:
        if rule.matches(r):
            return rule.intent, rule.name
    return None, "no-rule"
