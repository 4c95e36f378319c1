"""`backorder orders ...`, also installed as the `orders` script."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import Annotated

import typer

from ..domain.orders import Status, parse_status
from ..domain.values import Item, parse_count, parse_item, parse_text
from .app import (
    FormatOption,
    NumberArgument,
    WriteFormat,
    WriteFormatOption,
    check_items,
    choice,
    cli_value,
    database,
    no_ids,
    read_format,
    say,
)


def add(
    ctx: typer.Context,
    items: Annotated[
        list[Item],
        typer.Argument(
            parser=cli_value(parse_item),
            callback=check_items,
            metavar="ITEMS",
            help="Lines as SKU=QTY or SKU=QTY@PRICE (price defaults to the product's).",
            show_default=False,
        ),
    ],
    customer: Annotated[
        str,
        typer.Option(
            "--customer",
            "-c",
            parser=cli_value(partial(parse_text, what="customer", required=True, limit=200)),
            help="Customer name.",
        ),
    ],
    comment: Annotated[
        str,
        typer.Option(
            "--comment",
            parser=cli_value(partial(parse_text, what="comment")),
            help="Free text shown on the order.",
        ),
    ] = "",
    draft: Annotated[bool, typer.Option("--draft", help="Save as a draft, to book later.")] = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Add an order, numbered next in the order series; print its number.

    Example: backorder orders add --customer "Nordic Cables" CABLE-25=2.5 PLUG-3=10@4.95
    """
    from ..services import orders as orders_service
    from . import render

    number = orders_service.add_order(
        database(ctx), customer=customer, comment=comment, items=items, draft=draft
    )
    if format_ == WriteFormat.json:
        status = Status.DRAFT if draft else Status.BOOKED
        render.print_json({"number": number, "status": status.value})
    else:
        typer.echo(number)


def book(
    ctx: typer.Context, number: NumberArgument, format_: WriteFormatOption = WriteFormat.text
) -> None:
    """Book a draft order so it can be shipped.

    Example: backorder orders book 2395
    """
    from ..services import orders as orders_service
    from . import render

    status = orders_service.book_order(database(ctx), number)
    if format_ == WriteFormat.json:
        render.print_json({"number": number, "status": status})
    else:
        typer.echo(f"Order #{number} is booked.")


def list_(
    ctx: typer.Context,
    status: Annotated[
        list[Status] | None,
        typer.Option(
            "--status",
            "-s",
            parser=cli_value(parse_status),
            metavar="STATUS",
            help="Only these statuses (repeatable): draft, booked, partially-shipped, shipped, "
            "invoiced, canceled.",
            show_default=False,
        ),
    ] = None,
    archived: Annotated[bool, typer.Option("--archived", help="Only archived orders.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Archived and not archived orders.")] = False,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Customer name contains this text.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", help="Order number, or text in the customer or comment."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            parser=cli_value(partial(parse_count, what="the limit")),
            metavar="N",
            help="At most this many.",
        ),
    ] = None,
    format_: FormatOption = None,
) -> None:
    """List orders, newest first: by default those not archived.

    Example: orders list --archived --search 2401
    """
    from ..services import orders as orders_service
    from . import render

    if archived and all_:
        raise typer.BadParameter("use --archived or --all, not both", param_hint="'--archived'")
    rows = orders_service.iter_orders(
        database(ctx),
        statuses=list(status or []),
        archived="archived" if archived else "all" if all_ else "active",
        customer=customer,
        search=search,
        limit=limit,
    )
    render.emit(rows, render.ORDER_FIELDS, read_format(format_), table=render.orders_table)


def show(ctx: typer.Context, number: NumberArgument, format_: FormatOption = None) -> None:
    """Show one order, archived or not: lines, invoices, backorder links and history.

    Example: backorder orders show 2401 --format json
    """
    from ..services import orders as orders_service
    from . import render

    fmt = read_format(format_)
    no_ids(fmt)
    order = orders_service.get_order(database(ctx), number)
    if fmt == "json":
        render.print_json(order)
    elif fmt in ("csv", "plain"):
        render.order_flat(order, fmt)
    else:
        render.order_detail(order)


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

    JSON carries everything (settings, products, orders with every quantity, archived
    flag, backorder link and invoices); CSV has one row per order line and needs the
    products to exist where it is imported.

    Example: backorder orders export --all > orders.json
    """
    from ..services import export as export_service
    from . import render

    if archived and all_:
        raise typer.BadParameter("use --archived or --all, not both", param_hint="'--archived'")
    db = database(ctx)
    which = "archived" if archived else "all" if all_ else "active"
    orders = export_service.iter_export(db, archived=which)
    if format_ == ExportFormat.csv:
        from ..transfer.csv_format import CSV_COLUMNS

        render.write_csv(CSV_COLUMNS, _csv_rows(orders))
    else:
        render.print_export(export_service.export_header(db), orders)
    say(f"Exported {which} orders.")


def _csv_rows(orders):  # type: ignore[no-untyped-def]
    """One CSV row per order line: the order's columns repeated, then the line's."""
    from ..transfer.csv_format import CSV_ORDER_COLUMNS

    for order in orders:
        for line in order["lines"]:
            yield {"order": order["number"], **{k: order[k] for k in CSV_ORDER_COLUMNS}, **line}
