"""The README documents every command, every command has help with an example, and
CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from backorder_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def command_paths() -> list[tuple[str, object]]:
    paths: list[tuple[str, object]] = []

    def walk(prefix: str, command: object) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(f"{prefix} {name}", sub)
        else:
            paths.append((prefix, command))

    walk("backorder", get_command(app))
    return paths


PATHS = command_paths()


def test_every_command_is_found() -> None:
    names = {p for p, _ in PATHS}
    assert {"backorder create", "backorder orders list", "backorder settings set"} <= names


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[p for p, _ in PATHS])
def test_every_command_has_a_summary_and_an_example(path: str, command: object) -> None:
    text = getattr(command, "help", None) or ""
    summary = text.strip().splitlines()[0] if text.strip() else ""
    assert summary, f"{path} has no help"
    assert "Example:" in text, f"{path} has no example in its help"


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[p for p, _ in PATHS])
def test_every_command_is_in_the_readme_reference(path: str, command: object) -> None:
    reference = README.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    assert f"`{path}" in reference, f"{path} is missing from the README's command reference"


def test_ci_runs_the_readmes_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    test_command = next(b for b in blocks if "pytest" in b and "\n" not in b)
    assert test_command in (ROOT / ".ci" / "run").read_text()
