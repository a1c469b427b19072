"""Builders for the user's own objects: strategies, alerts, remembered facts, the glossary."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.build import Built
from assistant.understand.glossary import glossary_term
from assistant.understand.levels import resolve_unsided
from assistant.understand.reading import Reading
from assistant.understand.ruletests import builtin_named, strategy_names_in
from tools.strategies import builtin_name

_RANGE_WORDS = r"(?:on|for|over|since|from|last|past|in|during|between|ytd|this)"


def _range(r: Reading) -> dict[str, str]:
    start, end = r.range
    return {
        **({"start": start.isoformat()} if start else {}),
        **({"end": end.isoformat()} if end else {}),
    }


def backtest(r: Reading, symbols: list[str]) -> Built:
    """Return a backtest_strategy call for the strategy named after "backtest" (a built-in's
    short name — gg bear, vomy, 4h po dot — becomes its full name)."""
    named = strategy_names_in(r.t)
    m = re.search(
        rf"\b(?:back ?test\w*|bt)\b(?: of| on)?(?: the| a| my)?\s+(.+?)(?:\s+(?:strategy|setup))?(?:\s+{_RANGE_WORDS}\b.*)?$",
        r.t,
    )
    name = re.sub(r"\b(?:spx|spy|\$\w+)\b|[?!.,]", "", m[1] if m else "").strip()
    # "backtest it first", "bt it 2015-2025": a pointer, not a name
    name = re.sub(
        r"^(?:it|that|this|that one|this one)\b(?:\s+(?:first|again|now|pls|please|too|\d.*))?$",
        "it",
        name,
    )
    if not m:
        run = re.search(r"\b(?:run|test|did)\b(?: the| my)?\s+(.+?)\s+(?:strategy|setup)\b", r.t)
        name = run[1].strip() if run else ""
    builtin = builtin_name(name) if name else None
    before = re.split(r"\b(?:back ?test\w*|bt)\b", r.t)[0]
    if builtin is None and before.strip():
        builtin = builtin_name(re.sub(r"\b(?:spx|spy|the|run|a)\b", " ", before))
    if builtin is None:  # "how does the gg bull strategy do", "4h po dot strategy on spy, win%"
        head = re.split(r"\s+strat(?:egy|s)?\b", r.t)[0].split() if r.has(r"\bstrat") else []
        tails = (" ".join(head[i:]) for i in range(max(0, len(head) - 4), len(head)))
        builtin = next((b for b in map(builtin_name, tails) if b), None)
    name = builtin or (named[0] if named else None) or builtin_named(r.t) or name
    if not name or name in ("it", "that", "this", "strategy", "strat", "strategies", "setup"):
        return Built(
            question="Which strategy should I backtest? Say 'list strategies' to see them."
        )
    args = {"strategy": name, **_range(r)}
    if r.symbols:
        args["symbol"] = symbols[0]
    return Built([{"name": "backtest_strategy", "args": args}])


def compare(r: Reading, symbols: list[str]) -> Built:
    """Return a compare_strategies call for two or more named strategies."""
    body = re.sub(r"^.*?\b(?:compare|head to head)\b(?: the)?", "", r.t)
    body = re.split(rf"\b{_RANGE_WORDS}\b", body)[0]
    body = re.sub(r"\bwhich (?:is|was|did|does) (?:better|best)\b|\b(?:spx|spy)\b", " ", body)
    body = re.sub(r"\bsame (?:dates?|period|range|time ?frame|window|span)\b", " ", body)
    pair = re.search(r"\b(?:both|the two|two|2) (trigger|trig|gg|golden gate|gate)s? strat", r.t)
    if pair:  # "compare the two trigger strats": the call- and put-side built-ins
        gate = pair[1] != "trigger" and pair[1] != "trig"
        body = "golden gate bull vs golden gate bear" if gate else "call trigger vs put trigger"
    # with "vs" the names are split there only: "gg bull w ribbon vs the plain gg bull"
    split = r" vs\.? | versus " if re.search(r" (?:vs\.?|versus) ", body) else None
    names = [
        n.split(",")[0].strip(" .?,") if split else n.strip(" .?,")
        for n in re.split(split or r",| and | vs\.? | versus | with | w/? | against ", body)
    ]
    names = [
        re.sub(
            r"\b(?:strat\w*|the|my|plain|regular|normal|vanilla|basic|standard|one)\b", "", n
        ).strip()
        for n in names
    ]
    names = [builtin_name(n) or n for n in names if n]
    builtins = [n for n in names if builtin_name(n)]
    if len(builtins) >= 2:  # "call trig vs put trig strats, spx q3 2025, which won more"
        names = builtins
    if len(names) < 2:
        names = strategy_names_in(r.t)
    if len(names) < 2:
        return Built(question="Which strategies should I compare? Name two or more.")
    args = {"strategies": names, **_range(r)}
    if r.symbols:
        args["symbol"] = symbols[0]
    return Built([{"name": "compare_strategies", "args": args}])


def strategy_ref(t: str) -> str:
    """Return the strategy a delete/share/show request names."""
    m = re.search(r"\bstrateg(?:y|ies)\b(?: called| named)?\s*[\"']?([^\"']+?)[\"']?$", t, re.I)
    if m and m[1].strip():
        return m[1].strip(" .?!")
    m = re.search(
        r"\b(?:delete|remove|drop|share|show|describe)\b(?: my| the| me)?\s+(.+?)\s+strateg",
        t,
        re.I,
    )
    quoted = re.search(r"[\"'‘“]([^\"'’”]+)[\"'’”]", t)  # "delete 'am put trig short'"
    return m[1].strip() if m else (quoted[1].strip() if quoted else "")


def ref_call(tool: str) -> object:
    """Return a builder of ``tool`` calls that take a strategy reference."""

    def build(r: Reading, symbols: list[str]) -> Built:
        # the name as typed: normalising would turn "ctrig runner" into "call trigger runner"
        typed = re.sub(r"\s+", " ", r.text).strip()
        ref = strategy_ref(typed) or strategy_ref(r.t)
        if not ref or ref.lower() in ("rules", "spec", "definition", "details", "setup"):
            ref = builtin_named(r.t) or ref  # "show me the gg bull strat rules"
        if not ref:
            return Built(question="Which strategy? Say 'list strategies' to see their names.")
        return Built([{"name": tool, "args": {"ref": ref}}])

    return build


def search(r: Reading, symbols: list[str]) -> Built:
    """Return a search_strategies call with the words after find/search."""
    query = re.sub(
        r"^.*?\b(?:find|search(?: for)?|look for|look up|any)\b(?: my| the| a)?", "", r.t
    )
    query = re.sub(
        r"\bstrat(?:egy|egies|s)?\b(?: (?:that|which|where|with|using|on))?(?: the| a)?", "", query
    )
    query = re.sub(r"^\s*(?:my|the|a)\s+", "", query).strip(" ?.")
    return Built([{"name": "search_strategies", "args": {"query": query or r.t}}])


def no_args(tool: str) -> object:
    """Return a builder of a call of ``tool`` with no arguments."""
    return lambda r, symbols: Built([{"name": tool, "args": {}}])


_ACTIONS = {
    "pause": "pause", "mute": "pause", "disable": "pause", "turn off": "pause", "stop": "pause",
    "resume": "resume", "unpause": "resume", "unmute": "resume", "enable": "resume",
    "turn on": "resume", "reactivate": "resume", "turn it on": "resume", "turn it back on": "resume",
    "back on": "resume", "turn it off": "pause", "switch off": "pause", "switch on": "resume",
    "delete": "delete", "remove": "delete", "cancel": "delete", "kill": "delete",
}  # fmt: skip


def alert_action(t: str) -> str | None:
    """Return pause, resume or delete from the verb used, or None."""
    m = re.search(rf"\b({'|'.join(sorted(_ACTIONS, key=len, reverse=True))})\b", t)
    return _ACTIONS[m[1]] if m else None


def alert_history(r: Reading, symbols: list[str]) -> Built:
    """Return an alert_history call by id, or by symbol and level ("when did my spy alert
    fire"); the tool names the candidates when more than one alert matches."""
    if m := re.search(r"\b(a[0-9a-f]{7,8})\b", r.t):
        return Built([{"name": "alert_history", "args": {"alert_id": m[1]}}])
    args: dict[str, str] = {"symbol": symbols[0]} if r.symbols else {}
    keys = resolve_unsided(r.levels, r.t)
    if len(keys) == 1:
        args["level"] = keys[0]
    elif len(set(r.levels.unsided)) == 1:
        args["level"] = r.levels.unsided[0]
    if not args:
        return Built(question="Which alert? Say 'list my alerts' to see their ids.")
    return Built([{"name": "alert_history", "args": args}])


def change_alert(r: Reading, symbols: list[str]) -> Built:
    """Return a change_alert call by id, or by symbol and level ("delete my SPX alert")."""
    action = alert_action(r.t)
    if action is None:
        return Built(question="Pause, resume or delete the alert?")
    m = re.search(r"\b(a[0-9a-f]{7,8})\b", r.t)
    if m:
        return Built([{"name": "change_alert", "args": {"alert_id": m[1], "action": action}}])
    args: dict[str, Any] = {"action": action}
    if r.symbols:
        args["symbol"] = symbols[0]
    keys = r.levels.keys
    if len(keys) == 1:
        args["level"] = keys[0]
    elif not keys and len(set(r.levels.unsided)) == 1:  # "the spy gg alert": either side
        keys = resolve_unsided(r.levels, r.t)
        args["level"] = keys[0] if len(keys) == 1 else r.levels.unsided[0]
    if r.has(r"\b(?:all|every|everything|each)\b(?! (?:day|session|sessions|the time)\b)"):
        # "delete all my alerts", "pause all spy ones" (not "want it all day")
        args["every"] = True
    elif len(args) == 1:
        return Built(
            question=f"Which alert should I {action}? Say 'list my alerts' to see their ids."
        )
    return Built([{"name": "change_alert", "args": args}])


_RIBBON = r"\b(bullish|bearish|bull|bear|mixed) ribbon\b|\bribbon (?:is |turns |flips )?(bullish|bearish|bull|bear|mixed)\b"
EDIT_WORDS = (
    r"\b(?:make|change|edit|update|set|move|switch|restrict|limit|only|just|instead|actually)\b"
    r"|\b(?:any ?time|all (?:day|session)|whole session)\b"
    r"|\b(?:drop|remove|no|any|without) (?:the )?(?:ribbon|window|time|hours)\b"
)


def alert_filters(r: Reading) -> dict[str, object]:
    """Return the filter changes a message asks of an alert: after/before (a new window),
    any_time, ribbon, any_ribbon; {} when it names none."""
    out: dict[str, object] = {}
    if r.has(r"\b(?:any ?time|all (?:day|session)|whole session|no (?:time )?window)\b"):
        out["any_time"] = True
    elif r.window:
        if r.window[0] != "09:30":
            out["after"] = r.window[0]
        if r.window[1] != "16:00":
            out["before"] = r.window[1]
    if r.has(r"\b(?:any|no|drop the|remove the|without the|ignore the) ribbon\b"):
        out["any_ribbon"] = True
    elif m := re.search(_RIBBON, r.t):
        word = m[1] or m[2]
        out["ribbon"] = {"bull": "bullish", "bear": "bearish"}.get(word, word)
    return out


def edit_alert(r: Reading, symbols: list[str]) -> Built:
    """Return an edit_alert call ("change my spy +1 alert to after 2pm") by id, or by symbol and
    level; ask when the message names no filter or no alert."""
    filters = alert_filters(r)
    if not filters:
        return Built(
            question="What should change: the hours (e.g. only after 14:00) or the ribbon?"
        )
    m = re.search(r"\b(a[0-9a-f]{7,8})\b", r.t)
    pick: dict[str, object] = {"alert_id": m[1]} if m else {}
    if not m:
        if r.symbols or symbols:  # "drop the ribbon filter too": the symbol of the thread
            pick["symbol"] = symbols[0]
        if len(r.levels.keys) == 1:
            pick["level"] = r.levels.keys[0]
    if not pick:
        return Built(question="Which alert? Say 'list my alerts' to see their ids.")
    return Built([{"name": "edit_alert", "args": {**pick, **filters}}])


def remember(r: Reading, symbols: list[str]) -> Built:
    """Return a remember call with the fact in the user's words."""
    fact = re.sub(
        r"^(?:remember|note|fyi|for the record|save (?:that|this))(?: that)?[:,]?\s*",
        "",
        re.sub(r"\s+", " ", r.text.strip().lower()),
    ).strip()
    if not fact:
        return Built(question="What should I remember?")
    return Built([{"name": "remember", "args": {"fact": fact}}])


def forget(r: Reading, symbols: list[str]) -> Built:
    """Return a forget call (one fact id, the facts about some words, or all); the tool asks for
    a confirmation first, which only a later "yes" gives."""
    m = re.search(r"\b(m[0-9a-f]{10})\b", r.t)
    if m:
        return Built([{"name": "forget", "args": {"fact_id": m[1]}}])
    about = re.sub(r"^.*?\bforget\b\s*(?:about\s*)?(?:that\s*)?(?:my\s+|the\s+)?", "", r.t).strip(
        " .?!"
    )
    about = re.sub(r"\s+(?:stuff|thing|things|info|details|bit)$", "", about)  # "account stuff"
    if about in ("", "it", "all", "everything", "all of it", "me", "all my facts", "what you know"):
        return Built([{"name": "forget", "args": {}}])
    return Built([{"name": "forget", "args": {"about": about}}])


def explain(r: Reading, symbols: list[str]) -> Built:
    """Return an explain_term call for the glossary term asked about."""
    term = glossary_term(r.t)
    if term == "ATR levels" and r.has(r"\bthe (?:level|lvl)\b") and not r.has(r"\batr\b"):
        return Built(  # "whats the level": one level, unnamed
            question="Which level and symbol (e.g. SPX call trigger, SPY bull golden gate today)? "
            "Or 'what are ATR levels?' for what they are."
        )
    if term is None:
        return Built(
            question="Which term should I explain (e.g. golden gate, ribbon, compression)?"
        )
    return Built([{"name": "explain_term", "args": {"term": term}}])
