"""Imports flow one way: integrations -> assistant -> tools -> core.

Read from the source with ``ast`` (nothing is imported), so a stray import
fails here before it becomes a cycle.  There are no exceptions: ``whispr eval``
reaches the CLI through the ``whispr.commands`` entry point (``eval/cli.py``),
not through an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"core", "tools", "assistant", "integrations", "eval", "prompts"}
ALLOWED = {
    "core": set(),
    "tools": {"core"},
    "assistant": {"tools", "core", "prompts"},
    "integrations": {"assistant", "tools", "core", "prompts"},
}


def imported_packages(path: Path) -> set[str]:
    """Return the top-level names of our packages that ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names)
    return found & OURS


def violations(package: str) -> list[str]:
    """Return 'file -> package' for every import that breaks the layering."""
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for target in imported_packages(path) - {package} - ALLOWED[package]:
            bad.append(f"{rel} -> {target}")
    return bad


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    assert violations(package) == []


def test_checker_catches_an_upward_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import numpy\nfrom assistant.graph import x\nfrom . import y\n")
    assert imported_packages(sample) == {"assistant"}
