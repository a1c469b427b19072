"""Issue #11: the planner stays readable, each of its files under 400 lines."""

from __future__ import annotations

from pathlib import Path

import assistant.understand

FOLDER = Path(assistant.understand.__file__).parent


def test_every_planner_file_is_under_400_lines():
    sizes = {p.name: len(p.read_text().splitlines()) for p in FOLDER.glob("*.py")}
    assert len(sizes) > 10  # the folder was found
    assert {name: n for name, n in sizes.items() if n >= 400} == {}
