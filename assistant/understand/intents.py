"""Intent rules as a table: the first rule that matches a message decides what it asks for.

Each rule has a name (``whispr eval --show-misses`` prints the rule that fired for every miss),
the intent it gives, a regular expression over the normalised text, and optionally an extra
test on the parsed ``Reading``. To teach the planner a new way of asking, add a row; to add a
question type, add an intent here and a builder in ``build.py``.
"""

from __future__ import annotations

from assistant.understand import alerting, briefing, watching
from assistant.understand.glossary import BARE_TERM, TERM_THEN_WHAT, glossary_term
from assistant.understand.levels import resolve_unsided
from assistant.understand.patterns import (
    COUNTS,
    CROSS_MODE_GAP,
    DISTANCE,
    HALF_ATR,
    INDICATOR,
    INDICATOR_NOW,
    LEVELS,
    OUTCOME,
    PREDICTION,
    SESSION_FACT,
    STATS,
    STRATEGY_RULES,
    TRUE_RANGE,
    WEEKDAY_WORD,
)
from assistant.understand.reading import Reading
from assistant.understand.ruletests import (
    CONDITION,
    STATS_STRONG,
    Rule,
    atr_alone,
    builtin_named,
    gate_only,
    n_levels,
    no_market_words,
    one_level_or_band,
    question_follows,
    session_fact,
    specific_day,
    strategy_names_in,
    true_range_n,
)

