"""The one flow of a command that changes something after a question: a dry run shows
the plan and stops; otherwise the plan is shown and confirmed (unless --yes), and exactly
it is carried out (the service refuses if the order changed meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer

from .options import WriteFormat
from .output.result import print_result
from .output.text import confirm, ensure_can_ask, say, tell

R = TypeVar("R")


def ask_and_run(
    run: Callable[..., R],
    *,
    yes: bool,
    dry_run: bool,
    show: Callable[[R], Any],
    text: Callable[[R, bool], list[str]],
    format_: WriteFormat,
) -> None:
    """The one flow of every correction: a dry run shows the plan and stops; otherwise
    the plan is shown and confirmed (unless --yes) and exactly it is carried out.
    Without a terminal to ask on (and no --yes) it refuses before planning."""
    ensure_can_ask(yes or dry_run)
    if dry_run:
        preview = run(dry_run=True)
        _print(format_, {"dry_run": True} | show(preview), text(preview, True), data=True)
        say("Dry run: nothing was changed.")
        return
    expected = None
    if not yes:
        expected = run(dry_run=True)
        for line in text(expected, True):
            say(line)
        if not confirm("Continue?"):
            raise typer.Abort()  # the boundary says nothing was changed (exit 1)
    result = run(expected=expected)
    _print(format_, {"dry_run": False} | show(result), text(result, False))


def _print(
    format_: WriteFormat, value: dict[str, Any], lines: list[str], *, data: bool = False
) -> None:
    """JSON on stdout; text: what a dry run would do is data (stdout), what was done a
    confirmation message (stderr), as every writing command says it (README)."""
    if format_ == WriteFormat.json:
        print_result(format_, value, "")
    else:
        for line in lines:
            (tell if data else say)(line)
