"""Tool: explain the domain's vocabulary from the glossary file ``tools/knowledge.md``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, Field

from core.errors import InvalidArgumentError
from tools.base import ToolContext, tool


@dataclass(frozen=True)
class Entry:
    """One glossary entry."""

    term: str
    aliases: tuple[str, ...]
    text: str


@cache
def glossary() -> tuple[Entry, ...]:
    """Return the glossary entries parsed from ``tools/knowledge.md``."""
    raw = resources.files("tools").joinpath("knowledge.md").read_text(encoding="utf-8")
    entries = []
    for block in re.split(r"^## ", raw, flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        alias_line, _, text = body.strip().partition("\n")
        aliases = tuple(a.strip().lower() for a in alias_line.removeprefix("aliases:").split(","))
        entries.append(Entry(head.strip(), (head.strip().lower(), *aliases), text.strip()))
    return tuple(entries)


def find_entry(term: str) -> Entry:
    """Return the glossary entry for ``term`` (alias or close spelling); raise if none fits."""
    key = re.sub(r"[^a-z0-9.%+ -]", "", term.lower()).strip()
    for entry in glossary():
        if key in entry.aliases:
            return entry
    names = {alias: e for e in glossary() for alias in e.aliases}
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
    if close:
        return names[close[0]]
    hits = [  # a multi-word question that contains an alias: the one named first wins
        (m.start(), -len(alias), entry)
        for entry in glossary()
        for alias in entry.aliases
        if len(alias) > 3 and (m := re.search(rf"\b{re.escape(alias)}\b", key))
    ]
    if hits:
        return min(hits, key=lambda h: (h[0], h[1]))[2]
    known = ", ".join(e.term for e in glossary())
    raise InvalidArgumentError(f"no glossary entry for {term!r}; I can explain: {known}")


class ExplainArgs(BaseModel):
    """Arguments of ``explain_term``."""

    term: str = Field(
        description="The word or phrase to explain, e.g. 'golden gate', 'compression'."
    )


class ExplainResult(BaseModel):
    """A glossary entry."""

    term: str
    explanation: str


@tool("explain_term", ExplainArgs, ExplainResult)
def explain_term(ctx: ToolContext, args: ExplainArgs) -> ExplainResult:
    """Explain a trading term from Whispr's glossary (golden gate, trigger, vomy, compression...).

    Use when the user asks what something means rather than for numbers.
    """
    try:
        entry = find_entry(args.term)
    except InvalidArgumentError:
        knowledge = ctx.services.get("knowledge")  # search by meaning when the words differ
        if knowledge is None:
            raise
        term = knowledge.nearest_term(args.term)
        if term is None:
            raise
        entry = find_entry(term)
    return ExplainResult(term=entry.term, explanation=entry.text)
