"""A writing command's result, the one way: a JSON object for scripts, or a line of
text for people (escaped like every message).

Which stream (README, "Output and exit codes"): JSON, and text that is data a script
captures (the new number `orders add` prints, what a dry run would do), go to stdout;
a sentence confirming a change (`Shipped ...`, `Order #2395 is booked.`) is a message
and goes to stderr, like `init`'s and `import`'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..options import WriteFormat
from .text import say, tell


def print_result(
    format_: WriteFormat, value: Any, text: str | Callable[[], str], *, data: bool = False
) -> None:
    """`value` as JSON on stdout with --format json; else `text` (or what it returns):
    on stdout when it is `data`, otherwise on stderr as a confirmation message."""
    if format_ == WriteFormat.json:
        from .json_format import print_json

        print_json(value)
    else:
        (tell if data else say)(text() if callable(text) else text)
