"""Start-up stays lazy: building the ``whispr`` parser (plugins included) imports no heavy library,
and ``whispr levels`` imports none of the assistant's, the web's or the charts'. Each check runs in
a fresh interpreter, since this test process has imported everything already. Timings are not
tested (they depend on the machine): ``python -m eval.bench_startup`` measures them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "chromadb",
    "fastapi",
    "langchain_core",
    "langgraph",
    "matplotlib",
    "numba",
    "onnxruntime",
    "pandas",
    "uvicorn",
)
"""Libraries that cost 0.1-1 s each to import; commands load them when they run."""


def _imported_after(code: str) -> set[str]:
    """Return the ``HEAVY`` packages that are imported after running ``code`` in a new process."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    modules = json.loads(done.stdout.splitlines()[-1])
    return {name.split(".")[0] for name in modules} & set(HEAVY)


def test_building_the_parser_imports_no_heavy_library():
    code = "from integrations.cli import build_parser\nbuild_parser()"
    assert _imported_after(code) == set()


def test_help_of_every_command_imports_no_heavy_library():
    code = (
        "import contextlib, io\n"
        "from integrations.cli import build_parser\n"
        "parser = build_parser()\n"
        "commands = parser._subparsers._group_actions[0].choices\n"
        "for name in commands:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        parser.parse_args([name, '--help'])"
    )
    assert _imported_after(code) == set()


def test_levels_loads_neither_the_assistant_nor_the_web_nor_charts():
    code = (
        "import contextlib, io\n"
        "from integrations.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['levels', 'SPX']) == 0"
    )
    loaded = _imported_after(code)
    assert loaded & {"chromadb", "fastapi", "langchain_core", "langgraph", "matplotlib"} == set()
    assert {"pandas", "numba"} <= loaded  # the check itself sees what the command imports
