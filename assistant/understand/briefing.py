"""Builders for scheduled briefings: "post the SPX levels to #trading every morning at 9am",
"my briefings", "pause the spx briefing"."""

from __future__ import annotations

import re

from assistant.understand.build import Built
from assistant.understand.manage import alert_action
from assistant.understand.reading import Reading
from assistant.understand.ruletests import Rule
from assistant.understand.turns import Turn

CREATE = (
    r"\b(?:post|send|drop|share|dm|give|deliver|push)\b.*\b(?:every|each) (?:morning|day|session"
    r"|trading day|weekday|open)\b|\b(?:every|each) (?:morning|day|session|trading day)\b.*\b(?:post|send"
    r"|drop|dm)\b|\b(?:morning|daily|pre-?market|premarket) (?:briefing|brief|summary|report|note)\b"
    r"|\b(?:set up|schedule|create|add|new|start) (?:a |an |my )?(?:\w+ )?(?:briefing|brief)\b"
    r"|\b\$?[a-z]{2,5} (?:briefing|brief) (?:at |@ ?)?\d{1,2}(?::\d{2})?\b"  # "spy briefing 9:15 in here"
    r"|^(?:briefing|brief) \$?[a-z]{2,5},? (?:at |@ ?)?\d{1,2}(?::\d{2})? ?(?:am|pm)?\b"  # "briefing spx 9am"
)
"""Asks for a recurring post: a verb with "every morning", or a briefing named."""
LIST = r"\b(?:my|list|show|which|what)\b.*\bbriefings?\b|^briefings?\W*$"
CHANGE = (
    r"\b(?:pause|resume|unpause|delete|remove|cancel|kill|mute|unmute|stop|disable|enable)\b.*"
    r"\b(?:briefings?|brief|morning (?:post|note)|b[0-9a-f]{7,8})\b"
)
_ID = re.compile(r"\bb[0-9a-f]{7,8}\b")
_MODES = ("day", "multiday", "swing", "position", "longterm")


def _clock(t: str) -> str | None:
    """Return the HH:MM a briefing request names ("at 9am", "8:45", "9:15 am"), or None."""
    m = re.search(r"\b(?:at|@|by|around) ?(\d{1,2})(?::(\d{2}))? ?(am|pm|a\.m\.|p\.m\.)?\b", t)
    m = m or re.search(r"\b(\d{1,2})(?::(\d{2}))? ?(am|pm)\b", t)
    m = m or re.search(r"(?<![\d/])\b(\d{1,2}):(\d{2})()\b", t)  # "every morning 9:15"
    if not m:
        return None
    hour = int(m[1]) % 12 + (12 if m[3] and m[3].startswith("p") else 0)
    if not m[3] and int(m[1]) == 12:
        hour = 12
    return f"{hour:02d}:{m[2] or '00'}"


def create(r: Reading, symbols: list[str]) -> Built:
    """Return a schedule_briefing call per symbol (time, modes and '#channel' when named)."""
    args: dict[str, object] = {}
    if (clock := _clock(r.t)) is not None:
        args["at"] = clock
    if r.has(r"\ball (?:the )?(?:modes|timeframes)\b"):
        args["modes"] = list(_MODES)
    elif r.modes:
        # "daily and monthly lvls": the day levels too; "daily spy briefing" says how often
        said = re.sub(r"\bdaily (?:\$?[a-z]{2,5} )?(?:briefing|brief|post|note)\b", " ", r.t)
        day = re.search(r"\bday\b|\bdaily\b", said) is not None
        named = [m for m in r.modes if m != "day" or day]
        if wanted := list(dict.fromkeys(["day", *named] if day else named)):
            args["modes"] = wanted
    channel = re.search(r"#[\w-]+", r.text.lower())
    if channel:
        args["destination"] = channel[0]
    return Built([{"name": "schedule_briefing", "args": {"symbol": s, **args}} for s in symbols])


def change(r: Reading, symbols: list[str]) -> Built:
    """Return a change_briefing call by id or symbol ("stop" deletes)."""
    action = "delete" if r.has(r"\bstop\b|\bcancel\b") else alert_action(r.t)
    if action is None:
        return Built(question="Pause, resume or delete the briefing?")
    args: dict[str, object] = {"action": action}
    if found := _ID.search(r.t):
        args["briefing_id"] = found[0]
    elif r.symbols:
        args["symbol"] = symbols[0]
    return Built([{"name": "change_briefing", "args": args}])


RULES = (
    Rule("briefing-change", "change_briefing", CHANGE),
    Rule("briefing-list", "list_briefings", LIST),
    Rule("briefing-create", "schedule_briefing", CREATE),
)
"""Rows of the intent table for briefings (placed before the alert rules)."""


_BRIEFING_TOOLS = ("schedule_briefing", "list_briefings", "change_briefing")


def briefing_reference(r: Reading, last: Turn) -> list[dict[str, object]] | None:
    """Return "delete it", "pause the spx one" after a briefing answer as a change_briefing
    call (the one just scheduled, or the symbol's), or None."""
    if not last.calls or last.calls[0]["name"] not in _BRIEFING_TOOLS:
        return None
    action = "delete" if r.has(r"^(?:ok |now |and |then )?(?:stop|cancel)\b") else alert_action(r.t)
    pointed = r.has(r"\b(?:it|that|this|that one|this one|one|briefing)\b|^\W*\w+\W*$")
    if action is None or not pointed:
        return None
    args: dict[str, object] = {"action": action}
    if r.symbols:
        args["symbol"] = r.symbols[0]
    elif last.calls[0]["name"] == "schedule_briefing":
        args["symbol"] = last.calls[0]["args"].get("symbol")
    return [{"name": "change_briefing", "args": args}]
