"""The CSV form of the document: one row per order line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from ..errors import InvalidInput
from .cells import csv_text_read
from .fields import Places, _Problems

# The CSV columns: one row per order line. The first five are required.
CSV_REQUIRED = ["order", "customer", "sku", "quantity", "unit_price"]
CSV_OPTIONAL = [
    "comment",
    "shipped",
    "invoiced",
    "canceled",
    "status",
    "archived",
    "backorder_of",
    "created_at",
    "name",
    "unit",
    # Why canceled units were canceled (schema 6), as `orders export` writes them.
    "closed",
    "canceled_with_order",
]
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL
CSV_ORDER_COLUMNS = ["customer", "comment", "status", "archived", "backorder_of", "created_at"]


def parse_csv(text: str, *, source: str) -> tuple[dict[str, Any], Places, list[str]]:
    """Read CSV rows (one per order line) into the JSON document's shape, grouped by
    order, with the places of each row kept for problem messages, and the problems
    found on the way (parse_document adds the rest and reports them all)."""
    problems = _Problems()
    records = _csv_records(text[1:] if text.startswith("\ufeff") else text, source=source)
    first = next(records, None)
    header = [h.strip() for h in first[1]] if first else []
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise InvalidInput(
            f"{source} names the column{'s' if len(twice) > 1 else ''} {', '.join(twice)} more "
            "than once - keep one column of each name"
        )
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise InvalidInput(
            f"{source} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} - "
            f"the header must name at least {', '.join(CSV_REQUIRED)}"
        )
    unknown = [c or "(no name)" for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"{source} has unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} - "
            f"known columns: {', '.join(CSV_COLUMNS)}"
        )
    orders: list[dict[str, Any]] = []
    rows_of: list[list[int]] = []
    first_row: dict[str, int] = {}
    index_of: dict[str, int] = {}
    first_values: dict[str, dict[str, str]] = {}
    previous_key = None
    for row_number, fields in records:
        if len(fields) != len(header):
            problems.add(f"row {row_number}", "has a different number of fields than the header")
            continue
        values = {k: csv_text_read(v.strip()) for k, v in zip(header, fields, strict=True)}
        # One '#' at most, as the CLI takes it: the number itself is checked later.
        key = values["order"].removeprefix("#")
        if key in index_of and key != previous_key:
            problems.add(
                f"row {row_number}",
                f"order {key} appears again after other orders (first at row {first_row[key]}) "
                "- keep an order's rows together",
            )
            continue
        previous_key = key
        if key not in index_of:
            index_of[key] = len(orders)
            first_row[key] = row_number
            order: dict[str, Any] = {"number": values["order"], "lines": []}
            for column in CSV_ORDER_COLUMNS:
                value = values.get(column, "")
                if value != "":
                    order[column] = value
            if "archived" in order:
                # Exactly what the export writes (JSON takes only true and false too).
                flag = order["archived"]
                if flag in {"true", "false"}:
                    order["archived"] = flag == "true"
                else:
                    problems.add(f"row {row_number}, archived", "must be true or false")
                    del order["archived"]
            orders.append(order)
            rows_of.append([])
            first_values[key] = values
        else:
            order = orders[index_of[key]]
            # Every order field, as written on its first row (a later row may leave it empty).
            for column in CSV_ORDER_COLUMNS:
                if values.get(column, "") not in ("", first_values[key].get(column, "")):
                    problems.add(
                        f"row {row_number}, {column}",
                        f"differs from row {first_row[key]} for the same order {key}",
                    )
        line = {"sku": values["sku"], "quantity": values["quantity"]}
        for column in (
            "unit_price",
            "shipped",
            "invoiced",
            "canceled",
            "name",
            "unit",
            "closed",
            "canceled_with_order",
        ):
            if values.get(column, "") != "":
                line[column] = values[column]
        order["lines"].append(line)
        rows_of[index_of[key]].append(row_number)
    return {"orders": orders}, Places(rows_of), problems.items


def _csv_records(text: str, *, source: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line of the file it starts on (its row number in every
    problem, whatever blank lines or quoted line breaks come before); blank lines are
    skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            why = str(exc)
            if "field larger than field limit" in why:
                why = f"a field is longer than {csv.field_size_limit():,} characters"
            raise InvalidInput(
                f"{source} is not readable CSV at row {line}: {why} - fix the file there"
            ) from None
        if fields:
            yield line, fields
        line = reader.line_num + 1
