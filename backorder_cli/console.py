"""The console scripts' entry points (`backorder`, `orders`).

Ctrl-C can come while Python is still importing the tool: that must end as quietly
as a Ctrl-C later on (exit 130, one line, no traceback). So this module imports
nothing of ours at the top: it installs its handler, then imports the CLI.
"""

from __future__ import annotations

import gc
import os
import signal
import sys

EXIT_INTERRUPTED = 130  # cli.base.EXIT_INTERRUPTED (not imported: it would import Typer)


def _interrupted_early(signum: int, frame: object) -> None:
    os.write(2, b"Interrupted\n")
    os._exit(EXIT_INTERRUPTED)  # nothing was opened yet: nothing to roll back


# At import: the script imports this module first, then works on its own argv.
signal.signal(signal.SIGINT, _interrupted_early)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C that lands in a callback Python cannot raise from (a weak reference's
    while a module is imported) is "ignored" with a traceback on stderr, and lost. Send
    it again instead: the next bytecode of the main flow gets it, as any Ctrl-C."""
    if issubclass(unraisable.exc_type, KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
        return
    sys.__unraisablehook__(unraisable)


class _ClosedStream:
    """What a closed stdout (`>&-`) becomes: every write fails as writing to a closed
    file would, so the tool says what was saved instead of crashing on None."""

    def write(self, text: str) -> int:
        raise OSError(9, "standard output is closed")  # EBADF

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(9, "standard output is closed")


def _run(script: str) -> None:
    # Start-up allocates objects that live as long as the process (modules, classes, the
    # command, the engine): the cyclic garbage collector's passes over them find nothing
    # and cost a good part of a short command's time (bench/NOTES.md). It stays off
    # until the command opens its database (`cli.app.start_up_over`), which freezes
    # what start-up made and turns it back on, so a long command collects as usual.
    gc.disable()
    signal.signal(signal.SIGINT, _interrupted_early)
    sys.unraisablehook = _unraisable
    if sys.stdout is None:
        sys.stdout = _ClosedStream()  # only write, flush and isatty are used
    if sys.stderr is None:  # nowhere to say anything: messages go nowhere
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  # open for the process's life
    from . import cli

    app = cli.app if script == "backorder" else cli.orders_script
    # From here Ctrl-C is a KeyboardInterrupt again: a command rolls back what it did.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        app(prog_name=script)
    except KeyboardInterrupt:  # before or after a command's own handling
        sys.stderr.write("Interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    _run("backorder")


def orders_main() -> None:
    _run("orders")
