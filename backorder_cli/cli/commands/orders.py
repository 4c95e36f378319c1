"""`backorder orders ...` (and the `orders` script): add, book, list, show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...domain.orders import Archived, Status, parse_status
from ...domain.values import Item, parse_day, parse_item, parse_sku, parse_text
from .. import completion
from ..app import database
from ..options import (
    FormatOption,
    LimitOption,
    NewCustomerOption,
    NoPagerOption,
    NumberArgument,
    OrderAddressOption,
    OrderPolicyOption,
    ReferenceOption,
    WriteFormat,
    WriteFormatOption,
    check_items,
    cli_value,
    no_ids,
    read_format,
    rows_to_show,
    say_more_rows,
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
            metavar="SKU=QTY[@PRICE]",
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
            metavar="NAME",
            autocompletion=completion.customers,
            help="Customer name, found in the register in any case; a new name is registered "
            "(said on stderr), a near miss of a registered one refused.",
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
    address: OrderAddressOption = None,
    reference: ReferenceOption = None,
    policy: OrderPolicyOption = None,
    new_customer: NewCustomerOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Add an order, numbered next in the order series; print its number.

    Example: backorder orders add --customer "Nordic Cables" CABLE-25=2.5 PLUG-3=10@4.95
    """
    from ...services import orders as orders_service
    from ..output.text import say

    placed = orders_service.place_order(
        database(ctx),
        customer=customer,
        comment=comment,
        items=items,
        draft=draft,
        address=address,
        reference=reference,
        policy=policy,
        new_customer=new_customer,
    )
    if placed.customer_created:
        say(f"Registered new customer {placed.customer!r} (see `backorder customers show`).")
    status = Status.DRAFT if draft else Status.BOOKED
    print_result(
        format_,
        {
            "number": placed.number,
            "status": status.value,
            "customer": placed.customer,
            "customer_created": placed.customer_created,
        },
        str(placed.number),
        data=True,
    )


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
            autocompletion=completion.statuses,
            help="Only these statuses (repeatable): draft, booked, partially-shipped, shipped, "
            "invoiced, canceled.",
            show_default=False,
        ),
    ] = None,
    archived: Annotated[bool, typer.Option("--archived", help="Only archived orders.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Archived and not archived orders.")] = False,
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer",
            parser=cli_value(partial(parse_text, what="the text", required=True)),
            help="Customer name contains this text, in any case (indexed; under 3 "
            "characters it reads every order).",
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            parser=cli_value(partial(parse_text, what="the text", required=True)),
            help="Order number, or text in the customer or comment, in any case (indexed; "
            "under 3 characters it reads every order).",
        ),
    ] = None,
    limit: LimitOption = None,
    eta_before: Annotated[
        date | None,
        typer.Option(
            "--eta-before",
            parser=cli_value(partial(parse_day, what="--eta-before")),
            metavar="DATE",
            help="Only waiting orders promised before this day (YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    no_eta: Annotated[
        bool, typer.Option("--no-eta", help="Only waiting orders no known supply covers.")
    ] = False,
    sku: Annotated[
        str | None,
        typer.Option(
            "--sku",
            parser=cli_value(parse_sku),
            metavar="SKU",
            autocompletion=completion.skus,
            help="Only waiting orders with a remaining quantity of this SKU, in the order "
            "stock goes to them.",
            show_default=False,
        ),
    ] = None,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """List orders, newest first: by default those not archived. At a terminal, the
    newest 50 (stderr says how many more; --limit 0 lists all), through a pager. JSON and
    CSV carry each waiting order's ETA (`orders show` explains it).

    Example: orders list --eta-before 2026-12-24 -f csv

    Example: orders list --archived --search 2401
    """
    from ...services import orders as orders_service
    from ..output import flat, records
    from ..output.pager import paged

    if archived and all_:
        raise typer.BadParameter("use --archived or --all, not both", param_hint="'--archived'")
    if eta_before is not None and no_eta:
        raise typer.BadParameter("use --eta-before or --no-eta, not both", param_hint="'--no-eta'")
    fmt = read_format(format_)
    filters: dict[str, Any] = {
        "statuses": list(status or []),
        "archived": Archived.ARCHIVED if archived else Archived.ALL if all_ else Archived.ACTIVE,
        "customer": customer,
        "search": search,
        "eta_before": eta_before,
        "no_eta": no_eta,
        "sku": sku,
    }
    shown = rows_to_show(limit)
    # Only JSON and CSV show the ETA: the other formats never make the allocation
    # unless a filter on it asks for it.
    with_eta = fmt in ("json", "csv")
    rows = orders_service.iter_orders(database(ctx), limit=shown, with_eta=with_eta, **filters)
    with paged(enabled=not no_pager):
        flat.emit(
            rows,
            records.ORDER_ETA_FIELDS if with_eta else records.ORDER_FIELDS,
            fmt,
            table=_orders_table,
            stream_table=True,
        )
    say_more_rows(
        limit,
        shown,
        lambda: orders_service.count_listed_orders(database(ctx), **filters),
        "orders",
        "first in line" if sku is not None else "newest",
    )


def _orders_table(rows: Iterable[OrderSummary]) -> int:
    from ..output import tables  # Rich's console: only the table (a terminal) needs it

    return tables.orders_table(rows)


def show(
    ctx: typer.Context,
    number: NumberArgument,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Show one order, archived or not: lines, invoices, backorder links and history
    (through a pager at a terminal).

    Example: backorder orders show 2401 --format json
    """
    from ...services import orders as orders_service

    fmt = read_format(format_)
    no_ids(fmt)
    from ..output.pager import paged

    order = orders_service.get_order(database(ctx), number)
    with paged(enabled=not no_pager):
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
