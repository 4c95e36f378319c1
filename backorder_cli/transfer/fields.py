"""The field checkers every section of the document shares: each records a refusal
with its place (`Places`: a JSON path, or a CSV row and column) on one problem list
(`_Problems`), so a refused import lists every problem at once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from ..domain.values import (
    MAX_ORDER_NUMBER,
    parse_sku,
    parse_text,
)
from ..errors import BackorderError, InvalidInput
from .json_text import _ExponentNumber

T = TypeVar("T")

# The highest order or invoice number an import may hold: the domain's one limit.
MAX_NUMBER = MAX_ORDER_NUMBER


class Places:
    """How problems name their place: JSON paths, or CSV rows and columns."""

    def __init__(self, csv_rows: list[list[int]] | None = None) -> None:
        self.csv_rows = csv_rows  # per order, the file row of each of its lines

    def order(self, i: int) -> str:
        if self.csv_rows is None:
            return f"orders[{i}]"
        return f"row {self.csv_rows[i][0]}" if self.csv_rows[i] else f"order {i + 1}"

    def line(self, i: int, j: int) -> str:
        if self.csv_rows is None:
            return f"orders[{i}].lines[{j}]"
        return f"row {self.csv_rows[i][j]}"

    def field(self, where: str, name: str) -> str:
        return f"{where}, {name}" if self.csv_rows is not None else f"{where}.{name}"


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def check(self, where: str, fn: Callable[[], T]) -> T | None:
        """Run one parser; record its refusal under `where` and return None."""
        try:
            return fn()
        except BackorderError as exc:
            self.add(where, exc.message)
            return None

    def raise_if_any(self, source: str) -> None:
        if self.items:
            raise refusal(source, self.items)


def refusal(source: str, problems: list[str]) -> InvalidInput:
    """The one error of a refused import: how many problems, then each on its own line."""
    count = len(problems)
    return InvalidInput(
        f"{source} has {count} problem{'s' if count != 1 else ''}, so nothing was "
        "imported - fix them and import again",
        details=problems,
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal, str)) and not isinstance(value, bool)


def _number_field(problems: _Problems, where: str, value: Any, parser: Callable[..., Any]) -> Any:
    if isinstance(value, _ExponentNumber):
        value = value.text  # refused by the parser, in the words of the string rule
    if not _is_number(value):
        problems.add(where, f"must be a number, got {json.dumps(value, default=str)}")
        return None
    return problems.check(where, lambda: parser(value, what="value"))


# A number is ASCII digits, nothing else: no sign, no spaces, no '_' (which int()
# would take), no other script's digits; CSV may write an order number as #2401.
_WHOLE_NUMBER = re.compile(r"#?[0-9]+", re.ASCII)


def _whole_number(problems: _Problems, where: str, value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.add(where, "must be a whole number")
        return None
    if isinstance(value, str):
        if not _WHOLE_NUMBER.fullmatch(value) or len(value) > 40:
            problems.add(where, f"must be a whole number in digits 0-9, got {value[:40]!r}")
            return None
        value = int(value.lstrip("#"))
    if not 1 <= value <= MAX_NUMBER:
        shown = str(value) if len(str(value)) <= 40 else f"a number of {len(str(value))} digits"
        problems.add(where, f"must be between 1 and {MAX_NUMBER:,}, got {shown}")
        return None
    return value


# Times are kept in UTC; a four-digit year there, so every time reads and writes back
# the same (ISO 8601 years 0001-0999 do not round-trip through every formatter).
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def _timestamp(problems: _Problems, where: str, value: Any) -> datetime | None:
    message = "must be an ISO date and time like 2026-11-02T09:30:00Z"
    if not isinstance(value, str):
        problems.add(where, message)
        return None
    try:
        read = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.add(where, message)
        return None
    try:
        # A time without a zone is taken as UTC, like every time the tool writes.
        at = (read if read.tzinfo else read.replace(tzinfo=UTC)).astimezone(UTC)
        in_range = EARLIEST <= at <= LATEST
    except OverflowError:  # before year 1 or after 9999 once in UTC
        in_range = False
    if not in_range:
        problems.add(where, f"must be between 1000-01-01 and 9999-12-31 in UTC, got {value[:40]!r}")
        return None
    return at


def _text(
    problems: _Problems,
    where: str,
    value: Any,
    *,
    what: str,
    required: bool = False,
    limit: int = 500,
) -> str | None:
    """A text field: a JSON string (or absent), then the domain's rules for text."""
    if value is not None and not isinstance(value, str):
        problems.add(where, f"must be text, got {json.dumps(value, default=str)[:40]}")
        return None
    return problems.check(
        where, lambda: parse_text(value, what=what, required=required, limit=limit)
    )


def _sku(problems: _Problems, where: str, value: Any) -> str | None:
    if not isinstance(value, str):
        problems.add(where, "must be text, the product's SKU")
        return None
    return problems.check(where, lambda: parse_sku(value))


def _expect(problems: _Problems, where: str, value: Any, kind: type, label: str) -> bool:
    if not isinstance(value, kind):
        problems.add(where, f"must be {label}")
        return False
    return True


def _unknown_keys(
    problems: _Problems, places: Places, where: str, obj: dict[str, Any], allowed: set[str]
) -> None:
    for key in sorted(set(obj) - allowed):
        problems.add(
            places.field(where, key), f"unknown field - known fields: {', '.join(sorted(allowed))}"
        )
