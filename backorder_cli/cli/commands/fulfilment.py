"""`ship`, `invoice` and `ready`: what leaves the warehouse and what is billed."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Annotated, Any

import typer

from ...domain.values import Item, parse_item
from .. import completion
from ..app import EXIT_ERROR, database
from ..bulk import (
    AllOption,
    CustomerOption,
    NumbersArgument,
    nothing_to_do,
    pick_numbers,
    run_batch,
    say_refusals,
    ship_ready_run,
)
from ..options import (
    BulkFormatOption,
    DryRunOption,
    FormatOption,
    NumberArgument,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    check_items,
    cli_value,
    read_format,
)
from ..output.result import print_result
from ..output.text import confirm, counted, ensure_can_ask, say


def ship(
    ctx: typer.Context,
    number: NumberArgument,
    items: Annotated[
        list[Item] | None,
        typer.Argument(
            parser=cli_value(partial(parse_item, with_price=False)),
            callback=check_items,
            metavar="SKU=QTY",
            help="What to ship, as SKU=QTY.",
            autocompletion=completion.items_to_ship,
            show_default=False,
        ),
    ] = None,
    available: Annotated[
        bool,
        typer.Option(
            "--available", help="Ship every remaining quantity that stock on hand covers."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Ship in part an order whose policy is ship-complete (recorded in its history).",
        ),
    ] = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Record a shipment; stock on hand goes down.

    The order's fulfilment policy (its own, else its customer's) then acts on a partial
    shipment, in the same transaction: manual leaves it partially shipped; backorder
    invoices what shipped and moves the rest to a backorder (when the backorder is
    refused, so is the shipment); cancel-rest closes the rest short; ship-complete
    refuses it unless --force.

    Example: backorder ship 2401 CABLE-25=100   or   backorder ship 2401 --available
    """
    from ...domain.orders import Status
    from ...domain.values import quantities_text
    from ...services import fulfilment
    from ..output.records import follow_up_record, follow_up_text

    if available and items:
        raise typer.BadParameter("give SKU=QTY or --available, not both", param_hint="'ITEMS'")
    if not available and not items:
        raise typer.BadParameter(
            "say what to ship: SKU=QTY ..., or --available", param_hint="'ITEMS'"
        )
    requested = None if available else list(items or [])
    result = fulfilment.ship(database(ctx), number, requested, force=force)
    then = follow_up_text(result.then)
    print_result(
        format_,
        {
            "number": result.number,
            "status": result.status,
            "shipped": [{"sku": sku, "quantity": q} for sku, q in result.shipped],
            **follow_up_record(result.then),
        },
        lambda: (
            f"Shipped {quantities_text(result.shipped)} on order #{number} "
            f"(now {Status(result.status).label}).{' ' + then if then else ''}"
        ),
    )


def invoice(
    ctx: typer.Context,
    numbers: NumbersArgument = None,
    all_: AllOption = False,
    customer: CustomerOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: BulkFormatOption = WriteFormat.text,
) -> None:
    """Invoice every shipped, not yet invoiced quantity of orders.

    Each order is invoiced on its own: a refused one is reported and the others go on;
    the exit code is 1 if any was refused. Orders are saved in groups (500 orders or
    100 ms at a time) and each line is printed once its group is saved. --all takes
    every order with shipped, uninvoiced quantities that is not canceled or archived, and
    asks first (an invoice cannot be undone): --yes answers for you, and without a
    terminal it is required. --dry-run shows what each order would be billed and writes
    nothing.

    Example: backorder invoice 2398   or   backorder invoice --all --dry-run
    """
    import itertools

    from ...domain.values import format_money
    from ...services import fulfilment, results
    from ...services import orders as orders_service

    if numbers and numbers[0] in ("list", "show"):  # `invoices list` meant
        raise typer.BadParameter(
            f"'{numbers[0]}' is not an order number - to {numbers[0]} invoices: "
            f"`backorder invoices {' '.join(numbers)}`",
            param_hint="'NUMBERS'",
        )
    asks = all_ and not yes and not dry_run
    if all_ and not dry_run:
        ensure_can_ask(yes)  # before planning: nobody could answer the question
    targets, bulk = pick_numbers(
        numbers,
        all_=all_,
        customer=customer,
        everything=lambda: orders_service.uninvoiced_numbers(database(ctx), customer=customer),
        stdin_needs_yes=False,
    )
    db = database(ctx)
    if not targets:
        nothing_to_do("No orders to invoice.", format_)
        return
    refusals: list[results.InvoiceOutcome] = []
    said: list[int] = []  # refusals shown before the question
    if dry_run or asks:
        previews = list(fulfilment.preview_invoices(db, targets))
        goers = [p for p in previews if isinstance(p, results.InvoicePreview)]
        refusals = [p for p in previews if isinstance(p, results.InvoiceOutcome)]
        if dry_run:
            _print_invoice_dry_run(previews, format_=format_, bulk=bulk)
            if bulk:
                from ...errors import ALREADY_DONE

                already = sum(1 for r in refusals if r.code in ALREADY_DONE)
                done_before = f" ({already:,} already done)" if already else ""  # as the run
                say(
                    f"Dry run: {counted(len(goers), 'order')} would be invoiced, "
                    f"{counted(len(refusals), 'order')} refused{done_before}."
                )
            say("Dry run: nothing was changed.")
            if refusals:
                raise typer.Exit(EXIT_ERROR)
            return
        if goers:
            said = say_refusals(refusals)
            total = sum((p.total for p in goers), Decimal(0))
            orders = "1 order" if len(goers) == 1 else f"{len(goers):,} orders"
            say(
                f"This will invoice {orders} for a total of {format_money(total)}; "
                "an invoice cannot be undone."
            )
            if not confirm("Continue?"):
                raise typer.Abort()  # the boundary says nothing was changed (exit 1)
        targets = [p.order for p in goers]  # the refused are reported from the preview
    outcomes = fulfilment.invoice_orders(db, targets)
    run_batch(
        itertools.chain(refusals, outcomes),
        total=len(targets) + len(refusals),
        label="Invoicing",
        format_=format_,
        bulk=bulk,
        success=lambda o: (
            f"Invoice #{o.invoice} for order #{o.order}: total {format_money(o.total)}"
        ),
        noun="invoice",
        said=said,
        unreported=outcomes.unreported,
    )


