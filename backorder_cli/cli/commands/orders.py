"""`backorder orders ...` (and the `orders` script): add, book, list, show."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from ...domain.orders import Archived, Status, parse_status
from ...domain.values import Item, parse_count, parse_item, parse_text
from ..app import database
from ..options import (
    FormatOption,
    NumberArgument,
    WriteFormat,
    WriteFormatOption,
    check_items,
    cli_value,
    no_ids,
    read_format,
)
from ..output.result import print_result

if TYPE_CHECKING:
    from ...services.views import OrderSummary


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
    from ...services import orders as orders_service

    number = orders_service.add_order(
        database(ctx), customer=customer, comment=comment, items=items, draft=draft
    )
    status = Status.DRAFT if draft else Status.BOOKED
    print_result(format_, {"number": number, "status": status.value}, str(number))


def book(
    ctx: typer.Context, number: NumberArgument, format_: WriteFormatOption = WriteFormat.text
) -> None:
    """Book a draft order so it can be shipped.

    Example: backorder orders book 2395
    """
    from ...services import orders as orders_service

    status = orders_service.book_order(database(ctx), number)
    print_result(format_, {"number": number, "status": status}, f"Order #{number} is booked.")


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
    from ...services import orders as orders_service
    from ..output import flat, records

    if archived and all_:
        raise typer.BadParameter("use --archived or --all, not both", param_hint="'--archived'")
    rows = orders_service.iter_orders(
        database(ctx),
        statuses=list(status or []),
        archived=Archived.ARCHIVED if archived else Archived.ALL if all_ else Archived.ACTIVE,
        customer=customer,
        search=search,
        limit=limit,
    )
    flat.emit(rows, records.ORDER_FIELDS, read_format(format_), table=_orders_table)


def _orders_table(rows: list[OrderSummary]) -> None:
    from ..output import tables  # Rich's console: only the table (a terminal) needs it

    tables.orders_table(rows)


def show(ctx: typer.Context, number: NumberArgument, format_: FormatOption = None) -> None:
    """Show one order, archived or not: lines, invoices, backorder links and history.

    Example: backorder orders show 2401 --format json
    """
    from ...services import orders as orders_service

    fmt = read_format(format_)
    no_ids(fmt)
    order = orders_service.get_order(database(ctx), number)
    # Each format imports only its own writer.
    if fmt == "json":
        from ..output import json_format

        json_format.print_json(order)
    elif fmt in ("csv", "plain"):
        from ..output import records

        records.order_flat(order, fmt)
    else:
        from ..output import tables

        tables.order_detail(order)


def register(app: typer.Typer) -> None:
    app.command()(add)
    app.command()(book)
    app.command("list")(list_)
    app.command()(show)
