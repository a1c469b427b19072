"""The offline planner's brain: a trader's message (plus the thread's last calls) → typed tool calls.

Deterministic and explainable: intent by keyword families, slots by ``assistant.slots``. When it
cannot tell what is wanted it returns no calls and a reply saying so, with examples of what it
can do. It only ever emits calls to the registered tools, whatever the message asks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from assistant import slots
from assistant.authoring import is_authoring, parse_strategy, time_window
from tools.explain import find_entry

HELP = (
    "I can help with ATR levels, indicators, golden-gate and level-to-level statistics, position "
    'sizing and the glossary. Try: "SPX day levels", "SPY put trigger yesterday", "how '
    'often does a bullish golden gate complete in the afternoon?", "odds of full ATR after the '
    'call trigger", "SPX ribbon on the hourly", "where is SPY vs the levels?", "size a '
    'trade: account, risk %, entry and stop", "what is a golden gate?".'
)


@dataclass
class Plan:
    """What the planner decided: tool calls to make, or a direct reply."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    reply: str | None = None


@dataclass(frozen=True)
class Setting:
    """What the planner knows besides the message."""

    today: dt.date
    symbols: tuple[str, ...] = ("SPX", "SPY")
    default_symbol: str = "SPX"
    default_risk: float | None = None
    """Risk % the user asked to remember; used when a sizing request names none."""
    account: float | None = None
    """Account size the user asked to remember."""


_UNSUPPORTED = re.compile(
    r"\b(?:buy|sell|place|execute|submit|short)\b.*\b(?:for me|order|shares|contracts|now)\b"
    r"|\bweather\b|\bjoke\b|\bsystem prompt\b|\bignore (?:all |your |previous )*(?:instructions|rules)\b"
    r"|\bpassword\b|\bapi key\b|\bwho are you\b|\bhello\b|\bhi\b|\bthanks?\b|\bthank you\b"
)
_EXPLAIN = re.compile(
    r"^(?:what(?:'s| is| are| does)|whats|wtf is|explain|define|definition of|meaning of|"
    r"tell me about|how (?:does|do)|what do you mean by|eli5|difference between|"
    r"what's the difference)\b"
)
_STATS = re.compile(
    r"\bhow (?:often|many times|likely)\b|\bodds\b|\bprobabilit\w*|\bchance\w*|\bhit rate\b|"
    r"\bcompletion rate\b|\bsuccess rate\b|\bstats?\b|\bstatistics\b|\bwin rate\b|\bpercent(?:age)? of\b|"
    r"\bprobab\w*|\bprobl?ab\w*|\blikelihood\b|\bhow likely\b|\bwhat % of\b|"
    r"\bhistorically\b|\bcomplete[sd]?\b|\bcompletion\b"
)
_INDICATOR = re.compile(
    r"\bribbon\b|\bphase\b|\boscillator\b|\bpo\b|\bcompress\w*|\bsqueez\w*|\bema\w*\b|\btrend\w*|"
    r"\bconviction\b|\barrows?\b|\bv?omy\b|\bivomy\b|\bclouds?\b|\bmomentum\b|\bindicators?\b|\bdots?\b"
)
_CONTEXT = re.compile(
    r"\bwhere (?:is|are|'s|r|was|were|did)\b|\bwhere's\b|\bwhat level is\b|\bnearest level|\bnext level|"
    r"\bbetween which\b|\bare we (?:above|below|at|over|under|near)\b|\bis (?:spx|spy|it|price) "
    r"(?:above|below|over|under|near)\b|\bprice (?:now|context|action)\b|\blast price\b|"
    r"\bcurrent price\b|\bhow far\b|\bgg status\b|\bgate status\b|\btriggered (?:yet|today)\b|"
    r"\b(?:vs|versus|relative to|against)\b.*\b(?:levels?|lvls?)\b|\bwhat zone\b|\bnearest\b|"
    r"\bdid (?:the |spx'?s? |spy'?s? )?(?:bull |bear |bullish |bearish )?(?:gg|golden gate)\b.*\btrigger|"
    r"\bthrough the .* yet\b|\b(?:above|below) (?:the )?(?:call|put) trigger yet\b"
)
_SIZING = re.compile(
    r"\bsiz(?:e|ing)\b|\bhow many (?:shares|contracts|units)\b|\bposition size\b|\bhow much to buy\b|"
    r"\bshares should\b|\bcontracts should\b|\bcontracts\?|\bhow big\b"
)
_LEVELS = re.compile(
    r"\blev(?:el|le|l)s?\b|\blvls?\b|\btrig\w*|\batr\b|\bgolden ?gate|\bgg\b|\bmid ?range\b|\bpdc\b|"
    r"\bprevious close\b|\bextensions?\b|\bsupport\b|\bresistance\b|\btargets?\b|\bfib\w*"
)
_FOLLOWUP_CUE = re.compile(
    r"^(?:and|what about|how about|same (?:for|but|thing)|now|ok|also|then|"
    r"for|what if|instead|same)\b"
)
_TOOL_OF = {
    "levels": "atr_levels",
    "gg_stats": "golden_gate_stats",
    "level_stats": "level_to_level",
    "indicator": "indicator_state",
    "context": "price_context",
    "sizing": "position_size",
    "explain": "explain_term",
    "backtest": "backtest_strategy",
    "compare": "compare_strategies",
    "strategies": "list_strategies",
    "search_strategies": "search_strategies",
    "delete_strategy": "delete_strategy",
    "share_strategy": "share_strategy",
    "remember": "remember",
    "recall": "recall",
    "forget": "forget",
    "create_alert": "create_alert",
    "list_alerts": "list_alerts",
    "change_alert": "change_alert",
}


