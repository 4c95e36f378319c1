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


# ---------------------------------------------------------------- the README's examples


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


def console_examples(heading: str) -> list[tuple[str, str]]:
    """The `$ command` / output pairs of the first console block under `heading`."""
    section = README.split(heading, 1)[1]
    block = re.search(r"```console\n(.*?)\n```", section, flags=re.S)
    assert block, f"no console block under {heading}"
    pairs: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(out).strip("\n")) for command, out in pairs]


def shown(text: str, folder: Path) -> str:
    """What a terminal showed, comparable with the README: no colours, no trailing
    blanks, the reader's folder and the clock as the README writes them."""
    text = ANSI.sub("", text).replace("\r\n", "\n").replace(str(folder), "/home/me")
    text = WHEN.sub("2026-11-26 03:12", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def test_the_walk_through_shows_what_the_program_prints(tmp_path: Path) -> None:
    """Each command of the seed walk-through, run in a real terminal (200 columns) in an
    empty folder by the user `me`, prints exactly what the README shows."""
    import shlex
    import sys

    import pexpect

    scripts = Path(sys.executable).parent
    env = {
        **__import__("os").environ,
        "LOGNAME": "me",
        "USER": "me",
        "NO_COLOR": "1",
        "PAGER": "cat",
        "BACKORDER_PAGER": "",
        "COLUMNS": "200",  # as the terminal below, whatever the test run's own
        "LINES": "60",
    }
    env.pop("BACKORDER_DB", None)
    last_code: int | None = None
    examples = console_examples("## The seed walk-through")
    assert len(examples) >= 6
    for command, expected in examples:
        if command == "echo $?":
            assert str(last_code) == expected, "the exit code the README shows"
            continue
        argv = shlex.split(command)
        child = pexpect.spawn(
            str(scripts / argv[0]),
            argv[1:],
            cwd=str(tmp_path),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(60, 200),
        )
        if "Continue? [y/N] y" in expected:
            child.expect_exact("Continue? [y/N] ")
            child.sendline("y")
            before = child.before + child.after
        else:
            before = ""
        child.expect(pexpect.EOF)
        child.close()
        last_code = child.exitstatus
        assert shown(before + child.before, tmp_path) == expected, command


def test_telling_the_customer_shows_what_the_program_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk-through "Telling the customer", run in-process in an empty folder: its
    letters are plain text (no terminal formatting), so each command prints exactly what
    the README shows, messages included."""
    import shlex

    from typer.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKORDER_DB", raising=False)
    runner = CliRunner()
    last_code: int | None = None
    examples = console_examples("### Telling the customer")
    assert len(examples) >= 5
    for command, expected in examples:
        if command == "echo $?":
            assert str(last_code) == expected, "the exit code the README shows"
            continue
        argv = shlex.split(command)
        assert argv[0] == "backorder", command
        result = runner.invoke(app, argv[1:], env={"NO_COLOR": "1", "COLUMNS": "200"})
        last_code = result.exit_code
        assert shown(result.output, tmp_path) == expected, command
