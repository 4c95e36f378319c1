"""`init`, `import` and `orders export`: databases made, documents in and out."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ...domain.orders import Archived
from ..app import database, say_upgraded, start_up_over, state
from ..options import (
    choice,
)
from ..output.text import counted, say


def init(
    ctx: typer.Context,
    sample: Annotated[
        bool, typer.Option("--sample", help="Also load the sample company from sample_data/.")
    ] = False,
) -> None:
    """Create the database and its schema (safe to run twice).

    Example: backorder --db shop.db init --sample
    """
    from ...services import transfer as transfer_service
    from ...storage.schema import init_database

    start_up_over()  # building a schema and loading the sample is work: collect as usual
    db, created = init_database(state(ctx).db)
    try:
        where = db.location.display
        say_upgraded(db)
        say(f"Created database {where}." if created else f"Database {where} is ready.")
        if sample:
            result = transfer_service.load_sample(db)
            say(
                f"Loaded the sample company: {counted(result.products, 'product')}, "
                f"{counted(result.orders, 'order')}."
            )
    finally:
        db.dispose()


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A JSON file, or a .csv file with one row per order line; - reads stdin.",
            show_default=False,
        ),
    ],
) -> None:
    """Load products and orders from a JSON or CSV file: all of it, or nothing.

    Example: backorder import orders.json   or   backorder orders export | backorder import -
    """
    from ...services import transfer as transfer_service

    if str(file) == "-":
        source = "stdin"
        result = transfer_service.import_stream(
            database(ctx), sys.stdin.buffer.read(), source=source
        )
    else:
        source = file.name
        result = transfer_service.import_file(database(ctx), file)
    say(
        f"Imported {counted(result.products, 'product')} and {counted(result.orders, 'order')} "
        f"({counted(result.invoices, 'invoice')}) from {source}."
    )


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def export(
    ctx: typer.Context,
    archived: Annotated[bool, typer.Option("--archived", help="Only archived orders.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Archived and not archived orders.")] = False,
    format_: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            parser=choice(ExportFormat),
            help="json (products, settings, invoices too) or csv.",
        ),
    ] = ExportFormat.json,
) -> None:
    """Write orders in the import format, to import elsewhere with `backorder import`.

    With the orders chosen come the orders their backorders come from (up each chain),
    so the file imports into an empty database.

    JSON carries everything (settings, products, orders with every quantity, archived
    flag, backorder link and invoices); CSV has one row per order line and needs the
    products to exist where it is imported.

    Example: backorder orders export --all > orders.json
    """
    from ...services import export as export_service
    from ..output import flat, json_format

    if archived and all_:
        raise typer.BadParameter("use --archived or --all, not both", param_hint="'--archived'")
    db = database(ctx)
    which = Archived.ARCHIVED if archived else Archived.ALL if all_ else Archived.ACTIVE
    orders = export_service.iter_export(db, archived=which)
    if format_ == ExportFormat.csv:
        from ...transfer.csv_format import CSV_COLUMNS

        flat.write_csv(CSV_COLUMNS, _csv_rows(orders))
    else:
        json_format.print_export(export_service.export_header(db), orders)
    if which != Archived.ACTIVE:
        say(f"Exported {which} orders.")
    else:
        say(
            f"Exported {which} orders, and the archived orders their backorders come from "
            "(so the file imports into an empty database)."
        )


def _csv_rows(orders: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One CSV row per order line: the order's columns repeated, then the line's."""
    from ...transfer.csv_format import CSV_ORDER_COLUMNS

    for order in orders:
        for line in order["lines"]:
            yield {"order": order["number"], **{k: order[k] for k in CSV_ORDER_COLUMNS}, **line}


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("import")(import_)


def register_export(orders_app: typer.Typer) -> None:
    """`orders export` lives with the orders commands (and in the `orders` script)."""
    orders_app.command()(export)