def plan(
    text: str, history: list[list[dict[str, Any]]], setting: Setting, previous_text: str = ""
) -> Plan:
    """Return the plan for one message; ``history`` holds earlier turns' calls, oldest first, and
    ``previous_text`` the user's previous message (to complete an answered clarifying question)."""
    t = slots.normalize(text)
    if not t:
        return Plan(reply=HELP)
    authored = _authoring(t, text, history, setting, previous_text)
    if authored is not None:
        return authored
    if _UNSUPPORTED.search(t) and not _SIZING.search(t):
        return Plan(reply="I can't do that here. " + HELP)
    symbols = _symbols(text, setting)
    if re.search(r"\bboth\b", t) and not symbols:
        symbols = list(setting.symbols)
    last = history[-1] if history else []
    intent = _intent(t)
    if last and _is_follow_up(t, intent, last[0]["name"]):
        return _follow_up(t, text, last, symbols, setting)
    if last and intent is None and _STATS.search(t):
        gate = [
            c["args"].get("level") for c in last if c["args"].get("level") in ("+0.382", "-0.382")
        ]
        if gate:
            sym = last[0]["args"].get("symbol", setting.default_symbol)
            direction = "bull" if gate[0] == "+0.382" else "bear"
            return Plan(
                calls=[
                    {"name": "golden_gate_stats", "args": {"symbol": sym, "direction": direction}}
                ]
            )
    if intent is None:
        return Plan(reply="I didn't understand that. " + HELP)
    if intent == "explain":
        return _explain(t)
    inherited = _inherited_symbol(history)  # may come from any earlier turn
    chosen = symbols or ([inherited] if inherited else [setting.default_symbol])
    builder = _BUILDERS[intent]
    calls = [c for sym in chosen for c in builder(t, sym, setting)]
    if not calls:
        return Plan(reply="I didn't catch all the details. " + HELP)
    return Plan(calls=calls)


_STRONG = re.compile(
    r"\bhow (?:often|likely)\b|\bodds\b|\bribbon\b|\bphase\b|\bcompression\b|"
    r"\bsiz(?:e|ing)\b|\bwhere\b|\bwhat is\b|\bexplain\b"
)


