"""Messages right after a glossary answer: about that term ("backtest it", "and spy?") or about
another term ("and the po dots?")."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.understand.glossary import glossary_term
from assistant.understand.plans import Plan
from assistant.understand.reading import Reading, Setting
from assistant.understand.turns import Turn

Planner = Callable[[str, list[Turn], Setting], Plan]
"""``planner.plan``, passed in (the planner imports this module)."""


def after_term(
    plan: Planner,
    text: str,
    r: Reading,
    intent: str | None,
    rule: str,
    history: list[Turn],
    setting: Setting,
) -> Plan | None:
    """Return the plan of a message right after a glossary answer that is about that term
    ("backtest it", "and spy?") or about another term ("and the po dots?"), else None."""
    last = history[-1] if history else None
    explained = (
        last.calls[0]["args"].get("term")
        if last and last.calls and last.calls[0]["name"] == "explain_term"
        else None
    )
    if not explained:
        return None
    if intent == "backtest" and r.has(r"\b(?:it|that|this)\b"):
        named = re.sub(r"\b(?:it|that|this)\b", explained, text, count=1)  # "backtest it"
        decided = plan(named, history[:-1], setting)
        decided.rule = f"about the term explained > {decided.rule}"
        return decided
    lead = r"^(?:and|what about|how about|also|now)\s+(?:the |a |an )?"
    another = glossary_term(re.sub(lead, "", r.t)) if r.has(lead) else None
    if another and another != explained and r.words() <= 5 and not r.symbols:
        call = {"name": "explain_term", "args": {"term": another}}
        return Plan(calls=[call], rule="term-after-term")
    if (intent is None or rule in ("levels-by-key", "levels-by-mode")) and r.words() <= 10:
        bare = re.sub(r"\bone\b|\bany\b", " ", text)
        decided = plan(f"{bare} {explained}", history[:-1], setting)
        decided.rule = f"about the term explained > {decided.rule}"
        return decided
    return None
