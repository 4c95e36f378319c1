"""Text for people: messages on stderr, results on stdout, the question, and the one escape
that keeps data from acting on a terminal.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
from collections.abc import Iterator
from typing import Any

import typer

# What a terminal would act on or reorder: C0 controls (tab and newline too), DEL, C1
# controls, the bidi embeddings, overrides, isolates and marks, the line and paragraph
# separators, and lone surrogates (which cannot even be encoded).
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
# A backslash is doubled where it would read as the start of an escape: before x, u,
# n, t, r, another backslash, or a character that is itself escaped.
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]|\\\\(?=[\\\\xuntr{_UNSAFE}])")
_UNSAFE_MESSAGE = re.compile(f"[{_UNSAFE}]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def safe_text(text: str, *, message: bool = False) -> str:
    """Text from data as a terminal may show it: every character a terminal would act
    on (controls, bidi overrides, ...) written as a visible escape, the way Python
    writes it: `\\x1b`, `\\x9b`, `\\u202e`, `\\n`, `\\t`. Every human format goes
    through this; JSON and CSV keep the exact text.

    A backslash is doubled only where it would read as the start of an escape (before
    x, u, n, t, r, another backslash or an escaped character), so the display is
    unambiguous while `A\\B` and `C:\\dir` show as typed. In a `message` (our words
    around values mostly quoted with repr, which already doubles backslashes)
    backslashes are left alone.
    """
    pattern = _UNSAFE_MESSAGE if message else _UNSAFE_TEXT
    return pattern.sub(_escape, text) if pattern.search(text) else text


def say(message: str) -> None:
    """A message for the person: stderr, so stdout stays clean data. Data quoted in
    it is escaped here, whoever wrote the message."""
    typer.echo(safe_text(message, message=True), err=True)


def tell(message: str) -> None:
    """A result for the person on stdout (`Shipped ...`), data in it escaped."""
    typer.echo(safe_text(message, message=True))


class _HeldInterrupt:
    """Ctrl-C held while a bulk run writes one result: `with held_interrupt:` around the
    write, its flush and its count, inside `held_interrupt.installed()` for the run. A
    Ctrl-C then is raised as the write ends, so each result is written whole and counted,
    or neither: cut short in a write, Python drops its text when stdout is unbuffered
    (PYTHONUNBUFFERED) and keeps it in the buffer otherwise, and the run could not know
    which. Outside a write Ctrl-C acts at once, as before. A Python handler, not a signal
    mask: it runs in the main thread whichever thread the signal reaches (a progress
    bar has its own)."""

    def __init__(self) -> None:
        self._writing = False
        self._pending = False
        self._previous: Any = None
        self._handler = self._interrupted  # one object, to know it is still ours

    def _interrupted(self, signum: int, frame: Any) -> None:
        if self._writing:
            self._pending = True
            return
        self._deliver(signum, frame)

    def _deliver(self, signum: int, frame: Any) -> None:
        if callable(self._previous):
            self._previous(signum, frame)  # Python's own raises KeyboardInterrupt
        elif self._previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    def __enter__(self) -> None:
        self._writing = True

    def __exit__(self, *exc: object) -> None:
        self._writing = False
        if self._pending:
            self._pending = False
            self._deliver(signal.SIGINT, None)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        except ValueError:  # not the main thread: no signals to handle here
            yield
            return
        try:
            yield
        finally:
            if signal.getsignal(signal.SIGINT) is self._handler:
                previous = self._previous if self._previous is not None else signal.SIG_DFL
                signal.signal(signal.SIGINT, previous)


held_interrupt = _HeldInterrupt()


NO_TERMINAL = "no terminal to confirm on - pass --yes"


class NoTerminal(typer.BadParameter):
    """A command that would ask has nobody to ask: a usage error (exit 2), said as is."""

    def __init__(self) -> None:
        super().__init__(NO_TERMINAL)

    def format_message(self) -> str:
        return NO_TERMINAL


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question: stdin is a terminal (not a pipe, a file,
    /dev/null or xargs' stdin)."""
    return is_terminal(sys.stdin)


def ensure_can_ask(yes: bool) -> None:
    """Call before planning in every command that asks first: without `--yes` and
    without a terminal to answer on, refuse at once (exit 2) rather than print a plan
    and a question nobody can answer and then abort."""
    if not yes and not stdin_is_terminal():
        raise NoTerminal()


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 order`, `2 orders`, `0 orders`: a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def confirm(question: str) -> bool:
    """Ask on stderr, read one line from stdin; only y or yes (any case) is yes.

    Click's confirm writes the prompt's last space to stdout; a pipe of data on stdout
    must stay clean, so this reads the line itself. End of input counts as no.
    """
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except UnicodeDecodeError:  # bytes that are no text answer nothing: no
        answer = "\n"
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # Ctrl-C at the question: the next message on its own line
        raise
    if not answer.endswith("\n"):
        sys.stderr.write("\n")  # end of input: finish the prompt's line
    return answer.strip().lower() in {"y", "yes"}


def is_terminal(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())