def _is_follow_up(t: str, intent: str | None, last_tool: str) -> bool:
    """Return True when a message modifies the previous turn's call rather than asking anew."""
    if last_tool == "explain_term":
        return False
    if intent is not None and _TOOL_OF.get(intent) == last_tool and _FOLLOWUP_CUE.search(t):
        return True
    short = len(t.split()) <= 8
    if intent is None and (short or _FOLLOWUP_CUE.search(t)):
        return True
    return (
        short
        and intent == "levels"
        and last_tool != "atr_levels"
        and not _STRONG.search(t)
        and not re.search(r"\b(?:spx|spy)\b.*\blev", t)
    )


def _authoring(
    t: str, text: str, history: list[list[dict[str, Any]]], setting: Setting, previous_text: str
) -> Plan | None:
    """Return the plan for strategy authoring (draft, clarify, save), or None if it is not that."""
    last = history[-1] if history else []
    if last and last[0]["name"] == "delete_strategy" and re.search(r"^(?:yes|yep|confirm)\b", t):
        return Plan(
            calls=[{"name": "delete_strategy", "args": {**last[0]["args"], "confirm": True}}]
        )
    if (
        last
        and last[0]["name"] == "update_strategy"
        and re.search(r"^(?:yes|yep|ok|okay|sure|save|store|keep)\b|\bsave (?:it|that|this)\b", t)
    ):
        return Plan(calls=[{"name": "update_strategy", "args": {**last[0]["args"], "save": True}}])
    update = re.match(
        r"^(?:change|update|edit|modify|set)\b(?: the)?(?: (target|stop)(?: of| for| on)?)?"
        r"\s+(?:my )?(?:strategy )?[\"']?(.+)[\"']?\s*(?::|,|\bto\b|\bwith\b)\s*"
        r"((?:(?!\bto\b).)+)$",
        t,
    )
    if update:
        field_word, ref, rest = update.group(1), update.group(2), update.group(3)
        args: dict[str, Any] = {"ref": ref.strip()}
        if field_word:
            value = slots.find_levels(rest) or (
                ["0"] if re.search(r"\b(?:close|pdc|0)\b", rest) else []
            )
            if value:
                args[field_word] = value[0]
        for word in ("target", "stop"):
            m = re.search(rf"\b{word}\b(?: (?:at|to|is))?(?: the)? ([^,;]+)", rest)
            if m:
                value = slots.find_levels(m.group(1)) or (
                    ["0"] if re.search(r"\b(?:close|pdc)\b|^0\b", m.group(1)) else []
                )
                if value:
                    args[word] = value[0]
        if len(args) > 1:
            return Plan(calls=[{"name": "update_strategy", "args": args}])
    if (
        last
        and last[0]["name"] == "draft_strategy"
        and re.search(r"^(?:yes|yep|ok|okay|sure|save|store|keep)\b|\bsave (?:it|that|this)\b", t)
    ):
        return Plan(calls=[{"name": "save_strategy", "args": last[0]["args"]}])
    prev = slots.normalize(previous_text)
    answering = bool(prev) and not last and is_authoring(prev) and not is_authoring(t)
    if not (is_authoring(t) or answering):
        return None
    source = f"{previous_text}, {text}" if answering else text
    symbols = _symbols(source, setting)
    draft = parse_strategy(source, symbols[0] if symbols else setting.default_symbol)
    if draft.question:
        return Plan(reply=draft.question)
    return Plan(calls=[{"name": "draft_strategy", "args": {"spec": draft.spec}}])


