"""`backorder purchases ...`: incoming supply (add, list, show, receive, edit, cancel)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

import typer

from ...domain.supply import parse_purchase_number
from ...domain.values import Item, parse_day, parse_item, parse_sku, parse_text
from ..app import database, make_app
from ..options import (
    FormatOption,
    NoPagerOption,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    check_items,
    cli_value,
    no_ids,
    read_format,
)
from ..output.result import print_result

PurchaseArgument = Annotated[
    int,
    typer.Argument(
        parser=cli_value(parse_purchase_number),
        metavar="NUMBER",
        help="The purchase number, e.g. 7 or #7.",
        show_default=False,
    ),
]


ExpectedOption = Annotated[
    date,
    typer.Option(
        "--expected",
        parser=cli_value(partial(parse_day, what="expected date")),
        metavar="DATE",
        help="The day the supplier promised it, as YYYY-MM-DD.",
        show_default=False,
    ),
]


PURCHASE_FIELDS = ["number", "supplier", "expected", "status", "open"]


def purchases_add(
    ctx: typer.Context,
    items: Annotated[
        list[Item],
        typer.Argument(
            parser=cli_value(parse_item),
            callback=check_items,
            metavar="ITEMS",
            help="Lines as SKU=QTY or SKU=QTY@COST (unit cost; 0 when left out).",
            show_default=False,
        ),
    ],
    supplier: Annotated[
        str,
        typer.Option(
            "--supplier",
            parser=cli_value(partial(parse_text, what="supplier", required=True, limit=200)),
            help="Who it is bought from.",
        ),
    ],
    expected: ExpectedOption,
    comment: Annotated[
        str,
        typer.Option(
            "--comment",
            parser=cli_value(partial(parse_text, what="comment")),
            help="Free text shown on the purchase.",
        ),
    ] = "",
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Add a purchase (incoming supply), numbered next in the purchase series; print its
    number.

    Example: backorder purchases add --supplier "Kabel AB" --expected 2026-12-01 SWITCH-1=40@7.10
    """
    from ...services import purchases

    number = purchases.add_purchase(
        database(ctx), supplier=supplier, expected=expected, items=items, comment=comment
    )
    print_result(format_, {"number": number, "status": "open"}, str(number), data=True)


