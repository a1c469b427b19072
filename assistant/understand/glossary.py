"""The glossary term a "what is …" question asks about ("what's a put trigger", "vomy?? whats
that", "sorry, total beginner here, what's a trigger?")."""

from __future__ import annotations

import re

from tools.explain import find_entry

TERM_THEN_WHAT = (
    r"([a-z][\w .+-]{1,30}?)\s*\?+\s*(?:whats|what's|what is|wtf is|wat is|what does (?:that|it) mean"
    r"|explain(?: (?:pls|please|plz))?|meaning)"
    r"(?: (?:that|this|it))?\W*"
)
"""A term, then "what's that": "vomy?? whats that", "po dots? what is it"."""
BARE_TERM = r"^(?:the )?(?!atr\b|range\b|mode\b|levels?\b)[a-z]{3,12}(?: dots?)?\?+$"
"""One word alone with a question mark ("vomy?", "po dots?"): what it is, unless it names a level
("ptrig?") or the previous answer's figures ("atr?")."""


def glossary_term(t: str) -> str | None:
    """Return the glossary term a "what is …" question asks about, or None."""
    after = re.fullmatch(TERM_THEN_WHAT, t)
    if after:  # "vomy?? whats that": the term comes first
        t = after[1]
    t = re.sub(r"^(?:(?:hey|hi|hello|yo|so|ok|okay|um|uh|quick q|question)\W+)+", "", t)
    if (
        after is None
    ):  # "sorry, total beginner here, what's a trigger?": the question after a preface
        t = re.sub(r"^.*?[,.!?;:] (?=(?:what|whats|explain|define|tell me about)\b)", "", t)
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