def _symbols(text: str, setting: Setting) -> list[str]:
    t = re.sub(r"#[\w-]+", " ", slots.normalize(text))  # channel names (#spx) are not symbols
    found = []
    for word in re.findall(r"[$^]?[a-z][a-z0-9&]*(?: ?500)?", t):
        sym = slots.find_symbol(word, setting.symbols)
        if sym and sym not in found:
            found.append(sym)
    # an unknown ticker: the first word, or a word joined to a symbol by and/&, when a domain
    # word follows (aapl levels, qqq call trigger, es futures levels, aapl and spy levels)
    head = re.match(
        r"^\$?([a-z]{1,5})\b(?= (?:and |& |\+ )?(?:[a-z$]+ )?(?:levels?|lvls?|atr|"
        r"call|put|trigger|ribbon|futures|day|weekly|monthly|long|short|gg|golden|po))",
        t,
    )
    pair = re.findall(r"\b([a-z]{2,5}) (?:and|&|\+) (?:spx|spy)\b", t)
    for word in ([head.group(1)] if head else []) + pair:
        if (
            word.upper() not in found
            and word not in _NOT_TICKERS
            and slots.find_symbol(word, setting.symbols) is None
        ):
            found.insert(0 if head and word == head.group(1) else len(found), word.upper())
    return found


_NOT_TICKERS = {
    "chart",
    "day",
    "the",
    "my",
    "all",
    "key",
    "atr",
    "gg",
    "call",
    "put",
    "what",
    "show",
    "give",
    "daily",
    "weekly",
    "swing",
    "scalp",
    "fib",
    "next",
    "todays",
    "today",
    "its",
    "level",
    "get",
    "me",
    "for",
    "price",
    "long",
    "short",
    "upper",
    "lower",
    "those",
    "these",
    "full",
    "main",
    "pdc",
    "trend",
    "bull",
    "bear",
    "trigger",
    "of",
    "on",
    "are",
    "and",
    "current",
    "monthly",
    "yearly",
    "quarterly",
    "multiday",
    "position",
    "longterm",
    "term",
    "mid",
    "midrange",
    "golden",
    "gate",
    "new",
    "same",
    "other",
    "which",
    "spx",
    "spy",
    "whats",
    "how",
    "odds",
    "size",
    "sizing",
    "a",
    "an",
    "i",
    "is",
    "use",
    "only",
    "any",
    "both",
    "was",
    "did",
    "wtf",
    "eli",
    "good",
    "best",
    "morning",
    "hourly",
    "so",
    "ok",
    "yo",
    "hey",
    "pls",
    "please",
    "list",
    "print",
    "tell",
    "find",
    "check",
    "draw",
    "plot",
    "can",
    "could",
    "would",
    "will",
    "do",
    "does",
    "if",
    "when",
    "then",
    "now",
    "just",
    "also",
    "more",
    "from",
    "has",
    "have",
    "lvl",
    "power",
    "last",
    "first",
    "past",
    "where",
    "triggered",
    "midday",
    "lunch",
    "gimme",
    "sup",
    "need",
    "want",
    "got",
    "see",
    "pull",
    "fetch",
    "go",
    "buy",
    "sell",
    "lets",
    "make",
    "add",
    "build",
    "create",
    "write",
}


def _inherited_symbol(history: list[list[dict[str, Any]]]) -> str | None:
    for calls in reversed(history):
        for call in calls:
            if call["args"].get("symbol"):
                return str(call["args"]["symbol"])
    return None


