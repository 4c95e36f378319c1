"""The flat formats: plain (tab-separated), csv and ids, streamed; and `emit`, which writes
a listing in any format with the same fields in each.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ...domain.values import format_money, format_quantity
from ...transfer.cells import csv_text
from .text import safe_text

# The fields that hold money: CSV and plain write them with two decimals at least
# (`450.80`, a four-place unit price keeps its places); JSON keeps the exact number.
MONEY_FIELDS = frozenset(
    {"total", "price", "unit_price", "value", "invoice_total", "amount", "owed"}
)


def cell(value: Any, field: str | None = None) -> str:
    """One value as text for CSV and plain output: exact numbers (money, named by its
    `field`, with two decimals at least), ISO times, empty None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_money(value) if field in MONEY_FIELDS else format_quantity(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any, field: str | None = None) -> str:
    """`cell`, with text that a spreadsheet would run as a formula neutralised (README,
    "CSV cells"); numbers and times are not text, so `-5` stays `-5`."""
    return csv_text(value) if isinstance(value, str) else cell(value, field)


def write_csv(fields: list[str], records: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([csv_cell(record.get(f), f) for f in fields])


def write_plain(fields: list[str], records: Iterable[dict[str, Any]]) -> None:
    """Tab-separated, a header line then one line per record: stable columns for cut,
    awk and sort, whatever the terminal width. It is read by people too (`| less`), so
    text is escaped as everywhere on a terminal: a tab or newline in data is `\\t` or
    `\\n`, never a column or record break."""
    out = sys.stdout
    out.write("\t".join(fields) + "\n")
    for record in records:
        out.write("\t".join(safe_text(cell(record.get(f), f)) for f in fields) + "\n")


def write_ids(key: str, records: Iterable[dict[str, Any]]) -> None:
    """One key per line. Escaped like the other flat formats: an order number is
    unchanged, and a SKU that needs escaping could not be typed back anyway."""
    out = sys.stdout
    for record in records:
        out.write(f"{safe_text(cell(record[key]))}\n")


def records(
    items: Iterable[Any], fields: list[str], getter: Callable[[Any, str], Any] = getattr
) -> Iterator[dict[str, Any]]:
    for item in items:
        yield {f: getter(item, f) for f in fields}


def emit(
    items: Iterable[Any],
    fields: list[str],
    fmt: str,
    *,
    table: Callable[[Any], Any],
    ids_key: str | None = None,
    getter: Callable[[Any, str], Any] = getattr,
    stream_table: bool = False,
) -> None:
    """A listing in any format, with the same fields in each; all stream but a table
    that needs every row first (`table` gets a list, or with `stream_table` the items
    as they come). Items are objects with the fields as attributes, or (with
    `getter=dict.get`) dicts."""
    if fmt == "json":
        from .json_format import print_json_stream  # the other formats never load it

        print_json_stream(items)
    elif fmt == "csv":
        write_csv(fields, records(items, fields, getter))
    elif fmt == "plain":
        write_plain(fields, records(items, fields, getter))
    elif fmt == "ids":
        write_ids(ids_key or fields[0], records(items, fields, getter))
    else:
        table(items if stream_table else list(items))
