"""The one bulk runner: which orders (numbers, `-` from stdin, `--all`), a progress bar for
a person, each order's outcome as it comes, a closed JSON list and a summary line even
on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Annotated, Any

import typer

from ..domain.values import parse_order_number
from ..errors import ALREADY_DONE
from . import completion
from .app import EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, interrupt_said
from .options import (
    T,
    WriteFormat,
    usage_error,
)
from .output.text import held_interrupt, safe_text, say

NumbersArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Order numbers, or - to read them from stdin (separated by spaces or newlines).",
        show_default=False,
        autocompletion=completion.order_numbers,
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


# What finishes a bulk run that stopped (Ctrl-C, a failed output): the same command again,
# which skips what is done. A command that did more first (a receipt) names another.
RERUN = "rerun the same command to finish"


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
    noun: str | None = None,
    verb: str = "created",
    total: int = 0,
    said: Collection[int] = (),
    unreported: Callable[[], list[Any]] = lambda: [],
    as_json: Callable[[Any], Any] = lambda outcome: outcome,
    finish: str = RERUN,
) -> int:
    """Print each order's outcome as it comes; return how many were refused.

    A bulk run (with its `noun`) writes each outcome through before the next order is
    worked on. When writing fails (a full disk, a closed pipe) it stops at once and says
    on stderr what was done (exit 1, or 141 for a closed pipe); on Ctrl-C the JSON list
    is closed and stderr says what was done before the interrupt (exit 130). A single
    order's failed print is the error boundary's "the change was saved". The refusals
    of the orders in `said` were already shown with the plan, before the question: they
    are counted and listed (JSON) but not said again. `unreported` gives the outcomes
    already committed but not printed yet (a group's, `services.groups`): a run stopped
    while printing counts them as done and names them; it counts as refused only the
    refusals it said. `as_json` gives the object JSON shows for an outcome; a done order
    counts as listed once its text or object is written, which a Ctrl-C cannot cut
    (`held_interrupt`). `finish` says what finishes a stopped run (`RERUN` unless the
    command did more than the run, which a rerun would do again or refuse).
    """
    done = refused = 0  # committed (or refused) so far
    shown = 0  # done orders written out
    listed: list[str] = []  # what each done order became, for a message
    begun: list[bool] = []  # print_json_stream took the list (it closes it on Ctrl-C)
    batch = bulk and noun is not None

    def each() -> Iterator[Any]:
        nonlocal done, refused, shown
        for outcome in outcomes:
            if not outcome.ok:
                refused += 1
                if outcome.order not in said:
                    say(f"Error: {outcome.error}")
            else:
                done += 1
                listed.append(_done_label(outcome))
            if format_ == WriteFormat.json:
                # Shaped once counted as done: a Ctrl-C while shaping names it as saved.
                yield as_json(outcome)  # print_json_stream counts it once written
                continue
            if outcome.ok:
                # Through sys.stdout, which a live progress bar redirects above itself.
                lines = success(outcome).split("\n")
                text = "".join(safe_text(ln, message=True) + "\n" for ln in lines)
                with held_interrupt:  # written and counted, or neither
                    sys.stdout.write(text)
                    if batch:
                        sys.stdout.flush()  # a failing output shows before the next order
                    shown += 1
            yield outcome

    def written(item: Any) -> None:
        """JSON: an element is on stdout."""
        nonlocal shown
        if item.ok:
            shown += 1

    try:
        from .output.json_format import print_json, print_json_stream

        with held_interrupt.installed():
            if format_ == WriteFormat.json:
                if bulk:
                    print_json_stream(each(), flush=batch, begun=begun, written=written)
                else:
                    (only,) = each()  # one number given: one object, not a list
                    print_json(only)
            else:
                for _ in each():
                    pass
        if batch:
            sys.stdout.flush()
            _finished(None)  # every order is done and shown: the summary comes next
    except OSError as exc:
        if not batch:
            raise  # the error boundary says what was saved
        # Committed with the ones printed: done too. Its refusals were never said: not
        # counted (they changed nothing; they are among the orders not touched).
        saved = [_done_label(o) for o in unreported() if o.ok]
        done += len(saved)
        _output_failed(exc, done, refused, listed + saved, noun or "", verb, total, finish=finish)
    except KeyboardInterrupt:
        if not batch:
            raise
        if format_ == WriteFormat.json and not begun:  # before the list was begun
            with contextlib.suppress(OSError, KeyboardInterrupt):
                sys.stdout.write("[]\n")
        # Committed, not printed yet; their refusals, never said, are not counted.
        saved = listed[shown:] + [_done_label(o) for o in unreported() if o.ok]
        plural = noun if shown == 1 else f"{noun}s"
        more = f" and {len(saved):,} more saved but not listed ({_some(saved)})" if saved else ""
        say(
            f"Interrupted: {shown:,} {plural} {verb} before the interrupt{more}, {refused:,} "
            "refused; the orders being worked on when you pressed Ctrl-C may also have been "
            f"saved - {finish} (orders already done are skipped)"
        )
        interrupt_said.append(True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    return refused


def _done_label(outcome: Any) -> str:
    """What a done order became, as a message names it: `#2401 -> #2402`."""
    made = getattr(outcome, "backorder", None)
    if made is not None:
        return f"#{outcome.order} -> #{made}"
    invoice = getattr(outcome, "invoice", None)
    if invoice is not None:
        return f"#{outcome.order} -> invoice #{invoice}"
    return f"#{outcome.order}"


def _some(labels: list[str]) -> str:
    """The first ten labels, and how many more: `#2401 -> #2402, ... and 3 more`."""
    shown = labels[:10] + ([f"and {len(labels) - 10} more"] if len(labels) > 10 else [])
    return ", ".join(shown)


def _output_failed(
    exc: OSError,
    done: int,
    refused: int,
    listed: list[str],
    noun: str,
    verb: str,
    total: int,
    *,
    finish: str,
) -> None:
    """Writing a bulk run's output failed: the run stopped; say exactly what was done."""
    with contextlib.suppress(OSError, ValueError):  # what is still buffered goes nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    plural = noun if done == 1 else f"{noun}s"
    which = f" ({_some(listed)})" if listed else ""
    left = total - done - refused
    others = "the other order was" if left == 1 else f"the other {left} orders were"
    rest = (
        f"{others} not touched - {finish} (orders already done are skipped)"
        if left > 0
        else "that was every order - do not run it again; see them with `orders show`"
    )
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    with contextlib.suppress(OSError, ValueError):  # stderr may be gone too
        say(
            f"Error: the output failed ({reason}) after {done} {plural} "
            f"{'was' if done == 1 else 'were'} {verb}{which}, {refused} refused; {rest}"
        )
    broken = isinstance(exc, BrokenPipeError)
    raise typer.Exit(EXIT_BROKEN_PIPE if broken else EXIT_ERROR) from None


def say_refusals(refusals: Iterable[Any]) -> list[int]:
    """The refusals the tool already knows, said with the plan before the question (a
    person answers knowing which orders will not go); returns their order numbers for
    `run_batch(said=...)`, which then does not say them twice."""
    numbers = []
    for outcome in refusals:
        say(f"Error: {outcome.error}")
        numbers.append(outcome.order)
    return numbers


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
    said: Collection[int] = (),
    unreported: Callable[[], list[Any]] = lambda: [],
    as_json: Callable[[Any], Any] = lambda outcome: outcome,
    finish: str = RERUN,
) -> None:
    """The end of every bulk command: a progress bar for a person, each order's outcome
    as it comes, the summary line of a bulk run, and exit 1 when any was refused (130 on
    Ctrl-C, after a closed JSON list and a summary of what was done)."""

    already = 0  # refusals that mean "already done" (a rerun): said in the summary

    def counted(items: Iterable[Any]) -> Iterator[Any]:
        nonlocal already
        for outcome in items:
            if not outcome.ok and getattr(outcome, "code", None) in ALREADY_DONE:
                already += 1
            yield outcome

    refused = report_outcomes(
        with_progress(counted(outcomes), total, label),
        format_=format_,
        bulk=bulk,
        success=success,
        noun=noun,
        verb=verb,
        total=total,
        said=said,
        unreported=unreported,
        as_json=as_json,
        finish=finish,
    )
    if bulk:
        done_before = f" ({already:,} already done)" if already else ""
        say(outcome_summary(total - refused, refused, noun, verb=verb) + done_before)
        _finished(EXIT_ERROR if refused else EXIT_OK)
    if refused:
        raise typer.Exit(EXIT_ERROR)