def _intent(t: str) -> str | None:
    explaining = (
        _EXPLAIN.search(t)
        and not _STATS.search(t)
        and not re.search(r"\b(?:spx|spy|\$\w+)\b|\d{3}|\d{4}-", t)
    )
    if explaining and _glossary_term(t) and not slots.find_account(t):
        return "explain"
    if re.search(r"^(?:remember|note|fyi|for the record)\b", t):
        return "remember"  # before sizing: "remember my account size is 25000" is a fact
    money = slots.find_account(t) or re.search(r"^\$?\d+(?:\.\d+)?k\b|\bof \$?\d+k\b", t)
    priced = re.search(r"\b(?:entry|stop|long|short|calls?|puts?|premium)\b.*\d", t)
    if _SIZING.search(t) or (money and priced):
        return "sizing"
    if re.search(
        r"^(?:remember|note|fyi|for the record)\b|^i (?:trade|only trade|mostly trade|risk)\b|"
        r"^my (?:account|acct|risk|net ?liq)\b|^i have an? \$?\d",
        t,
    ):
        return "remember"
    if re.search(
        r"\bwhat do you (?:remember|know) about me\b|\bwhat have you remembered\b|"
        r"\bmy (?:preferences|facts)\b",
        t,
    ):
        return "recall"
    if re.search(r"^forget\b", t):
        return "forget"
    if re.search(r"\b(?:alert|ping|notify|tell|text|message) me\b|\bset (?:an? )?alert\b", t):
        return "create_alert"
    if re.search(r"\b(?:list|show|what are|which)\b.*\balerts\b|^(?:my )?alerts\??$", t):
        return "list_alerts"
    if re.search(r"\b(?:pause|resume|delete|remove|cancel)\b.*\balert\b", t):
        return "change_alert"
    if re.search(r"\b(?:find|search|look for|look up)\b.*\bstrateg", t):
        return "search_strategies"
    if re.search(r"\b(?:delete|remove)\b.*\bstrateg", t):
        return "delete_strategy"
    if re.search(r"\bshare\b.*\bstrateg", t):
        return "share_strategy"
    if re.search(
        r"\bcompare\b|\bvs\.?\b.*\bstrateg|\bwhich (?:is|was) better\b", t
    ) and not _CONTEXT.search(t):
        return "compare"
    if re.search(r"\bback ?test\w*\b|\bbt\b", t):
        return "backtest"
    if re.search(r"\b(?:list|show|what|which)\b.*\bstrateg(?:y|ies)\b|^strateg(?:y|ies)\b", t):
        return "strategies"
    levels = list(dict.fromkeys(slots.find_levels(t)))
    ranged = slots.find_range(t, dt.date(2000, 1, 3)) != slots.DateRange(None, None)
    if _STATS.search(t) or ranged or re.search(r"%\s*$|\bbucket\b", t):
        if len(levels) >= 2:
            return "level_stats"
        if re.search(r"\bgolden ?gates?\b|\bggs?\b|\bgates?\b", t):
            return "gg_stats"
        if re.search(r"\b(?:reach|hit|get to|tag|make it to)\b", t):
            return "level_stats"
    if len(levels) >= 2 and re.search(r"\bto\b", t) and not re.search(r"\blevels\b", t):
        return "level_stats"
    if re.search(r"\bwhere(?: is|'s| are) the\b", t) and levels:
        return "levels"
    if _CONTEXT.search(t):
        return "context"
    if _INDICATOR.search(t) and not re.search(r"\blev(?:el|le)s\b", t):
        return "indicator"
    if _LEVELS.search(t) or levels or slots.find_mode(t):
        return "levels"
    if _EXPLAIN.search(t) and _glossary_term(t):
        return "explain"
    return None


def _glossary_term(t: str) -> str | None:
    body = _EXPLAIN.sub("", t).strip(" ?.!")
    body = re.sub(r"^(?:a|an|the|by)\s+", "", body)
    body = re.sub(r"\s+(?:mean|means|work|works|in trading|indicator)$", "", body)
    for candidate in (body, t):
        try:
            return find_entry(candidate).term
        except ValueError:
            continue
    return None


def _explain(t: str) -> Plan:
    term = _glossary_term(t)
    if term is None:
        return Plan(reply="I don't have that term in my glossary. " + HELP)
    return Plan(calls=[{"name": "explain_term", "args": {"term": term}}])


def _date_args(t: str, setting: Setting) -> dict[str, Any]:
    date, _, _ = slots.find_date(t, setting.today)
    return {"date": date.isoformat()} if date else {}


def _range_args(t: str, setting: Setting) -> dict[str, Any]:
    rng = slots.find_range(t, setting.today)
    out = {}
    if rng.start:
        out["start"] = rng.start.isoformat()
    if rng.end:
        out["end"] = rng.end.isoformat()
    return out