def purchases_list(
    ctx: typer.Context,
    open_: Annotated[
        bool, typer.Option("--open", help="Only purchases with something still to come (default).")
    ] = False,
    all_: Annotated[bool, typer.Option("--all", help="Received and canceled ones too.")] = False,
    supplier: Annotated[
        str | None, typer.Option("--supplier", help="Supplier name contains this text.")
    ] = None,
    sku: Annotated[
        str | None,
        typer.Option("--sku", parser=cli_value(parse_sku), help="Only purchases of this SKU."),
    ] = None,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """List purchases, soonest expected first: by default those still open (through a
    pager at a terminal).

    Example: backorder purchases list --sku SWITCH-1
    """
    from ...services import purchases
    from ..output import flat, supply_tables
    from ..output.pager import paged

    if open_ and all_:
        raise typer.BadParameter("use --open or --all, not both", param_hint="'--open'")
    rows = purchases.list_purchases(database(ctx), all_=all_, supplier=supplier, sku=sku)
    with paged(enabled=not no_pager):
        flat.emit(rows, PURCHASE_FIELDS, read_format(format_), table=supply_tables.purchases_table)


def purchases_show(
    ctx: typer.Context,
    number: PurchaseArgument,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Show one purchase: its lines (ordered, received, canceled, open), expected date and
    history (through a pager at a terminal).

    Example: backorder purchases show 3 --format json
    """
    from ...services import purchases
    from ..output import flat, json_format, supply_tables

    fmt = read_format(format_)
    no_ids(fmt)
    detail = purchases.get_purchase(database(ctx), number)
    if fmt == "json":
        json_format.print_json(detail)
    elif fmt in ("csv", "plain"):
        fields = ["sku", "ordered", "received", "canceled", "open", "unit_cost"]
        rows = flat.records(detail.lines, fields)
        (flat.write_csv if fmt == "csv" else flat.write_plain)(fields, rows)
    else:
        from ..output.pager import paged

        with paged(enabled=not no_pager):
            supply_tables.purchase_detail(detail)


def purchases_receive(
    ctx: typer.Context,
    number: PurchaseArgument,
    items: Annotated[
        list[Item] | None,
        typer.Argument(
            parser=cli_value(partial(parse_item, with_price=False)),
            callback=check_items,
            metavar="ITEMS",
            help="What arrived, as SKU=QTY (everything still open when left out).",
            show_default=False,
        ),
    ] = None,
    ship: Annotated[
        bool,
        typer.Option("--ship", help="Then ship the waiting orders it covers (one question first)."),
    ] = False,
    yes: YesOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Receive a purchase: stock on hand goes up, the purchase records it; then list the
    waiting orders stock now covers, as `backorder ready` does (--ship ships them).

    Example: backorder purchases receive 3 SWITCH-1=40   or   backorder purchases receive 3 --ship
    """
    from ...domain.values import quantities_text
    from ...errors import NotAllowed
    from ...services import fulfilment, purchases
    from ..bulk import ship_ready_run
    from ..output import flat, json_format, records, tables
    from ..output.text import confirm, ensure_can_ask, say

    if ship:
        ensure_can_ask(yes)  # before the receipt: nobody could answer the question
    db = database(ctx)
    try:
        change = purchases.receive_purchase(db, number, None if not items else list(items))
    except NotAllowed as exc:
        if not ship or exc.code != "purchase_not_open":
            raise
        # Most likely the rerun of a `receive --ship` that stopped while shipping: its
        # receipt is saved, and what finishes it is `ready --ship`.
        raise NotAllowed(
            f"{exc.message}; to ship the waiting orders stock on hand covers: "
            "`backorder ready --ship`",
            code=exc.code,
        ) from None
    allocations = fulfilment.ready_orders(db)
    text = f"Received {quantities_text(change.lines)} on purchase #{number} (now {change.status})."
    if format_ == WriteFormat.json and not ship:
        json_format.print_json(
            {
                "number": number,
                "status": change.status,
                "received": [{"sku": s, "quantity": q} for s, q in change.lines],
                "ready": [records.ready_record(a, "json") for a in allocations],
            }
        )
        return
    say(text)  # a confirmation: data (the ready listing, JSON) goes to stdout
    if not allocations:
        say("No waiting order can ship from stock on hand.")
        if format_ == WriteFormat.json:
            json_format.print_json([])
        return
    if not ship:
        say("These waiting orders can ship now (`backorder ready --ship` ships them):")
        fmt = read_format(None)
        flat.emit(
            (records.ready_record(a, fmt) for a in allocations),
            records.READY_FIELDS,
            fmt,
            table=tables.ready_table,
            ids_key="number",
            getter=dict.get,
        )
        return
    full = sum(1 for a in allocations if a.cover == "full")
    if not yes:
        tables.ready_table([records.ready_record(a, "table") for a in allocations], to_stderr=True)
        say(
            f"This will ship {len(allocations)} orders from stock on hand: {full} in full, "
            f"{len(allocations) - full} in part (whole lines only)."
        )
        if not confirm("Continue?"):
            say(f"Nothing was shipped; the receipt on purchase #{number} is saved.")
            raise typer.Exit(1)
    # The objects of `ready --ship -f json`, with what each order's policy did. Stopped,
    # it is not rerun (the receipt is saved: receiving again is refused, or receives
    # twice); `ready --ship` ships what is still covered.
    ship_ready_run(
        fulfilment.ship_ready(db, allocations),
        total=len(allocations),
        format_=format_,
        finish=(
            f"the receipt on purchase #{number} is saved: run `backorder ready --ship` to finish"
        ),
    )


def purchases_edit(
    ctx: typer.Context,
    number: PurchaseArgument,
    expected: ExpectedOption,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Move a purchase's expected date (the supplier moved it).

    Example: backorder purchases edit 3 --expected 2026-12-15
    """
    from ...services import purchases

    before = purchases.move_purchase(database(ctx), number, expected)
    print_result(
        format_,
        {"number": number, "expected": expected, "was": before},
        f"Purchase #{number} is now expected {expected.isoformat()} (was {before.isoformat()}).",
    )


def purchases_cancel(
    ctx: typer.Context,
    number: PurchaseArgument,
    skus: Annotated[
        list[str] | None,
        typer.Argument(
            parser=cli_value(parse_sku),
            metavar="SKU",
            help="Only these lines (all that is still open when left out).",
            show_default=False,
        ),
    ] = None,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Cancel what of a purchase will never come (named SKUs, or all still open).

    Example: backorder purchases cancel 3 PLUG-3
    """
    from ...domain.values import quantities_text
    from ...services import purchases

    change = purchases.cancel_purchase(database(ctx), number, list(skus or []))
    print_result(
        format_,
        {
            "number": number,
            "status": change.status,
            "canceled": [{"sku": s, "quantity": q} for s, q in change.lines],
        },
        f"Canceled {quantities_text(change.lines)} on purchase #{number} (now {change.status}).",
    )


def register(app: typer.Typer) -> None:
    purchases = make_app(help="Purchases: supply ordered from suppliers, and its arrival.")
    purchases.command("add")(purchases_add)
    purchases.command("list")(purchases_list)
    purchases.command("show")(purchases_show)
    purchases.command("receive")(purchases_receive)
    purchases.command("edit")(purchases_edit)
    purchases.command("cancel")(purchases_cancel)
    app.add_typer(purchases, name="purchases")
