"""Builders for strategy watches (paper trading live) and the paper journal.

"watch my gg bull on spy", "paper trade the vomy in #spx", "run ivomy live" → ``watch_strategy``;
"my watches" → ``list_watches``; "stop watching vomy", "pause w1a2b3c4" → ``change_watch``;
"paper journal", "how are my paper trades doing" → ``paper_journal``.
"""

from __future__ import annotations

import re

from assistant.understand.build import Built
from assistant.understand.manage import alert_action
from assistant.understand.reading import Reading
from assistant.understand.ruletests import Rule, builtin_named
from assistant.understand.turns import Turn
from tools.strategies import builtin_name

WATCH = (
    r"\b(?:watch(?:ing)?|track|follow\w*|monitor)\b(?!\s*list)(?! (?:for|out)\b).*\b(?:strat\w*|setup|system"
    r"|vomy|ivomy|gg|golden gate|gate|trigger|trig|po dot|arrow)\b"
    r"|\bpaper[- ]?trad\w*\b(?!.*\b(?:journal|results?|p&?l|pnl|log)\b)|\brun\b.*\b(?:live|forward)\b"
)
"""Asks to run a strategy live: a watch verb with a strategy word, paper trading, running live."""
WATCH_LIST = (
    r"\b(?:my|list|show|which|what)\b.*\bwatch(?:es|ing)\b|^watch(?:es)?\??$|\bwhat am i watching\b"
)
WATCH_CHANGE = (
    r"\b(?:pause|resume|unpause|delete|remove|cancel|kill|mute|unmute|stop|disable|enable)\b.*"
    r"\b(?:watch(?:es|ing)?|w[0-9a-f]{7,8})\b|\bunwatch\b"
)
JOURNAL = (
    r"\bpaper (?:journal|trades|p&?l|pnl|results?|log|fills)\b"
    r"|^\W*(?:show|list|open|export|see|view|pull up|get)?\W*(?:me )?(?:my |the )?(?:trade |paper )?journal"
    r"(?: (?:for|on) \$?\w+(?: trades)?(?: only)?| as csv| csv)?\W*$"
)
_ID = re.compile(r"\bw[0-9a-f]{7,8}\b")


def _strategy(t: str) -> str | None:
    """Return the strategy a watch request names: a built-in (full or short name) or the words
    after the verb ("watch my breakout strat on spy" → "breakout")."""
    named = builtin_named(t)
    if named:
        return named
    m = re.search(
        r"\b(?:watch(?:ing)?|track|follow\w*|monitor|paper[- ]?trade|run|unwatch)\b(?: the| my| a)?\s+"
        r"(.+?)(?:\s+(?:strat\w*|setup|system))?(?:\s+(?:on|for|in|to|live|forward)\b.*)?[?!.]*$",
        t,
    )
    if not m:
        return None
    words = re.sub(r"\b(?:spx|spy|\$\w+|it|that|this|one|#[\w-]+)\b", " ", m[1]).strip()
    return builtin_name(words) or (words or None)


def names_strategy(r: Reading) -> bool:
    """Return True when a watch request names a strategy (or says strategy, setup, paper)."""
    return bool(r.has(r"\bstrat|\bsetup\b|\bsystem\b|\bpaper\b") or builtin_named(r.t))


def watch(r: Reading, symbols: list[str]) -> Built:
    """Return a watch_strategy call (symbol and '#channel' when named)."""
    name = _strategy(r.t)
    if not name:
        return Built(question="Which strategy should I watch? Say 'list strategies' to see them.")
    args: dict[str, object] = {"strategy": name}
    if r.symbols:
        args["symbol"] = symbols[0]
    channel = re.search(r"#[\w-]+", r.text.lower())
    if channel:
        args["destination"] = channel[0]
    return Built([{"name": "watch_strategy", "args": args}])


def change(r: Reading, symbols: list[str]) -> Built:
    """Return a change_watch call ("stop watching" and "unwatch" delete the watch)."""
    stop = r.has(r"\bstop watching\b|\bunwatch\b|\bstop (?:the |my )?watch")
    action = "delete" if stop else alert_action(r.t)
    if action is None:
        return Built(question="Pause, resume or delete the watch?")
    args: dict[str, object] = {"action": action}
    found = _ID.search(r.t)
    if found:
        args["watch_id"] = found[0]
    else:
        name = builtin_named(r.t, loose=True)
        if name:
            args["strategy"] = name
        if r.symbols:
            args["symbol"] = symbols[0]
    return Built([{"name": "change_watch", "args": args}])


def journal(r: Reading, symbols: list[str]) -> Built:
    """Return a paper_journal call (one watch or one symbol when named)."""
    args: dict[str, object] = {}
    found = _ID.search(r.t)
    if found:
        args["watch_id"] = found[0]
    if r.symbols:
        args["symbol"] = symbols[0]
    return Built([{"name": "paper_journal", "args": args}])


def journal_reference(r: Reading, last: Turn) -> list[dict[str, object]] | None:
    """Return "just spy" after the journal, "how's it done so far" after a watch, as a
    paper_journal call, or None."""
    if not last.calls:
        return None
    name, args = last.calls[0]["name"], last.calls[0]["args"]
    if (
        name == "paper_journal"
        and r.symbols
        and r.has(
            r"^(?:and |now |ok )?(?:just|only)?\W*(?:the )?\$?\w+(?: only| trades| ones)*\W*$"
        )
    ):
        return [{"name": "paper_journal", "args": {**args, "symbol": r.symbols[0]}}]
    how = r"\bhow(?:'s| is| has)? (?:it|that|the watch|my watch)\b.*\b(?:doing|done|going|performing|perform|do)\b"
    if name == "watch_strategy" and r.has(how):
        return [{"name": "paper_journal", "args": {k: v for k, v in args.items() if k == "symbol"}}]
    return None


RULES = (
    Rule(
        "journal",
        "paper_journal",
        JOURNAL,
        # "watch gg bull on spx, post the paper trades here": a watch, not the journal
        lambda r: (
            not r.has(
                r"^(?:pls |please |can you |ok )?(?:watch|track|monitor|paper[- ]?trade|run)\b"
            )
        ),
    ),
    Rule("watch-change", "change_watch", WATCH_CHANGE),
    Rule("watch-list", "list_watches", WATCH_LIST),
    Rule("watch-strategy", "watch_strategy", WATCH, names_strategy),
)
"""Rows of the intent table for watches and the journal (placed before the alert rules)."""