def ship_ready_run(outcomes: Any, *, total: int, format_: WriteFormat, finish: str = RERUN) -> None:
    """The run of `ready --ship` and `purchases receive --ship`: `outcomes` are
    `services.fulfilment.ship_ready`'s (given out group by group, once committed); JSON
    shows each as `records.ready_shipped` does, with what its order's policy did.
    `finish`: what finishes the run if it stops (receive's: `ready --ship`)."""
    from .output import records

    run_batch(
        outcomes,
        total=total,
        label="Shipping",
        format_=format_,
        bulk=True,
        success=records.shipped_text,
        noun="order",
        verb="shipped",
        unreported=outcomes.unreported,
        # Shaped by the runner once it has the outcome: shaped here, on its way to the
        # runner, an outcome a Ctrl-C stopped would be neither listed nor named as saved.
        as_json=records.ready_shipped,
        finish=finish,
    )


def _finished(code: int | None) -> None:
    """A bulk run is done: from now on Ctrl-C cannot make it look interrupted (exit
    130). Until its summary is said, Ctrl-C is ignored; then (`code`) it ends the tool
    at once with the run's own exit code. The error boundary puts the handler back."""

    def end(signum: int, frame: Any) -> None:
        sys.exit(code or EXIT_OK)  # SystemExit passes every handler on its way out

    with contextlib.suppress(ValueError):  # not the main thread: no signals to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN if code is None else end)
