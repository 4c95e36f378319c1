"""`create`, `undo` and `chain`: making backorders, taking them back, their lineage."""

from __future__ import annotations

import itertools
from functools import partial
from typing import Annotated, Any

import typer

from ...domain.values import parse_text
from .. import completion
from ..app import EXIT_ERROR, database
from ..bulk import CustomerOption, nothing_to_do, pick_numbers, run_batch, say_refusals
from ..options import (
    BulkFormatOption,
    DryRunOption,
    FormatOption,
    NumberArgument,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    cli_value,
    read_format,
)
from ..output.result import print_result
from ..output.text import confirm, counted, ensure_can_ask, say


def create(
    ctx: typer.Context,
    numbers: Annotated[
        list[str] | None,
        typer.Argument(
            help="Order numbers, or - to read them from stdin (needs --yes).",
            show_default=False,
            autocompletion=completion.order_numbers,
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Every partially shipped order not canceled or archived."),
    ] = False,
    customer: CustomerOption = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Do not ask for confirmation (needed when stdin is not a terminal)."
        ),
    ] = False,
    invoice_first: Annotated[
        bool,
        typer.Option(
            "--invoice", help="Invoice shipped, uninvoiced items first (same transaction)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    format_: BulkFormatOption = WriteFormat.text,
) -> None:
    """Create backorders: move what was not delivered to a new order.

    The undelivered quantities are canceled on the partially shipped order, which
    becomes canceled and archived, and a new order, numbered next, holds them. Each
    order is all-or-nothing on its own: a refused order is reported and the others go
    on; the exit code is 1 if any was refused. Orders are saved in groups (500 orders or
    100 ms at a time) and each line is printed once its group is saved. Rerunning is
    safe: orders already done are refused with the code already_backordered. It asks
    first, showing the plan and the refusals it already knows (--yes answers for you;
    without a terminal it is required).

    Example: backorder create 2401

    Example: orders list -s partially-shipped -f ids | backorder create - --yes --invoice
    """
    from ...domain.backorders import confirmation_text
    from ...services import backorders as backorders_service
    from ...services import orders as orders_service
    from ...services import results
    from ..output import tables

    if not dry_run:
        ensure_can_ask(yes)  # before planning: nobody could answer the question
    targets, bulk = pick_numbers(
        numbers,
        all_=all_,
        customer=customer,
        everything=lambda: orders_service.partially_shipped_numbers(
            database(ctx), customer=customer
        ),
        stdin_needs_yes=not yes and not dry_run,
    )
    db = database(ctx)
    if not targets:
        nothing_to_do("No partially shipped orders to backorder.", format_)
        return

    refusals: list[Any] = []
    said: list[int] = []  # refusals shown with the plan, before the question
    shown: dict[int, Any] | None = None  # the plans confirmed: the run must do exactly these
    if dry_run or not yes:
        previews = list(
            backorders_service.preview_backorders(db, targets, invoice_first=invoice_first)
        )
        goers = [p for p in previews if isinstance(p, results.BackorderPreview)]
        refusals = [p for p in previews if not isinstance(p, results.BackorderPreview)]
        if dry_run:
            _print_dry_run(previews, format_=format_, bulk=bulk)
            if bulk:
                say(
                    f"Dry run: {counted(len(goers), 'backorder')} would be created, "
                    f"{counted(len(refusals), 'order')} refused."
                )
            say("Dry run: nothing was changed.")
            if refusals:
                raise typer.Exit(EXIT_ERROR)
            return
        for preview in previews:
            if isinstance(preview, results.BackorderPreview):
                tables.backorder_plan(preview, to_stderr=True)
        if not goers:  # every order refused: nothing to ask
            run_batch(
                refusals,
                total=len(refusals),
                label="Creating backorders",
                format_=format_,
                bulk=bulk,
                success=str,
                noun="backorder",
            )
        said = say_refusals(refusals)  # known before the question: said with the plan
        if len(goers) == 1:
            say(confirmation_text(goers[0].number))
        else:
            listed = ", ".join(f"#{p.number}" for p in goers)
            say(
                f"This will cancel orders no. {listed} "
                "and create new ones for the undelivered items."
            )
        if not confirm("Continue?"):
            raise typer.Abort()  # the boundary says nothing was changed (exit 1)
        targets = [p.number for p in goers]
        shown = {p.number: p for p in goers}

    outcomes = backorders_service.create_backorders(
        db, targets, invoice_first=invoice_first, expected=shown
    )
    run_batch(
        itertools.chain(refusals, outcomes),
        total=len(targets) + len(refusals),
        label="Creating backorders",
        format_=format_,
        bulk=bulk,
        success=_created_text,
        noun="backorder",
        said=said,
        unreported=outcomes.unreported,
    )


def _created_text(outcome: Any) -> str:
    from ...domain.values import format_money

    n = outcome.order
    text = (
        f"Backorder #{outcome.backorder} created with the undelivered items of order #{n}; "
        f"order #{n} is canceled and archived."
    )
    if outcome.invoice is not None:
        total = format_money(outcome.invoice_total)
        text = f"Invoice #{outcome.invoice} for order #{n}: total {total}\n{text}"
    return text


def _print_dry_run(previews: list[Any], *, format_: WriteFormat, bulk: bool) -> None:
    from ...services import results
    from ..output import json_format, tables

    if format_ == WriteFormat.json:
        plans = []
        for p in previews:
            if isinstance(p, results.BackorderPreview):
                plans.append(
                    {
                        "order": p.number,
                        "ok": True,
                        "backorder": p.next_number,
                        "error": None,
                        "lines": [
                            {"sku": m.sku, "quantity": m.quantity, "unit_price": m.unit_price}
                            for m in p.moves
                        ],
                        "invoice_first": [
                            {"sku": sku, "quantity": q, "amount": a} for sku, q, a in p.to_invoice
                        ],
                    }
                )
            else:
                plans.append(
                    {
                        "order": p.order,
                        "ok": False,
                        "backorder": None,
                        "error": p.error,
                        "code": p.code,
                    }
                )
        json_format.print_json(plans if bulk else plans[0])
        return
    for p in previews:
        if isinstance(p, results.BackorderPreview):
            tables.backorder_plan(p, to_stderr=False)
        else:
            say(f"Error: {p.error}")


def undo(
    ctx: typer.Context,
    number: NumberArgument,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            parser=cli_value(partial(parse_text, what="reason", required=True, limit=200)),
            help="Why: goes into the backorder's comment.",
        ),
    ] = "made by mistake",
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Undo a backorder made by mistake: its items go back to the order it came from.

    Only while the backorder has no shipment and no invoice. The original order gets
    its canceled quantities back, leaves the archive and is partially shipped again;
    the backorder becomes canceled and archived, with a comment saying why, and is no
    longer a backorder of the original. Both histories record it. It asks first
    (--yes answers for you; without a terminal it is required); --dry-run shows what
    would go back and writes nothing.

    Example: backorder undo 2402
    """
    from ...domain.backorders import undo_confirmation_text
    from ...domain.values import quantities_text
    from ...services import undo as undo_service
    from ..output import tables

    if not dry_run:
        ensure_can_ask(yes)  # before planning: nobody could answer the question
    db = database(ctx)
    if dry_run:
        _print_undo_dry_run(undo_service.preview_undo(db, number), format_)
        return
    preview = None  # what was confirmed: the undo must do exactly that
    if not yes:
        preview = undo_service.preview_undo(db, number)
        moved = quantities_text(preview.lines)
        say(
            f"Backorder #{preview.number} ({preview.customer}): {moved} go back to order "
            f"#{preview.origin}."
        )
        say(undo_confirmation_text(preview.number, preview.origin))
        if not confirm("Continue?"):
            raise typer.Abort()  # the boundary says nothing was changed (exit 1)
    result = undo_service.undo_backorder(db, number, reason=reason, expected=preview)
    print_result(
        format_,
        {
            "number": result.number,
            "origin": result.origin,
            "origin_status": result.origin_status,
            "lines": [{"sku": sku, "quantity": q} for sku, q in result.lines],
        },
        lambda: (
            f"Backorder #{result.number} undone: its items are back on order #{result.origin} "
            f"(now {tables.status_label(result.origin_status)}); #{result.number} is canceled "
            "and archived."
        ),
    )


def _print_undo_dry_run(preview: Any, format_: WriteFormat) -> None:
    from ...domain.values import quantities_text

    print_result(
        format_,
        {
            "number": preview.number,
            "origin": preview.origin,
            "customer": preview.customer,
            "lines": [{"sku": sku, "quantity": q} for sku, q in preview.lines],
        },
        lambda: (
            f"Backorder #{preview.number} ({preview.customer}): {quantities_text(preview.lines)} "
            f"would go back to order #{preview.origin}."
        ),
        data=True,  # what a dry run shows is its output, as `create --dry-run`'s plan
    )
    say("Dry run: nothing was changed.")


def chain(ctx: typer.Context, number: NumberArgument, format_: FormatOption = None) -> None:
    """Draw the backorder chain an order belongs to, from the first order to the last
    backorder, with each order's status and what it still waits for.

    Example: backorder chain 2391
    """
    from ...services import undo as undo_service
    from ..output import flat, records, tables

    fmt = read_format(format_)
    links = undo_service.order_chain(database(ctx), number)
    flat.emit(
        (records.chain_record(link, fmt) for link in links),
        records.CHAIN_FIELDS,
        fmt,
        table=lambda rows: tables.chain_tree(rows, number),
        ids_key="number",
        getter=dict.get,
    )


def register(app: typer.Typer) -> None:
    app.command()(create)
    app.command()(undo)
    app.command()(chain)
