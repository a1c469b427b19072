"""Subcommands from the ``whispr.commands`` entry points: ``whispr eval`` comes from ``eval.cli``
without ``integrations`` importing ``eval``."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from integrations.cli import COMMAND_GROUP, build_parser, main


def test_eval_is_an_installed_command_plugin():
    points = {ep.name: ep.value for ep in entry_points(group=COMMAND_GROUP)}
    assert points.get("eval") == "eval.cli:register"


def test_the_parser_offers_the_plugin_command(capsys):
    parser = build_parser()
    args = parser.parse_args(["eval", "--set", "firstcontact_d.jsonl", "--show-misses"])
    assert args.set == ["firstcontact_d.jsonl"] and args.show_misses and args.provider is None
    with pytest.raises(SystemExit) as done:
        main(["eval", "--help"])
    assert done.value.code == 0
    assert "--show-misses" in capsys.readouterr().out