def _levels(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    args: dict[str, Any] = {"symbol": sym, **_date_args(t, setting)}
    mode = slots.find_mode(t)
    if mode and mode != "day":
        args["mode"] = mode
    keys = slots.find_levels(t)
    if len(keys) == 1:
        args["level"] = keys[0]
    if re.search(r"\b(?:current|live) close\b", t):
        args["use_current_close"] = True
    if re.search(r"\b(?:chart|plot|graph|picture|draw)\b", t):
        args["chart"] = True
    return [{"name": "atr_levels", "args": args}]


def _gg_stats(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    args: dict[str, Any] = {"symbol": sym, **_range_args(t, setting)}
    direction = slots.find_direction(re.sub(r"\bgolden ?gates?\b|\bggs?\b", " ", t))
    if direction:
        args["direction"] = direction
    buckets = slots.find_trigger_buckets(t)
    if buckets:
        args["trigger_buckets"] = buckets
    return [{"name": "golden_gate_stats", "args": args}]


def _level_stats(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    keys = list(dict.fromkeys(slots.find_levels(t)))
    if len(keys) < 2:
        return []
    first, second = keys[0], keys[1]
    # "B after A", "B once A hits", "B given A": the level in that clause is touched first
    m = re.search(r"\b(?:after|once|given|if|when)\b(.+)$", t)
    if m:
        clause = slots.find_levels(m.group(1))
        if second in clause and first not in clause:
            first, second = second, first
    return [
        {
            "name": "level_to_level",
            "args": {
                "symbol": sym,
                "from_level": first,
                "to_level": second,
                **_range_args(t, setting),
            },
        }
    ]


def _indicator(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    args: dict[str, Any] = {"symbol": sym, **_date_args(t, setting)}
    tf = slots.find_timeframe(t)
    if tf and tf != "1d":
        args["timeframe"] = tf
    return [{"name": "indicator_state", "args": args}]


def _context(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    args: dict[str, Any] = {"symbol": sym, **_date_args(t, setting)}
    mode = slots.find_mode(t)
    if mode and mode != "day":
        args["mode"] = mode
    return [{"name": "price_context", "args": args}]


def _sizing(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    account = slots.find_account_size(t) or setting.account
    entry, stop = slots.find_entry_stop(t)
    if account is None or entry is None or stop is None:
        return []
    args: dict[str, Any] = {"account_size": account, "entry": entry, "stop": stop}
    risk = slots.find_risk(t) if slots.find_risk(t) is not None else setting.default_risk
    if risk is not None:
        args["risk_pct"] = risk
    side = "+"
    if not entry[0].isdigit() and stop == "0" or entry.startswith("-"):
        side = entry[0] if entry[0] in "+-" else "+"
    elif entry[0].isdigit() and stop[0].isdigit() and float(stop) > float(entry):
        side = "-"
    targets = slots.find_targets(t, side)
    if targets:
        args["targets"] = targets
    named = bool(_symbols(t, setting))
    keys = [v for v in (entry, stop, *targets) if not v[0].isdigit() or v == "0"]
    if named or keys:
        args["symbol"] = sym
    if keys:
        args.update(_date_args(t, setting))
        mode = slots.find_mode(t)
        if mode and mode != "day":
            args["mode"] = mode
    if re.search(r"\bes\b|\bfutures?\b|/es\b", t):
        args["multiplier"] = 50.0
    elif re.search(
        r"\boptions?\b|\bcalls?\b|\bputs?\b|\bpremium\b|\b0dte\b|\bcontracts?\b",
        re.sub(r"\b(?:call|put)s? trigger\b", " ", t),
    ):
        args["multiplier"] = 100.0
    return [{"name": "position_size", "args": args}]


def _sizing_changes(t: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    account = slots.find_account_size(t)
    if account is not None:
        out["account_size"] = account
    risk = slots.find_risk(t) or (
        float(m.group(1))
        if (m := re.search(r"(\d+(?:\.\d+)?) ?(?:%|percent)", t)) and "risk" in t
        else None
    )
    if risk is not None:
        out["risk_pct"] = risk
    entry, stop = slots.find_entry_stop(t)
    if entry is not None:
        out["entry"] = entry
    if stop is not None:
        out["stop"] = stop
    targets = slots.find_targets(t)
    if targets:
        out["targets"] = targets
    mode = slots.find_mode(t)
    if mode:
        out["mode"] = mode
    return out


def _backtest(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    m = re.search(
        r"\b(?:back ?test\w*|bt)\b(?: of| on)?(?: the| a| my)?\s+(.+?)(?:\s+(?:strategy|setup))?"
        r"(?:\s+(?:on|for|in|over|since|from|last|past)\b.*)?$",
        t,
    )
    name = m.group(1).strip() if m else ""
    name = re.sub(r"\b(?:spx|spy)\b", "", name).strip(" ,.?")
    if not name:
        return []
    args: dict[str, Any] = {"strategy": name, **_range_args(t, setting)}
    if _symbols(t, setting):
        args["symbol"] = sym
    return [{"name": "backtest_strategy", "args": args}]


def _compare(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    body = re.sub(r"^.*?\bcompare\b(?: the)?", "", t)
    body = re.split(r"\b(?:on|for|over|since|from|last|past|in)\b", body)[0]
    names = [n.strip(" .?,") for n in re.split(r",| and | vs\.? | versus | with ", body)]
    names = [re.sub(r"\b(?:strateg(?:y|ies)|the)\b", "", n).strip() for n in names]
    names = [n for n in names if n]
    if len(names) < 2:
        return []
    args: dict[str, Any] = {"strategies": names, **_range_args(t, setting)}
    if _symbols(t, setting):
        args["symbol"] = sym
    return [{"name": "compare_strategies", "args": args}]


def _strategies(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    return [{"name": "list_strategies", "args": {}}]


def _strategy_ref(t: str) -> str:
    m = re.search(r"\bstrateg(?:y|ies)\b(?: called| named)?\s*[\"']?([^\"']+?)[\"']?$", t)
    if m and m.group(1).strip():
        return m.group(1).strip(" .?!")
    m = re.search(r"\b(?:delete|remove|share)\b(?: my| the)?\s+(.+?)\s+strateg", t)
    return m.group(1).strip() if m else ""


def _create_alert(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    head = re.split(r"\btarget|\bstop\b", t)[0]
    keys = slots.find_levels(head)
    down = bool(
        re.search(
            r"\b(?:loses|lose|below|under|breaks down|drops|bear(?:ish)? (?:gg|golden|gate))", head
        )
    )
    if not keys:
        families = slots.level_families(head)
        keys = [f"{'-' if down else '+'}{families[0]}"] if families else []
    if not keys:
        return []
    key = keys[0]
    if not re.search(
        r"\b(?:loses|lose|below|under|breaks down|drops|crosses|above|over|reclaims)\b", head
    ):
        down = key.startswith("-")
    args: dict[str, Any] = {"symbol": sym, "level": key, "direction": "down" if down else "up"}
    ribbon = re.search(r"\b(bullish|bearish) ribbon\b|\bribbon (?:is )?(bullish|bearish)\b", t)
    if ribbon:
        args["ribbon"] = ribbon.group(1) or ribbon.group(2)
    channel = re.search(r"\bin (#[\w-]+)", t)
    if channel:
        args["destination"] = channel.group(1)
    window = time_window(t)
    if window and window["start"] != "09:30":
        args["after"] = window["start"]
    if window and window["end"] != "16:00":
        args["before"] = window["end"]
    return [{"name": "create_alert", "args": args}]


def _list_alerts(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    return [{"name": "list_alerts", "args": {}}]


def _change_alert(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    m = re.search(r"\b(a[0-9a-f]{8})\b", t)
    action = re.search(r"\b(pause|resume|delete|remove|cancel)\b", t)
    if not (m and action):
        return []
    verb = {"remove": "delete", "cancel": "delete"}.get(action.group(1), action.group(1))
    return [{"name": "change_alert", "args": {"alert_id": m.group(1), "action": verb}}]


def _remember(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    fact = re.sub(r"^(?:remember|note|fyi|for the record)(?: that)?[:,]?\s*", "", t).strip()
    return [{"name": "remember", "args": {"fact": fact}}] if fact else []


def _recall(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    return [{"name": "recall", "args": {}}]


def _forget(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    m = re.search(r"\b(m[0-9a-f]{10})\b", t)
    return [{"name": "forget", "args": {"fact_id": m.group(1)} if m else {}}]


def _search_strategies(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    query = re.sub(r"^.*?\b(?:find|search(?: for)?|look for|look up)\b(?: my| the| a)?", "", t)
    query = re.sub(r"\bstrateg(?:y|ies)\b(?: (?:that|which|where))?", "", query).strip(" ?.")
    return [{"name": "search_strategies", "args": {"query": query or t}}]


def _delete_strategy(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    ref = _strategy_ref(t)
    return [{"name": "delete_strategy", "args": {"ref": ref}}] if ref else []


def _share_strategy(t: str, sym: str, setting: Setting) -> list[dict[str, Any]]:
    ref = _strategy_ref(t)
    return [{"name": "share_strategy", "args": {"ref": ref}}] if ref else []


_BUILDERS = {
    "levels": _levels,
    "gg_stats": _gg_stats,
    "level_stats": _level_stats,
    "indicator": _indicator,
    "context": _context,
    "sizing": _sizing,
    "backtest": _backtest,
    "compare": _compare,
    "strategies": _strategies,
    "search_strategies": _search_strategies,
    "remember": _remember,
    "create_alert": _create_alert,
    "list_alerts": _list_alerts,
    "change_alert": _change_alert,
    "recall": _recall,
    "forget": _forget,
    "delete_strategy": _delete_strategy,
    "share_strategy": _share_strategy,
}


def _follow_up(
    t: str, text: str, last: list[dict[str, Any]], symbols: list[str], setting: Setting
) -> Plan:
    """Return the previous turn's calls with what this message changes (symbol, mode, date...)."""
    template = last[0]
    if template["name"] == "explain_term":
        return Plan(reply="I didn't understand that. " + HELP)
    changes: dict[str, Any] = {}
    date, current, _ = slots.find_date(t, setting.today)
    if date:
        changes["date"] = date.isoformat()
    elif current:
        changes["date"] = None
    name = template["name"]
    if name in ("atr_levels", "price_context"):
        mode = slots.find_mode(t)
        if mode:
            changes["mode"] = mode
    if re.search(r"\bmirror\b|\bflip\b|\bother side\b|\bopposite\b", t):
        for key in ("level", "from_level", "to_level"):
            value = template["args"].get(key)
            if value and value != "0":
                changes[key] = ("-" if value[0] == "+" else "+") + value[1:]
        if template["args"].get("direction") in ("bull", "bear"):
            changes["direction"] = "bear" if template["args"]["direction"] == "bull" else "bull"
    if name == "atr_levels":
        keys = slots.find_levels(t)
        if len(keys) == 1:
            changes["level"] = keys[0]
        elif re.search(r"\ball(?: the)? levels\b|\bfull (?:grid|table)\b", t):
            changes["level"] = None
    if name == "indicator_state":
        tf = slots.find_timeframe(t)
        if tf:
            changes["timeframe"] = tf
    if name == "golden_gate_stats":
        direction = slots.find_direction(re.sub(r"\bgolden ?gates?\b|\bggs?\b", " ", t))
        if direction:
            changes["direction"] = direction
        buckets = slots.find_trigger_buckets(t)
        if buckets:
            changes["trigger_buckets"] = buckets
    if name in ("golden_gate_stats", "level_to_level"):
        changes.update(_range_args(t, setting))
    if name == "position_size":
        changes.update(_sizing_changes(t))
    targets = symbols or [template["args"].get("symbol")]
    if not changes and not symbols:
        return Plan(reply="I didn't understand that. " + HELP)
    calls = []
    for sym in targets:
        args = {**template["args"], **changes}
        if sym:
            args["symbol"] = sym
        calls.append({"name": name, "args": {k: v for k, v in args.items() if v is not None}})
    return Plan(calls=calls)
