"""The one bulk runner: which orders (numbers, `-` from stdin, `--all`), a progress bar for
a person, each order's outcome as it comes, a closed JSON list and a summary line even
on Ctrl-C.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

import typer

from ..domain.values import parse_order_number
from .app import EXIT_ERROR, EXIT_INTERRUPTED
from .options import (
    T,
    WriteFormat,
    usage_error,
)
from .output.text import safe_text, say

NumbersArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Order numbers, or - to read them from stdin (separated by spaces or newlines).",
        show_default=False,
    ),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every order the command applies to.")]
CustomerOption = Annotated[
    str | None,
    typer.Option("--customer", help="With --all: only customers whose name contains this."),
]


def _parse_number(token: str) -> int:
    """The one order-number rule, for numbers given as arguments or read from stdin."""
    return usage_error(parse_order_number, token, hint="'NUMBERS'")


def pick_numbers(
    numbers: list[str] | None,
    *,
    all_: bool,
    customer: str | None,
    everything: Callable[[], list[int]],
    stdin_needs_yes: bool,
) -> tuple[list[int], bool]:
    """The orders a bulk command works on, and whether it is a bulk run (several
    numbers, `-` or `--all`: results are then a list and a summary)."""
    numbers = numbers or []
    if all_ and numbers:
        raise typer.BadParameter("give order numbers or --all, not both", param_hint="'--all'")
    if customer is not None and not all_:
        raise typer.BadParameter("--customer goes with --all", param_hint="'--customer'")
    if all_:
        return everything(), True
    if not numbers:
        raise typer.BadParameter(
            "give order numbers, - to read them from stdin, or --all", param_hint="'NUMBERS'"
        )
    if "-" in numbers:
        if numbers != ["-"]:
            raise typer.BadParameter("- reads every number from stdin; give nothing else")
        if stdin_needs_yes:
            raise typer.BadParameter(
                "numbers from stdin need --yes: stdin is taken, so nobody can answer the question",
                param_hint="'--yes'",
            )
        try:
            tokens = sys.stdin.read().split()
        except UnicodeDecodeError:
            raise typer.BadParameter(
                "stdin is not UTF-8 text - give order numbers, one per line or space",
                param_hint="'NUMBERS'",
            ) from None
        bulk = True
    else:
        tokens, bulk = numbers, len(numbers) > 1
    picked = list(dict.fromkeys(_parse_number(t) for t in tokens))  # unique, in order
    return picked, bulk


def with_progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """A progress bar on stderr, only for a person watching a batch."""
    if total < 2 or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress

    # Results printed meanwhile are moved above the bar only when they go to the same
    # terminal; when stdout is redirected they must reach the file, not the terminal.
    with Progress(
        # No markup from the console: lines moved above the bar are data (the columns
        # style the label themselves).
        console=Console(file=sys.stderr, markup=False, emoji=False),
        transient=True,
        redirect_stdout=sys.stdout.isatty(),
    ) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            yield item
            progress.advance(task)


def outcome_summary(done: int, refused: int, noun: str, *, verb: str = "created") -> str:
    """The last line of a batch: `3 backorders created, 1 refused`."""
    plural = noun if done == 1 else f"{noun}s"
    return f"{done} {plural} {verb}, {refused} refused"


def report_outcomes(
    outcomes: Iterable[Any],
    *,
    format_: WriteFormat,
    bulk: bool,
    success: Callable[[Any], str],
    summary: Callable[[int, int], str] | None = None,
) -> int:
    """Print each order's outcome as it comes; return how many were refused.

    On Ctrl-C the JSON list is closed and `summary(done, refused)` says on stderr what
    was done before the interrupt (exit 130).
    """
    from .output.json_format import print_json, print_json_stream

    done = refused = 0

    def each() -> Iterator[Any]:
        nonlocal done, refused
        for outcome in outcomes:
            if not outcome.ok:
                refused += 1
                say(f"Error: {outcome.error}")
            else:
                done += 1
                if format_ == WriteFormat.text:
                    # Through sys.stdout, which a live progress bar redirects above itself.
                    lines = success(outcome).split("\n")
                    sys.stdout.write("".join(safe_text(ln, message=True) + "\n" for ln in lines))
            yield outcome

    try:
        if format_ == WriteFormat.json:
            if bulk:
                print_json_stream(each())
            else:
                (only,) = each()  # one number given: one object, not a list
                print_json(only)
        else:
            for _ in each():
                pass
    except KeyboardInterrupt:
        if summary is None:
            raise
        say(f"Interrupted: {summary(done, refused)}; any order in progress was rolled back.")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    return refused


def nothing_to_do(message: str, format_: WriteFormat) -> None:
    """A bulk command with no order to work on: say so, and give scripts an empty list."""
    say(message)
    if format_ == WriteFormat.json:
        from .output.json_format import print_json

        print_json([])


def run_batch(
    outcomes: Iterable[Any],
    *,
    total: int,
    label: str,
    format_: WriteFormat,
    bulk: bool,
    success: Callable[[Any], str],
    noun: str,
    verb: str = "created",
) -> None:
    """The end of every bulk command: a progress bar for a person, each order's outcome
    as it comes, the summary line of a bulk run, and exit 1 when any was refused (130 on
    Ctrl-C, after a closed JSON list and a summary of what was done)."""

    def summary(done: int, refused: int) -> str:
        return outcome_summary(done, refused, noun, verb=verb)

    refused = report_outcomes(
        with_progress(outcomes, total, label),
        format_=format_,
        bulk=bulk,
        success=success,
        summary=summary,
    )
    if bulk:
        say(summary(total - refused, refused))
    if refused:
        raise typer.Exit(EXIT_ERROR)
