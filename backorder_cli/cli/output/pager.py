"""Long output through a pager, the way git and gh do it: only when stdout is a terminal;
`$BACKORDER_PAGER`, else `$PAGER`, else `less -FRX` (which quits at once when the output
fits one screen, keeps colours, and leaves the text on the screen). An empty value or
`cat` means no pager, and so do `--no-pager` and a dumb terminal (`TERM` unset or `dumb`).
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from .text import is_terminal

DEFAULT_PAGER = "less -FRX"


def pager_command(environ: dict[str, str] | None = None) -> list[str] | None:
    """The pager to run, from the environment; None for none."""
    env = os.environ if environ is None else environ
    if env.get("TERM", "dumb") == "dumb":  # a terminal a pager cannot drive
        return None
    if "BACKORDER_PAGER" in env:
        chosen = env["BACKORDER_PAGER"]
    elif "PAGER" in env:
        chosen = env["PAGER"]
    else:
        chosen = DEFAULT_PAGER
    try:
        command = shlex.split(chosen)
    except ValueError:  # unbalanced quotes: no pager rather than a guess
        return None
    if not command or command == ["cat"]:
        return None
    return command


class _PagerStream(io.TextIOWrapper):
    """The pager's input, standing in for stdout: it is shown on the terminal, so
    output is formatted for the terminal (width, bold headers)."""

    def isatty(self) -> bool:
        return True


@contextlib.contextmanager
def paged(*, enabled: bool = True) -> Iterator[None]:
    """Within the block, stdout goes through the pager, if stdout is a terminal and a
    pager is wanted. Quitting the pager early ends the output quietly. While the pager
    runs, Ctrl-C is the pager's (as in git): the listing stops when the pager quits."""
    command = pager_command() if enabled and is_terminal(sys.stdout) else None
    if command is None:
        yield
        return
    try:
        # As git does: a bare `less` still keeps colours and quits on one screen.
        env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:  # no such pager: print straight to the terminal
        yield
        return
    assert process.stdin is not None
    real = sys.stdout
    stream = _PagerStream(process.stdin, encoding=getattr(real, "encoding", None) or "utf-8")
    previous: Any = None
    with contextlib.suppress(ValueError):  # not the main thread: signals stay as they are
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = stream
    try:
        yield
    except BrokenPipeError:
        pass  # the pager was quit before the end: nothing more to show
    finally:
        sys.stdout = real
        with contextlib.suppress(BrokenPipeError, OSError):
            stream.close()
        process.wait()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
