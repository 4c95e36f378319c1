"""`check` and `migrate`: the database's invariants and its schema."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from ..app import EXIT_ERROR, database, start_up_over, state
from ..options import (
    WriteFormat,
    choice,
)
from ..output.text import counted, safe_text, say

if TYPE_CHECKING:
    from ...domain.invariants import Violation


CheckFormatOption = Annotated[
    WriteFormat,
    typer.Option(
        "--format",
        "-f",
        parser=choice(WriteFormat),
        help="text for people, or json: an array of the violations ([] when clean).",
    ),
]


def check(ctx: typer.Context, format_: CheckFormatOption = WriteFormat.text) -> None:
    """Verify every invariant of the database; list each violation with its order and line.

    Read-only; exit 0 when clean, 1 when anything is wrong. Checks that every line's
    quantity = shipped + canceled + remaining with nothing negative and invoiced <=
    shipped; statuses and totals agree with the lines; canceled orders have nothing
    remaining; each backorder holds exactly what its origin moved to it, quantities and
    money; invoices add up, and a line's invoices to its amount; dates can be read;
    order and invoice numbers are unique; stock is never negative. A database of an
    older schema is checked as it is, without upgrading it.

    Example: backorder check
    """
    from ...services import integrity
    from ...services import orders as orders_service
    from ..output import json_format

    # Read-only: never upgrades the schema, and reads an older one as it is, so it can
    # name the rows that make an upgrade fail.
    db = database(ctx, upgrade=False, read_older=True)
    violations = integrity.check_database(db)
    found = 0
    if format_ == WriteFormat.json:

        def tallied() -> Iterator[Violation]:
            nonlocal found
            for v in violations:
                found += 1
                yield v

        json_format.print_json_stream(tallied())
    else:
        for violation in violations:
            found += 1
            sys.stdout.write(safe_text(str(violation), message=True) + "\n")
    orders = orders_service.count_orders(db)
    if found:
        say(f"{counted(found, 'problem')} found in a database of {counted(orders, 'order')}.")
        raise typer.Exit(EXIT_ERROR)
    say(f"No problems found: {counted(orders, 'order')} checked.")


def migrate(ctx: typer.Context) -> None:
    """Upgrade the database's schema to this version of backorder, in one transaction.

    Every command does this on its own when it opens an older database; migrate does
    it deliberately (before a batch job, or to see that it works). A newer schema is
    refused and left alone.

    Example: backorder --db shop.db migrate
    """
    from ...storage.schema import SCHEMA_VERSION, migrate, read_version

    start_up_over()  # a migration is long work: collect garbage as usual
    location, before = read_version(state(ctx).db)
    if before == SCHEMA_VERSION:
        say(f"Database {location.display} is up to date (schema version {SCHEMA_VERSION}).")
        return
    migrate(location, from_version=before)
    say(f"Upgraded database {location.display} from schema version {before} to {SCHEMA_VERSION}.")


def register(app: typer.Typer) -> None:
    app.command()(check)
    app.command()(migrate)
