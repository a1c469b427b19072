"""Several modes in one message, each with its own levels: "prep spy: day trigs, weekly gg both
sides, monthly mid both" asks the day triggers, the weekly gates and the monthly midranges, not
every level in every mode."""

from __future__ import annotations

import re

from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.reading import Reading
from assistant.understand.vocab import modes

_DAY = r"\b(?:day|daily)\b(?! (?:before|after|of|trad\w*))"


def levels_by_mode(r: Reading) -> list[tuple[str, list[str]]] | None:
    """Return (mode, level keys) per clause when two or more modes are named and each one's
    clause names levels of its own; None otherwise (the levels then go with every mode)."""
    if len(r.modes) < 2 and not (r.modes and re.search(_DAY, r.t)):
        return None
    marks = sorted(
        {(m.start(), mode) for pattern, mode in modes() for m in re.finditer(pattern, r.t)}
        | {(m.start(), "day") for m in re.finditer(_DAY, r.t)}
    )
    marks = [m for i, m in enumerate(marks) if i == 0 or m[0] != marks[i - 1][0]]
    if len({mode for _, mode in marks}) < 2:
        return None
    out: list[tuple[str, list[str]]] = []
    for i, (at, mode) in enumerate(marks):
        start = 0 if i == 0 else at
        end = marks[i + 1][0] if i + 1 < len(marks) else len(r.t)
        clause = r.t[start:end]
        keys = resolve_unsided(read_levels(clause), clause)
        if not keys:
            return None
        if out and out[-1][0] == mode:
            out[-1] = (mode, list(dict.fromkeys(out[-1][1] + keys)))
        else:
            out.append((mode, keys))
    return out
