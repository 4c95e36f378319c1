"""A writing command's result, the one way: a JSON object for scripts, or a line of
text for people (escaped like every message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..options import WriteFormat
from .text import tell


def print_result(format_: WriteFormat, value: Any, text: str | Callable[[], str]) -> None:
    """`value` as JSON with --format json, else `text` (or what it returns) on stdout."""
    if format_ == WriteFormat.json:
        from .json_format import print_json

        print_json(value)
    else:
        tell(text() if callable(text) else text)
