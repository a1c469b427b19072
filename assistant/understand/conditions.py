"""Conditions on a statistics question: "on fridays", "when it opens below the put trigger",
"with a bullish ribbon", "po in mark up". Each is either passed to the tool (when its schema
takes it) or named in the answer as *not applied* — a condition is never dropped in silence
(the unconditional figure must not read as the answer to the conditional question)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.understand.reading import Reading
from tools import TOOLS

_DAYS = {"mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri"}
_DAY_WORD = r"(mon|tue|wed|thu|fri)[a-z]*"

_OPEN = (
    (r"\b(?:open\w*|gap\w*(?: down)?)\b[^.?]{0,25}\b(?:below|under|beyond) (?:the )?(?:put trig\w*|pt|-0?\.236|short trig\w*)", "below_put_trigger"),
    (r"\b(?:open\w*|gap\w*(?: up)?)\b[^.?]{0,25}\b(?:above|over|beyond) (?:the )?(?:call trig\w*|ct|\+?0?\.236|long trig\w*)", "above_call_trigger"),
    (r"\bopen\w*\b[^.?]{0,25}\b(?:inside|between|within) (?:the )?(?:trig\w*|triggers)", "inside_triggers"),
    (r"\b(?:open\w*|gap\w*)\b[^.?]{0,25}\b(?:above|beyond|over|past) (?:the )?(?:\+?0?\.618|\+?61\.8|upper mid\w*|bull\w* mid\w*|midrange)", "beyond_midrange_up"),
    (r"\b(?:open\w*|gap\w*)\b[^.?]{0,25}\b(?:below|beyond|under|past) (?:the )?(?:-0?\.618|-61\.8|lower mid\w*|bear\w* mid\w*)", "beyond_midrange_down"),
    (r"\bopen\w*\b[^.?]{0,25}\babove (?:the )?(?:pdc|pc|previous close|prior close|yday close)|\bgap(?:s|ped)? up\b", "above_previous_close"),
    (r"\bopen\w*\b[^.?]{0,25}\bbelow (?:the )?(?:pdc|pc|previous close|prior close|yday close)|\bgap(?:s|ped)? down\b", "below_previous_close"),
)  # fmt: skip
_RIBBON = r"\b(?:with|when|while|if)? ?(?:the |a )?(?:ribbon(?:'s| is| was| being)? (bullish|bearish|mixed|bull|bear)|(bullish|bearish|mixed|bull|bear) (?:\d{1,2} ?(?:m|min|h|hr) |hourly |1h )?ribbon)\b"
_PO = (
    r"\b(?:po|phase osc\w*|oscillator)\b[^.?]{0,12}\b(extended up|distribution|mark up|markup|launch box|mark down|markdown|accumulation|extended down)\b"
    r"|\b(extended up|distribution|mark up|markup|launch box|mark down|markdown|accumulation|extended down) (?:po|phase)\b"  # "mark down PO zone"
    r"|(?:^(?:and |what about |how about |now )*|\b(?:with|w/?|in) (?:the )?)(distribution|launch box|accumulation|mark ?up|mark ?down)(?: zone)?\b"
)
_UNSUPPORTED = (
    r"\bvix\b[^.?]{0,20}", r"\b(?:fomc|cpi|nfp|opex|earnings|fed) (?:days?|weeks?)\b", r"\bon (?:fomc|cpi|nfp|opex)\b",
    r"\bafter an? (?:red|green|up|down|inside|outside|trend) day\b", r"\bday after an? (?:gap|red|green|big)\w*(?: (?:up|down|day))?",r"\b(?:high|low|above average|heavy) volume\b",
    r"\bwhen (?:the )?(?:market|futures|es|nq|qqq|dxy|bonds?|yields?)\b[^.?]{0,25}", r"\bin (?:a )?(?:bull|bear) market\b",
)  # fmt: skip
_STATS_TOOLS = ("golden_gate_stats", "level_to_level", "session_counts")


@dataclass
class Conditions:
    """What a question conditions its statistics on."""

    args: dict[str, Any] = field(default_factory=dict)
    """Tool arguments that apply them (only those the tool's schema takes)."""
    not_applied: list[str] = field(default_factory=list)
    """The message's words for each condition no tool argument can apply."""


def read_conditions(r: Reading, tool: str) -> Conditions:
    """Return the conditions of a statistics question for ``tool``."""
    out = Conditions()
    if tool not in _STATS_TOOLS:
        return out
    fields = TOOLS[tool].args_model.model_fields
    wanted: list[tuple[str, Any, str]] = []
    days = weekdays_named(r.t)
    if days:
        wanted.append(("weekdays", days, _said(r.t, _DAY_WORD)))
    after_gap = re.search(r"\bday after an? gap", r.t)  # a previous session's open: not applied
    for pattern, where in _OPEN if tool != "session_counts" and not after_gap else ():
        m = re.search(pattern, r.t)
        if m:
            wanted.append(("open_location", where, m.group(0).strip()))
            break
    m = re.search(_RIBBON, r.t)
    if m:
        state = {"bull": "bullish", "bear": "bearish"}.get(m[1] or m[2], m[1] or m[2])
        wanted.append(("ribbon", state, m.group(0).strip()))
    m = re.search(_PO, r.t)
    if m:
        zone = next(g for g in m.groups() if g).replace("markup", "mark up")
        zone = zone.replace("markdown", "mark down")
        zone = zone.replace(" ", "_")
        wanted.append(("po_zone", zone, m.group(0).strip()))
    bars = r"(1h|1 ?hr|hourly|60 ?m(?:in)?|5 ?m(?:in)?|5-min)"
    m = re.search(
        rf"\b{bars}\b[^.?]{{0,6}}\b(?:ribbon|po|phase|oscillator)\b"
        rf"|\b(?:ribbon|po|phase|oscillator)\b(?:[^.?]{{0,30}}\b(?:on|off|from|using|with) (?:the )?| ){bars}\b",
        r.t,
    )
    if m:  # "ribbon on the 1h", "mixed ribbon 1h", "5m ribbon"
        hourly = (m[1] or m[2])[0] in "1h6"
        wanted.append(("indicator_timeframe", "1h" if hourly else "5m", m.group(0)))
    m = re.search(
        r"\b(?:count|counting|treat|include|including|with)\b[^.?]{0,30}\b(?:opens?|gaps?)\b[^.?]{0,30}"
        r"\b(?:past|beyond|above|below|through|over)[- ](?:the[- ])?(?:mid\w*|\.?0?\.?618|61\.8|completion)"
        r"(?:[^.?]{0,20}\bas (?:completions?|completed|wins?))?"
        r"|\b(?:count|counting|treat|include|including)\b[^.?]{0,40}\bopens? as (?:completions?|completed|wins?)\b",
        r.t,
    )
    if m and tool == "golden_gate_stats":  # sessions opening past the completion count as done
        wanted.append(("open_beyond", "open_completions", m.group(0).strip()))
    if re.search(r"\bevery session\b|\ball sessions\b|\bevery day\b", r.t):
        wanted.append(("reading", "every_session", "every session"))
    elif re.search(
        r"\btouched first\b|\btouch(?:ed)? first\b|\btraded through (?:the )?(?:pdc|previous close)\b",
        r.t,
    ):
        wanted.append(("reading", "touched_first", "touched first"))
    for name, value, said in wanted:
        if name in fields:
            out.args[name] = value
        else:
            out.not_applied.append(said)
    for pattern in _UNSUPPORTED:
        m = re.search(pattern, r.t)
        if m:
            out.not_applied.append(m.group(0).strip())
    return out


def weekdays_named(t: str) -> list[str] | None:
    """Return the weekdays named as a condition ("on fridays", "mon-wed", "tuesdays and
    thursdays"); a single weekday naming a date ("last friday", "fri 6/14") is not one."""
    span = re.search(rf"\b{_DAY_WORD}\s?(?:-|to|thru|through)\s?{_DAY_WORD}\b", t)
    if span:
        order = list(_DAYS)
        a, b = order.index(span[1][:3]), order.index(span[2][:3])
        return order[a : b + 1] if a <= b else None
    listed = (
        re.search(rf"\bon {_DAY_WORD}(?:\s?(?:/|,|and|&|\+)\s?{_DAY_WORD})+", t)
        or re.search(rf"\b{_DAY_WORD}(?:\s?(?:/|,|and|&|\+)\s?{_DAY_WORD})* only\b", t)
        or re.search(rf"\bonly (?:on )?{_DAY_WORD}(?:\s?(?:/|,|and|&|\+)\s?{_DAY_WORD})+", t)
    )  # "only tues and thurs"
    listed = (
        listed
        or re.search(rf"\bon an? {_DAY_WORD}\b", t)  # "completes on a wednesday"
        or re.search(rf"\b{_DAY_WORD}(?:\s?/\s?{_DAY_WORD})+\b", t)  # "tue/thu"
    )
    if listed:  # "on tues/thurs"
        days = re.findall(_DAY_WORD, listed.group(0))
        return sorted({d[:3] for d in days}, key=list(_DAYS).index)
    single = re.search(
        r"^(mon|tue|wed|thu|fri)[a-z]*day (?:gg|golden gate|gate|stats|odds|l2l)\b"
        r"|^(?:\w+ )?(mon|tue|wed|thu|fri)[a-z]*(?:day)? (?:morning|afternoon) .*\b(?:gg|golden gate)",
        t,
    )
    if single:  # "friday gg stats", "thursday afternoon bull gg"
        return [single[1] or single[2]]
    plural = re.findall(r"\b(mon|tues?|wednes|thurs?|fri)days\b", t)
    if plural:
        return sorted({p[:3] for p in plural}, key=list(_DAYS).index)
    return None


def _said(t: str, pattern: str) -> str:
    m = re.search(pattern, t)
    return m.group(0) if m else ""


def without_conditions(t: str) -> str:
    """Return the normalised text without its open-location conditions, so "gg odds when it
    opens below the put trigger" is read as golden-gate odds, not put-trigger odds."""
    for pattern, _ in _OPEN:
        t = re.sub(pattern, " ", t)
    t = re.sub(r"\b(?:when|if|on days?|days?) (?:it|spx|spy|price|we|the market)?\s*(?=,|$)", "", t)
    return re.sub(r"\s+,", ",", t).strip(" ,")


def not_applied_note(items: list[str]) -> str | None:
    """Return the sentence that names the conditions the figures above do not apply."""
    if not items:
        return None
    listed = "; ".join(f"'{i}'" for i in dict.fromkeys(items))
    return (
        f"Not applied: {listed}: the statistics above count every session in the period, "
        "not only those; I can't filter on that yet."
    )
