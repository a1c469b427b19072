"""Renderer of session_outcome results: what one session did against its levels.

Every number shown comes from the result (``tools.session.SessionOutcomeResult``).
"""

from __future__ import annotations

from typing import Any

from assistant.render import MODE_WORDS, renders


def _move(m: Any) -> str:
    """'+34.43 pts (+0.58%, +0.382 ATR; up 34.43 pts / 0.58%)': signed, and the size in words,
    since traders ask "how much did it drop" and expect the size."""
    way = "up" if m.points > 0 else "down" if m.points < 0 else "flat"
    size = f"; {way} {abs(m.points):.2f} pts / {abs(m.pct):.2f}%" if m.points else ""
    return f"{m.points:+.2f} pts ({m.pct:+.2f}%, {m.atr:+.3f} ATR{size})"


def _when(r: Any) -> str:
    if not r.times_available:
        return "from the daily bar, times not available (daily bars only)"
    if r.complete:
        return f"as of {r.as_of} ET (the close)"
    return f"as of {r.as_of} ET (session in progress)"


def _gate(g: Any, final: bool) -> str:
    """'triggered 10:35, completed 13:05' / 'not triggered' / 'triggered 10:35, failed at 11:20'."""
    if g.status == "opened_beyond":
        return f"no gate: opened beyond the midrange {g.completion_level:.2f}"
    if g.status == "not_triggered":
        return f"not triggered (trigger {g.trigger_level:.2f})"
    parts = [
        "triggered"
        + (" at the open" if g.triggered_at_open else "")
        + (f" {g.triggered_at}" if g.triggered_at else "")
    ]
    if g.failed_at or g.status == "failed":
        at = f" at {g.failed_at}" if g.failed_at else ""
        parts.append(f"failed{at} (fell back through {g.failure_level:.2f})")
    if g.status == "completed":
        at = f" {g.completed_at}" if g.completed_at else ""
        parts.append(f"completed{at} (midrange {g.completion_level:.2f})")
    else:
        parts.append(f"not completed{'' if final else ' yet'} (midrange {g.completion_level:.2f})")
    return ", ".join(parts)


def _level(t: Any) -> str:
    """'+0.236 call trigger 5957.21'; '+0.5 5981.00' and '+1 ATR 5143.28' name it once."""
    label = t.name if t.name.startswith(t.key) else f"{t.key} {t.name}"
    return f"{label} {t.price:.2f}" + (" (opened beyond it)" if t.at_open else "")


def _touches(r: Any) -> list[str]:
    if not r.touches:
        return ["No level touched (the session stayed between two levels)."]
    if not r.times_available:
        listed = ", ".join(_level(t) for t in r.touches)
        return [f"Levels touched (no times: daily bar): {listed}."]
    return [
        "Levels touched, first touch (ET, start of the bar):",
        *(f"  {t.time}  {_level(t)}" for t in r.touches),
    ]


@renders("session_outcome")
def _session(r: Any) -> str:
    mode = MODE_WORDS.get(r.mode, r.mode)
    gap_word = "gap" if r.mode == "day" else "open vs the previous close"
    close_word = "Close" if r.complete else "Last"
    above = ", ".join(f"{lv.key} {lv.price:.2f}" for lv in r.above_close[:1]) or "none"
    below = ", ".join(f"{lv.key} {lv.price:.2f}" for lv in r.below_close[:1]) or "none"
    lines = [
        f"{r.symbol} {r.date:%a %Y-%m-%d} vs its {mode} levels, {_when(r)}: previous close "
        f"{r.previous_close:.2f} ({r.previous_close_date}), ATR {r.atr:.2f}.",
        f"Open {r.open:.2f}, {gap_word} {_move(r.gap)}. Range {r.low:.2f}-{r.high:.2f}: "
        f"{r.range_points:.2f} pts = {r.range_atr:.3f} ATR ({r.range_pct}% of ATR); high "
        f"{r.up_atr:+.3f} ATR, low {r.down_atr:+.3f} ATR from the previous close.",
        f"{close_word} {r.close:.2f} ({r.close_source}): {_move(r.change)} from the previous "
        f"close; zone {r.close_zone}, below {above}, above {below}.",
        f"Golden gate bull: {_gate(r.bull, r.complete)}.",
        f"Golden gate bear: {_gate(r.bear, r.complete)}.",
        *_touches(r),
    ]
    return "\n".join([*_focus(r), *lines])


def _focus(r: Any) -> list[str]:
    """Return the line that answers the level asked about, first: when it was first reached."""
    f = getattr(r, "focus", None)
    if f is None:
        return []
    what = f"{r.symbol} {f.name} ({f.key}) {f.price:.2f} on {r.date:%Y-%m-%d}"
    if f.key in ("+0.382", "-0.382"):  # the golden gate: its whole story, not only the touch
        side = r.bull if f.key == "+0.382" else r.bear
        return [f"{what}: golden gate {_gate(side, r.complete)}."]
    if f.at_open:
        return [f"{what}: reached at the open (the session opened beyond it)."]
    if f.time:
        return [f"{what}: first reached at {f.time} ET."]
    if any(t.key == f.key for t in r.touches):
        return [f"{what}: reached (daily bar: no time available)."]
    return [f"{what}: not reached{'' if r.complete else ' so far'}."]
