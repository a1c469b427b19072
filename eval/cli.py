"""``whispr eval``: the understanding gate, registered as a ``whispr.commands`` plugin.

The ``whispr`` command line finds this through the entry point in ``pyproject.toml``
(``[project.entry-points."whispr.commands"]``), so ``integrations`` never imports ``eval``.
``register`` runs on every ``whispr`` start, so this module imports argparse-level code only;
``run`` imports the gate when ``whispr eval`` runs.
"""

from __future__ import annotations

import argparse
import json

from integrations.argtypes import PROVIDER_HELP


def run(args: argparse.Namespace) -> int:
    """Run every labelled set (or ``--set``) and the authoring set; return 0 when the gate
    passes, 1 otherwise."""
    from eval.accuracy import evaluate_authoring
    from eval.gate import ALL_SETS, run_gate, summary
    from integrations.context import tool_context

    sets = tuple(args.set) if args.set else ALL_SETS
    outcomes = run_gate(tool_context(args), args.provider or "offline", sets)
    for outcome in outcomes:
        print(outcome.report.table() + "\n")
    authoring = evaluate_authoring(tool_context(args), args.provider or "offline")
    print(authoring.table())
    if args.show_misses:
        for outcome in outcomes:
            for miss in outcome.report.misses:
                status = "known" if miss.key in outcome.known else "NEW"
                print(
                    f"{status} {outcome.report.name} {miss.key} {miss.text!r}: {miss.why} "
                    f"[rule: {miss.rule or 'n/a'}] got {json.dumps(miss.got)}"
                )
        for item in authoring.misses:
            print(json.dumps(item, default=str))
    spec_rate = authoring.exact / max(authoring.items, 1)
    print("\n" + summary(outcomes))
    print(f"strategy specs {100 * spec_rate:.1f}% over {authoring.items} (threshold 90%)")
    return 0 if all(o.ok for o in outcomes) and spec_rate >= 0.9 else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``whispr eval`` to the command line's subcommands."""
    p = sub.add_parser(
        "eval",
        help="understanding gate: every labelled set, silent substitutions, known misses",
        description="Run every labelled set through the assistant; fail on any miss not listed "
        "in eval/known_misses.json and on any silent substitution.",
    )
    p.add_argument("--provider", help=PROVIDER_HELP)
    p.add_argument(
        "--set", action="append", help="only this set (repeatable), e.g. firstcontact_b.jsonl"
    )
    p.add_argument(
        "--show-misses",
        action="store_true",
        help="print every missed turn with the rule that fired",
    )
    p.set_defaults(handler=run)
