"""Split an answer into channel-neutral pieces: text, tables and chart images.

The assistant's answers are plain text whose tables come from ``assistant.render.table``: a
header line, a line of dash runs separated by two spaces, then rows aligned to those runs. Each
channel turns the pieces into its native form (HTML table, Block Kit table, Discord embed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_DASHES = re.compile(r"^-+(?:  -+)*$")
_CHART_LINE = re.compile(r"^(?P<label>(?:Equity chart|Chart): )(?P<path>\S+\.png)\s*$", re.M)
"""A line of an answer naming a chart file a tool saved."""


@dataclass(frozen=True)
class Text:
    """A run of plain-text lines."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """An aligned table: header cells, rows of cells, and per-column alignment."""

    header: list[str]
    rows: list[list[str]]
    align: list[str] = field(default_factory=list)
    """``left`` or ``right`` per column."""
    kind: str = "table"

    def plain(self) -> str:
        """Return the table as aligned monospace text."""
        body = [self.header, *self.rows]
        widths = [max(len(r[i]) for r in body) for i in range(len(self.header))]

        def fmt(row: list[str]) -> str:
            cells = [
                c.ljust(w) if a == "left" else c.rjust(w)
                for c, w, a in zip(row, widths, self.align, strict=True)
            ]
            return "  ".join(cells).rstrip()

        return "\n".join(
            [fmt(self.header), "  ".join("-" * w for w in widths), *map(fmt, self.rows)]
        )


@dataclass(frozen=True)
class Image:
    """A chart saved as a PNG file by a tool."""

    path: str
    kind: str = "image"

    @property
    def name(self) -> str:
        """Return the file name (what a channel shows or attaches)."""
        return Path(self.path).name


Segment = Text | Table | Image


def _spans(dash_line: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"-+", dash_line)]


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str] | None:
    """Return the cells of ``line`` cut at ``spans``, or None if the line does not fit them."""
    if len(line) > spans[-1][1] or not line.strip():
        return None
    padded = line.ljust(spans[-1][1])
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if padded[end:start].strip():
            return None
    cells = [padded[a:b] for a, b in spans]
    if cells[0][:1] == " " and cells[0].strip():
        return None  # the first column is left aligned
    if any(c.strip() and c[-1] == " " for c in cells[1:]):
        return None  # the others are right aligned
    return [c.strip() for c in cells]


def _take_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    """Return the table whose header is ``lines[i]`` and the index after it, or None."""
    if i + 1 >= len(lines) or not _DASHES.match(lines[i + 1]):
        return None
    spans = _spans(lines[i + 1])
    header = _cells(lines[i], spans)
    if header is None:
        return None
    rows = []
    j = i + 2
    while j < len(lines) and (row := _cells(lines[j], spans)) is not None:
        rows.append(row)
        j += 1
    if not rows:
        return None
    align = ["left"] + ["right"] * (len(spans) - 1)
    return Table(header, rows, align), j


def segments(answer: str, charts: list[str] | None = None) -> list[Segment]:
    """Return ``answer`` as text, table and image pieces, in order; ``charts`` adds images
    (paths from tool results) that the text does not mention."""
    lines = answer.splitlines()
    out: list[Segment] = []
    images: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if any(s.strip() for s in buffer):
            out.append(Text("\n".join(buffer).strip("\n")))
        buffer.clear()

    i = 0
    while i < len(lines):
        chart = _CHART_LINE.match(lines[i].strip())
        if chart:
            images.append(chart.group("path"))
            i += 1
            continue
        taken = _take_table(lines, i)
        if taken is None:
            buffer.append(lines[i])
            i += 1
            continue
        flush()
        out.append(taken[0])
        i = taken[1]
    flush()
    for path in [*images, *(charts or [])]:
        if path not in [s.path for s in out if isinstance(s, Image)]:
            out.append(Image(path))
    return out


def hide_chart_paths(answer: str) -> str:
    """Return ``answer`` with each chart line naming the file only, never the server's path."""
    return _CHART_LINE.sub(lambda m: m.group("label") + Path(m.group("path")).name, answer)


def chart_paths(tool_calls: list[dict[str, Any]]) -> list[str]:
    """Return the chart files named in tool results (``result.chart``), in call order."""
    paths = []
    for call in tool_calls:
        result = call.get("result")
        if isinstance(result, dict) and isinstance(result.get("chart"), str):
            paths.append(result["chart"])
    return paths


CHART_TIMEFRAMES = {
    "scalp": "5m", "day": "5m", "multiday": "1h", "swing": "D", "position": "D", "longterm": "W",
}  # fmt: skip
"""The bar size an interactive chart of each mode's levels opens on (the web page's names)."""


def chart_specs(tool_calls: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Return, by chart file name, what each levels chart in the tool results shows: ``symbol``,
    ``mode``, ``date`` (the session, ISO) and ``tf`` (the bar size to open on), so that the web
    page can draw it as an interactive chart. Charts of other kinds (equity) are left out."""
    specs = {}
    for call in tool_calls:
        result = call.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("chart"), str):
            continue
        mode, symbol, date = result.get("mode"), result.get("symbol"), result.get("date")
        if mode in CHART_TIMEFRAMES and isinstance(symbol, str) and date is not None:
            specs[Path(result["chart"]).name] = {
                "symbol": symbol,
                "mode": str(mode),
                "date": str(date),
                "tf": CHART_TIMEFRAMES[str(mode)],
            }
    return specs


def markdown(pieces: list[Segment]) -> str:
    """Return the pieces as Markdown: text as is, tables as fenced monospace blocks."""
    parts = []
    for piece in pieces:
        if isinstance(piece, Text):
            parts.append(piece.text)
        elif isinstance(piece, Table):
            parts.append(f"```\n{piece.plain()}\n```")
    return "\n".join(parts)
