"""The container image and the compose file (docker is not run here: no engine on the CI
machine): they parse, the commands they run exist in the CLI, the files they copy exist, the
secrets come from the environment and the state lives in a volume."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml

from integrations.cli import build_parser

ROOT = Path(__file__).parents[2]


def _subcommands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name for a in actions for name in a.choices}


def test_dockerfile_copies_what_exists_and_runs_a_real_command():
    text = (ROOT / "Dockerfile").read_text()
    copied = [part for line in re.findall(r"^COPY (.+)$", text, re.M) for part in line.split()[:-1]]
    assert copied and all((ROOT / p).exists() for p in copied), copied
    (cmd,) = re.findall(r'^CMD \["whispr", "(\w+)"\]', text, re.M)
    assert cmd in _subcommands()
    assert "requirements.lock" in text  # the locked versions, as `make install` uses
    assert "/ready" in text  # the health check asks the readiness endpoint


def test_compose_starts_whispr_behind_a_tls_proxy_with_state_in_a_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    whispr, proxy = compose["services"]["whispr"], compose["services"]["proxy"]
    assert whispr["command"][0] == "whispr" and whispr["command"][1] in _subcommands()
    assert any(v.startswith("whispr-home:") for v in whispr["volumes"])
    assert "whispr-home" in compose["volumes"]
    env = whispr["environment"]
    assert env["WHISPR_SECURE_COOKIES"] == "1"  # cookies only over the proxy's HTTPS
    secrets = {k: v for k, v in env.items() if "KEY" in k or "PASSWORD" in k}
    assert secrets and all(str(v).startswith("${") for v in secrets.values())
    assert "reverse-proxy" in proxy["command"] and "whispr:8000" in proxy["command"]
    assert "443:443" in proxy["ports"]