def _print_invoice_dry_run(previews: list[Any], *, format_: WriteFormat, bulk: bool) -> None:
    """What `invoice --dry-run` shows: each order's bill on stdout, refusals on stderr."""
    from ...domain.values import format_money, quantities_text
    from ...services import results
    from ..output import json_format
    from ..output.text import tell

    if format_ == WriteFormat.json:
        plans = [
            {
                "order": p.order,
                "ok": True,
                "total": p.total,
                "lines": [{"sku": sku, "quantity": q, "amount": a} for sku, q, a in p.lines],
                "error": None,
                "code": None,
            }
            if isinstance(p, results.InvoicePreview)
            else {
                "order": p.order,
                "ok": False,
                "total": None,
                "lines": [],
                "error": p.error,
                "code": p.code,
            }
            for p in previews
        ]
        json_format.print_json(plans if bulk else plans[0])
        return
    for p in previews:
        if isinstance(p, results.InvoicePreview):
            billed = quantities_text((sku, q) for sku, q, _a in p.lines)
            tell(f"Order #{p.order} would be invoiced {billed}: total {format_money(p.total)}")
        else:
            say(f"Error: {p.error}")


def ready(
    ctx: typer.Context,
    ship: Annotated[
        bool, typer.Option("--ship", help="Record the shipments listed (one question first).")
    ] = False,
    yes: YesOption = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="With --ship: show what would ship; change nothing."),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Then say, on stderr, for each waiting line stock does not cover, which "
            "earlier orders took the stock and when it can ship.",
        ),
    ] = False,
    format_: FormatOption = None,
) -> None:
    """List the waiting orders that stock on hand can now cover; --ship ships them.

    Waiting orders are booked or partially shipped, not archived, with something
    remaining. Stock is allocated to them in a fixed order: backorders first, then the
    order waiting longest, then number. A backorder waits since its chain's first order
    (when the customer ordered, not when the backorder was made): that is its "Waiting
    since" date. Each line, in line order, takes its whole
    remaining quantity if what is left of its SKU covers it, and nothing otherwise, so
    two orders never count the same units. An order with every remaining line covered
    is "full"; with some lines covered, "partial" (the others wait); an order whose
    fulfilment policy is ship-complete is listed only in full. --ship records exactly
    those lines, each order on its own (committed in groups), rechecked against the
    stock as it is then, and the order's policy acts on a partial shipment as `ship` says; a
    refused order is reported and the others go on. --ship asks
    first (--yes answers for you; without a terminal it is required); --ship --dry-run
    lists what would ship and writes nothing.

    Example: backorder ready

    Example: backorder ready --ship --yes

    Example: backorder ready --explain
    """
    from ...services import fulfilment
    from ..output import flat, json_format, records, tables

    if dry_run and not ship:
        raise typer.BadParameter("--dry-run goes with --ship", param_hint="'--dry-run'")
    if ship and not dry_run:
        ensure_can_ask(yes)  # before planning: nobody could answer the question
    fmt = read_format(format_)
    db = database(ctx)
    allocations = fulfilment.ready_orders(db)
    if not allocations:
        say("No waiting order can ship from stock on hand.")
    if not ship or dry_run:
        flat.emit(
            (records.ready_record(a, fmt) for a in allocations),
            records.READY_FIELDS,
            fmt,
            table=tables.ready_table,
            ids_key="number",
            getter=dict.get,
        )
        if dry_run:
            full = sum(1 for a in allocations if a.cover == "full")
            say(
                f"Dry run: {counted(len(allocations), 'order')} would ship, {full:,} in full "
                f"and {len(allocations) - full:,} in part."
            )
            say("Dry run: nothing was changed.")
        if explain:
            from ...services import supply
            from ..output.supply_tables import explanation_text

            for line in supply.explanations(db):
                say(explanation_text(line))
        return
    format_out = WriteFormat.json if fmt == "json" else WriteFormat.text
    if not allocations:
        if format_out == WriteFormat.json:
            json_format.print_json([])  # the message was said above
        return
    full = sum(1 for a in allocations if a.cover == "full")
    if not yes:
        tables.ready_table([records.ready_record(a, "table") for a in allocations], to_stderr=True)
        say(
            f"This will ship {len(allocations)} orders from stock on hand: {full} in full, "
            f"{len(allocations) - full} in part (whole lines only)."
        )
        if not confirm("Continue?"):
            raise typer.Abort()  # the boundary says nothing was changed (exit 1)
    outcomes = fulfilment.ship_ready(db, allocations)
    ship_ready_run(outcomes, total=len(allocations), format_=format_out)


def register(app: typer.Typer) -> None:
    app.command()(ship)
    app.command()(invoice)
    app.command()(ready)