RULES: tuple[Rule, ...] = (
    Rule(
        "refuse-trading",
        "unsupported",
        r"^(?!.*\bpaper\b)(?:.*\b(?:buy|sell|place|execute|submit|short|long|take|enter|open|close)\b.*\b(?:for me|an order|the order|on my account)\b)"
        r"|\b(?:place|execute|submit) (?:a |an |the )?(?:trade|order)\b",
    ),
    Rule(
        "refuse-offtopic",
        "unsupported",
        r"\bweather\b|\bjoke\b|\bsystem prompt\b|\bignore (?:all |your |previous )*(?:instructions|rules)\b"
        r"|\bpassword\b|\bapi key\b|\bwho are you\b|\bwhat model\b",
    ),
    Rule("refuse-prediction", "unsupported", PREDICTION),
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
        lambda r: not question_follows(r.t),
    ),
    Rule(
        "recall",
        "recall",
        r"\bwhat do (?:you|u) (?:remember|know) (?:about|abt|of) me\b|\bwhat have you remembered\b|\bmy (?:preferences|facts|settings)\b",
    ),
    Rule("forget", "forget", r"^forget\b|\bforget (?:my|that|what|everything)\b"),
    *watching.RULES,
    *briefing.RULES,
    *alerting.RULES,
    Rule(
        "strategy-search",
        "search_strategies",
        r"\b(?:find|search|look for|look up|any)\b.*\bstrateg",
    ),
    Rule(
        "strategy-show",
        "show_strategy",
        r"\b(?:show|describe|details of|what is|what's)\b (?:me )?(?:my |the )?strategy\b.+"
        r"|\b(?:show|describe|pull up|open)\b (?:me )?my \S.*? strategy\W*$",  # "show my x strategy"
    ),
    Rule("strategy-rules", "show_strategy", STRATEGY_RULES, lambda r: bool(builtin_named(r.t))),
    Rule(
        "strategy-delete",
        "delete_strategy",
        r"\b(?:delete|remove|drop)\b.*\bstrateg|^(?:pls |please )?(?:delete|remove|drop) [\"'‘“][^\"'’”]+[\"'’”]\W*$",
    ),
    Rule("strategy-share", "share_strategy", r"\bshare\b.*\bstrateg"),
    Rule(
        "strategy-compare",
        "compare",
        r"\bcompare\b|\bvs\.?\b.*\bstrateg|\bwhich (?:is|was|did|does|performed|works?|worked) better\b|\bhead to head\b"
        r"|\bvs\.?\b.*\bwhich (?:did|does|was|is) (?:better|best)\b",
        lambda r: not r.has(r"\b(?:levels?|price|close)\b"),
    ),
    Rule(
        "strategy-compare-names",
        "compare",
        r"\bvs\.?\b|\bversus\b|\bcompare\b|\bbetter\b|\bor\b.*\b(?:strateg\w*|backtest|performed|did better)\b",
        lambda r: (
            len(strategy_names_in(r.t)) >= 2
            and not r.has(INDICATOR_NOW)
            and not r.has(
                r"\bwhat(?:'s| is| are)(?: an?| the)? \w+ (?:vs\.?|versus)\b"
            )  # a term asked
        ),
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
        # "trying to backtest by hand … what were the levels": the trader's own work, not ours
        lambda r: (
            not r.has(
                r"\bback ?test\w* (?:it |this |them )?(?:by hand|manually|myself)\b"
                r"|\b(?:vs|versus|against|relative to)\.? (?:the |its )?(?:\w+ )?(?:levels|lvls)\b"
            )
        ),
    ),
    Rule(
        "explain",
        "explain",
        rf"^{TERM_THEN_WHAT}$|(?:^(?:(?:hey|hi|hello|yo|so|ok|okay)\W+)*|[,.!?;:] )(?:what(?:'s| is| are) (?:a|an)\b|what does\b|explain|define|definition|meaning of|tell me about|eli5"
        r"|what do you mean by|difference between|how (?:does|do|is) .* (?:work|calculated|computed)|what is meant by)"
        r"|^(?:what(?:'s| is| are)|whats|wtf is|wth is)\b|\bwhat does\b.*\bmean\b|\bwhat(?:'s|s| is) \S+(?: \S+)? mean\b"
        rf"|{BARE_TERM}",
        lambda r: (
            no_market_words(r)
            and glossary_term(r.t) is not None
            and not (r.has(BARE_TERM) and (r.levels.keys or r.levels.unsided))
        ),
    ),
    Rule(
        "atr-size",
        "levels",
        r"\bhow (?:big|large|wide|much) is (?:1 |one |the |a )?(?:full )?atr\b|\batr in (?:%|percent|pts|points)\b",
    ),
    Rule(
        "sizing-words",
        "sizing",
        r"(?<!sample )\bsiz(?:e|ing)\b|\bhow many (?:shares?|contracts?|units|lots|cons|es|mes|spy)\b|\bposition size\b"
        r"|\bhow much (?:to buy|should i buy|can i buy)\b|\b# of (?:shares|contracts)\b|\bnumber of (?:shares|contracts)\b"
        r"|\bhow big\b|\bqty\b|\bquantity\b|\bshares\?|\bcontracts\?",
        lambda r: (
            not r.has(
                r"\bhow big (?:is|was) (?:(?:the|its|today'?s|yesterday'?s|spx'?s?|spy'?s?) ){0,2}"
                r"(?:daily |day |weekly |monthly |opening |overnight )?"
                r"(?:range|move|gap|atr)\b"
            )
            # "how many pts between the triggers? tryna size a straddle": a distance first
            # "how many dollars … if I have 100 shares", "in $ for 3 contracts?": a distance's value
            and not (
                r.has(
                    r"\bhow (?:many|much) (?:pts|points|dollars|\$)|\bhow far\b|\bin \$|\bdollars\b"
                )
                and r.sizing.account is None
            )
        ),
    ),
    Rule(
        "sizing-trade",
        "sizing",
        r"\bstop\b|\bsl\b|\bout at\b|\bnet ?liq|\baccount\b",
        lambda r: (
            # "buy spy at 681.5 stop 679 risk 500": a dollar risk sizes a trade without an account
            (r.sizing.account is not None or r.sizing.risk_amount is not None)
            and r.sizing.entry is not None
            and r.sizing.stop is not None
        ),
    ),
    Rule("session-fact", "outcome", SESSION_FACT, session_fact),
    Rule(
        "outcome-day",
        "outcome",
        r"\b(?:gg|golden gates?|gates?|trig\w*|\d?\.?\d+ ?atr|-?\+?\d(?:\.\d+)?)\b.*\b(?:triggered|completed?|failed|trig or not|time|when)\b\W*"
        r"(?:\w+\W*){0,3}$",
        lambda r: (
            specific_day(r)
            and not r.has(STATS_STRONG)
            and not r.has(r"\bhow many (?:pts|points)\b|\bhow far\b")
        ),
    ),
    Rule("true-range", "true_range", TRUE_RANGE, lambda r: true_range_n(r) >= 2),
    Rule("atr-alone", "true_range", r"\batr\b", atr_alone),  # "spx atr on 3/16/20", "spy atr"
    Rule(
        "level-stats-then",
        "level_stats",
        r"\b(?:touch\w*|tag\w*|hit\w*|trigger to trigger)\b.*\bthen\b|\b\w+ to \w+\b.*\bsame day\b",
        # "how often does spx go trigger to trigger? like touch ctrig then ptrig same day"
        lambda r: len(set(resolve_unsided(r.levels, r.t))) == 2 and r.has(STATS),
    ),
    Rule(
        "counts",
        "counts",
        COUNTS,
        lambda r: (
            one_level_or_band(r)
            and not r.has(r"\bcomplet\w*|\bfail\w*|\bfinish\w*|->|→|\bonce\b|\bget to\b")
        ),
    ),
    Rule(
        "outcome",
        "outcome",
        OUTCOME,
        lambda r: (
            (
                not r.has(STATS)
                or ((r.has(r"\bdid\b|\bwas\b") or specific_day(r)) and not r.has(STATS_STRONG))
            )
            and not r.has(r"\bwhere did\b|\bend(?:ed)? up\b|\bclose[sd]? (?:vs|from|relative)")
            and not r.has(CROSS_MODE_GAP)
        ),
    ),
    Rule(
        "distance",
        "distance",
        DISTANCE,
        lambda r: (
            (n_levels(r) >= 1 or r.has(rf"\btriggers\b|\bgates\b|{HALF_ATR}"))
            and not r.has(STATS.replace(r"|\bhow many\b", ""))
        ),
    ),
    Rule(
        "range-vs-atr",
        "levels",
        r"\brange (?:vs|versus|compared to|against|relative to|as a % of|of the) ?(?:the )?atr\b|\b% of (?:the )?atr\b"
        r"|\bhow much of (?:the|its|the daily) atr\b|\batr used\b|\brange used\b|\brange in atrs?\b",
    ),
    Rule(
        "gg-stats",
        "gg_stats",
        STATS,
        lambda r: (
            (r.has(r"\bgolden ?gates?\b|\bggs?\b|\bgates?\b") and gate_only(r))
            or (
                r.has(r"\bcompletion (?:rate|%|odds|stats?)|\bcomplete rate\b") and n_levels(r) <= 1
            )
        ),
    ),
    Rule(
        "level-stats",
        "level_stats",
        STATS,
        # "how many closed inside the triggers": a count of closes, not touch-to-touch odds
        lambda r: n_levels(r) >= 2 and not r.has(r"\bclose[sd]? (?:inside|within|between)\b"),
    ),
    Rule(
        "level-stats-after",
        "level_stats",
        r"\b(?:after|once)\b.*\?\s*$|\b(?:after|once)\b.*\bon (?:mon|tue|wed|thu|fri)\w*s\b"
        r"|\bonce (?:the )?\S+(?: \S+){0,2} (?:hits?|breaks?|tags?|tagged|touch(?:es|ed)|trades|goes|is (?:hit|tagged))\b"
        r"|^\S+(?: \S+)? after (?:the |a )?[+-]?\.?\d"  # "mid after the +.5 spy"
        r"|\b(?:after|once) the [+-]?(?:\d|\.\d).*(?:\bside\b|\d{4}|'\d\d|\bsince\b)",  # "… on the put side, 2025"
        # "-1.236 after -1 on spy?", "-.618 after -.382 on mondays spx"
        lambda r: n_levels(r) == 2 and not specific_day(r) and r.words() <= 12,
    ),
    Rule(
        "gg-conditional",
        "gg_stats",
        r"\bgolden ?gates?\b|\bggs?\b",
        lambda r: gate_only(r) and r.has(CONDITION) and not specific_day(r),
    ),
    Rule(
        "level-stats-conditional",
        "level_stats",
        r"->|→|\bto\b",
        lambda r: (
            len(set(resolve_unsided(r.levels, r.t))) == 2
            and r.has(CONDITION)
            and not specific_day(r)
        ),
    ),
    Rule(
        "gg-stats-window",
        "gg_stats",
        r"\bgolden ?gates?\b|\bggs?\b",
        lambda r: (
            r.buckets is not None
            and (not specific_day(r) or r.has(rf"^(?:\w+ )?{WEEKDAY_WORD} (?:morning|afternoon)"))
            and gate_only(r)
        ),  # "thursday afternoon bull gg": thursdays as a condition, not last thursday
    ),
    Rule(
        "level-stats-to",
        "level_stats",
        r"\bto\b|->|→|\blevel to level\b",
        lambda r: (
            n_levels(r) == 2
            and not specific_day(r)
            and not r.has(
                r"\blevels?\b|\blvls?\b|\bgrid\b|\bladder\b|\bsize\b|\bstop\b|\bfrom -?\d"
                r"|\$|\bmes\b|\bes\b|\bcontracts?\b|\bshares\b|\bpnl\b"
            )
        ),
    ),
    Rule(
        "level-stats-reach",
        "level_stats",
        r"\b(?:reach|hit|get to|tag|make it to|touch|run to|go to)\b",
        lambda r: n_levels(r) >= 2 and r.has(STATS),
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
            and r.has(r"\b(?:from|between|since|period|through|thru|to)\b|\d\s?-\s?\d")
            and gate_only(r)
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
        r"|\b(?:vs|versus|relative to|against)\b.*\b(?:levels?)\b|\b(?:what|which) zone\b|\babove or below\b|\bover or under\b|\bgg status\b|\bgate status\b"
        r"|\btriggered (?:yet|today)\b|\bdid\b.{0,30}\b(?:trigger|hit|tag|touch|reach)\b|\bhas\b.{0,30}\b(?:triggered|hit|tagged|touched)\b"
        r"|\bis (?:spx|spy|it|price) (?:above|below|over|under|near|through)\b"
        r"|\bwhich (?:levels?|lvls)\b.{0,12}\b(?:tag|hit|touch|reach)\w*|\b(?:levels?|lvls) (?:got |were )?(?:tagged|hit|touched|reached)\b"
        r"|\bwhere (?:we|r we|are we|u at|we at)\b"
        r"|\b(?:next|nearest|closest) (?:support|resistance)\b|\b(?:support|resistance) (?:below|above)\b"
        r"|\b(?:nearest|closest|next) (?:level|lvl)s? (?:above|below|under|over)\b",
        lambda r: (
            (not r.has(INDICATOR) or r.has(r"\blevels?\b"))
            # "yearly levels for 2022, where was the -1": that level's price
            and not (
                r.has(r"\bwhere (?:was|is|were|are) the [+-]?\.?\d") and len(r.levels.keys) == 1
            )
        ),
    ),
    Rule(
        "strategy-results",
        "backtest",
        r"\bhow(?:'d|'s| (?:does|did|has|is)) .{0,40}\b(?:do|done|doing|perform\w*)\b|\bhow many trades\b"
        r"|\bwin ?%|\bwin rate\b|\bperformance\b|\bresults\b"
        r"|\bstrat\w*\b.*\b(?:max ?dd|drawdown|profit factor|expectancy|sharpe|p&?l|# trades)\b",
        lambda r: (
            bool(strategy_names_in(r.t) or r.has(r"\bstrat(?:egy|s)?\b") or builtin_named(r.t))
            and not r.has(r"\bright now\b|\bcurrently\b")
        ),
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
