"""Renderers of session_counts and average_true_range results. Every number comes from the
result."""

from __future__ import annotations

from typing import Any

from assistant.render import renders


@renders("session_counts")
def _session_counts(r: Any) -> str:
    lines = [f"{r.symbol} from {r.start} to {r.end}: {r.description}."]
    lines.append(
        f"{r.count} of {r.sessions} sessions ({r.percent:.1f}%), counting the sessions from "
        f"{r.first_session} to {r.last_session}."
    )
    if r.excluded_sessions:
        lines.append(
            f"{r.excluded_sessions} sessions at the start of the data are left out: they have no "
            "ATR yet."
        )
    lines.extend(f"No data {g.start} to {g.end}." for g in r.gaps)
    if r.dates is not None:
        if not r.dates:
            lines.append("Dates: none.")
        else:
            which = (
                f"the latest {r.dates_listed} of {r.count}" if r.dates_cut else f"{r.dates_listed}"
            )
            lines.append(f"Dates ({which}): " + ", ".join(str(d) for d in r.dates) + ".")
    if r.note:
        lines.append(f"Note: {r.note}")
    return "\n".join(lines)


@renders("average_true_range")
def _average_true_range(r: Any) -> str:
    lines = []
    if r.requested_date is not None:
        lines.append(
            f"{r.requested_date} is not a session in the data: the window ends on the session "
            f"before it, {r.last_session}."
        )
    lines.append(
        f"{r.symbol} average true range over the {r.sessions} sessions {r.first_session} to "
        f"{r.last_session}: Wilder ATR({r.sessions}) {r.wilder_atr:.2f}, simple mean of the "
        f"true ranges {r.mean_true_range:.2f}."
    )
    if r.levels_atr is not None:
        lines.append(
            f"The {r.last_session} Day levels use ATR {r.levels_atr:.2f} (through the close "
            f"before it); {r.wilder_atr:.2f} includes {r.last_session}'s own range."
        )
    lines.append(f"Wilder's average runs over all the data since {r.history_start}.")
    return "\n".join(lines)
