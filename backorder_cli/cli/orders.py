"""`backorder orders ...`, also installed as the `orders` script."""

from __future__ import annotations

from typing import Annotated

import typer

from .base import Format, FormatOption, NumberArgument, database


def add(
    ctx: typer.Context,
    items: Annotated[
        list[str],
        typer.Argument(
            help="Lines as SKU=QTY or SKU=QTY@PRICE (price defaults to the product's).",
            show_default=False,
        ),
    ],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer name.")],
    comment: Annotated[str, typer.Option("--comment", help="Free text shown on the order.")] = "",
    draft: Annotated[bool, typer.Option("--draft", help="Save as a draft, to book later.")] = False,
) -> None:
    """Add an order, numbered next in the order series; print its number.

    Example: backorder orders add --customer "Nordic Cables" CABLE-25=2.5 PLUG-3=10@4.95
    """
    from .. import services
    from ..domain import parse_items

    number = services.add_order(
        database(ctx), customer=customer, comment=comment, items=parse_items(items), draft=draft
    )
    typer.echo(number)


def book(ctx: typer.Context, number: NumberArgument) -> None:
    """Book a draft order so it can be shipped.

    Example: backorder orders book 2403
    """
    from .. import services

    services.book_order(database(ctx), number)
    typer.echo(f"Order #{number} is booked.")


def list_(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            "-s",
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
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
    format_: FormatOption = Format.table,
) -> None:
    """List orders, newest first: by default those not archived.

    Example: orders list --archived --search 2401
    """
    from .. import services
    from ..domain import parse_status
    from . import render

    if archived and all_:
        raise typer.BadParameter("use --archived or --all, not both", param_hint="'--archived'")
    statuses = [parse_status(s) for s in status or []]
    rows = services.list_orders(
        database(ctx),
        statuses=statuses,
        archived="archived" if archived else "all" if all_ else "active",
        customer=customer,
        search=search,
        limit=limit,
    )
    if format_ == Format.json:
        render.print_json(rows)
    else:
        render.orders_table(rows)


def show(ctx: typer.Context, number: NumberArgument, format_: FormatOption = Format.table) -> None:
    """Show one order, archived or not: lines, invoices, backorder links and history.

    Example: backorder orders show 2401 --format json
    """
    from .. import services
    from . import render

    order = services.get_order(database(ctx), number)
    if format_ == Format.json:
        render.print_json(order)
    else:
        render.order_detail(order)


def register(app: typer.Typer) -> None:
    app.command()(add)
    app.command()(book)
    app.command("list")(list_)
    app.command()(show)
