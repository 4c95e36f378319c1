"""After the backorder: what can ship now, undo, lineage, the backorder report, the log."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import partial
from typing import Annotated

import typer

from ..domain.values import parse_day, parse_order_number, parse_text
from .app import (
    EXIT_ERROR,
    FormatOption,
    NumberArgument,
    WriteFormat,
    WriteFormatOption,
    choice,
    cli_value,
    confirm,
    database,
    no_ids,
    read_format,
    say,
    tell,
)
from .workflow import outcome_summary, report_outcomes, with_progress

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def ready(
    ctx: typer.Context,
    ship: Annotated[
        bool, typer.Option("--ship", help="Record the shipments listed (one question first).")
    ] = False,
    yes: YesOption = False,
    format_: FormatOption = None,
) -> None:
    """List the waiting orders that stock on hand can now cover; --ship ships them.

    Waiting orders are booked or partially shipped, not archived, with something
    remaining. Stock is allocated to them in a fixed order: backorders first, then the
    oldest order (by creation, then number). Each line, in line order, takes its whole
    remaining quantity if what is left of its SKU covers it, and nothing otherwise, so
    two orders never count the same units. An order with every remaining line covered
    is "full"; with some lines covered, "partial" (the others wait). --ship records
    exactly those lines, each order in its own transaction, rechecked against the stock
    as it is then; a refused order is reported and the others go on.

    Example: backorder ready

    Example: backorder ready --ship --yes
    """
    from ..services import fulfilment
    from . import render

    fmt = read_format(format_)
    db = database(ctx)
    allocations = fulfilment.ready_orders(db)
    if not allocations:
        say("No waiting order can ship from stock on hand.")
    if not ship:
        render.emit(
            (render.ready_record(a, fmt) for a in allocations),
            render.READY_FIELDS,
            fmt,
            table=render.ready_table,
            ids_key="number",
            getter=dict.get,
        )
        return
    format_out = WriteFormat.json if fmt == "json" else WriteFormat.text
    if not allocations:
        if format_out == WriteFormat.json:
            render.print_json([])
        return
    full = sum(1 for a in allocations if a.cover == "full")
    if not yes:
        render.ready_table([render.ready_record(a, "table") for a in allocations], to_stderr=True)
        say(
            f"This will ship {len(allocations)} orders from stock on hand: {full} in full, "
            f"{len(allocations) - full} in part (whole lines only)."
        )
        if not confirm("Continue?"):
            say("Aborted: nothing was changed.")
            raise typer.Exit(EXIT_ERROR)
    outcomes = with_progress(fulfilment.ship_ready(db, allocations), len(allocations), "Shipping")
    refused = report_outcomes(
        outcomes,
        format_=format_out,
        bulk=True,
        success=render.shipped_text,
        summary=lambda done, refused: outcome_summary(done, refused, "order", verb="shipped"),
    )
    say(outcome_summary(len(allocations) - refused, refused, "order", verb="shipped"))
    if refused:
        raise typer.Exit(EXIT_ERROR)


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
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Undo a backorder made by mistake: its items go back to the order it came from.

    Only while the backorder has no shipment and no invoice. The original order gets
    its canceled quantities back, leaves the archive and is partially shipped again;
    the backorder becomes canceled and archived, with a comment saying why, and is no
    longer a backorder of the original. Both histories record it.

    Example: backorder undo 2402
    """
    from ..domain.backorders import undo_confirmation_text
    from ..domain.values import quantities_text
    from ..services import undo as undo_service
    from . import render

    db = database(ctx)
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
            say("Aborted: nothing was changed.")
            raise typer.Exit(EXIT_ERROR)
    result = undo_service.undo_backorder(db, number, reason=reason, expected=preview)
    if format_ == WriteFormat.json:
        render.print_json(result)
        return
    tell(
        f"Backorder #{result.number} undone: its items are back on order #{result.origin} "
        f"(now {render.status_label(result.origin_status)}); #{result.number} is canceled "
        "and archived."
    )


def chain(ctx: typer.Context, number: NumberArgument, format_: FormatOption = None) -> None:
    """Draw the backorder chain an order belongs to, from the first order to the last
    backorder, with each order's status and what it still waits for.

    Example: backorder chain 2391
    """
    from ..services import undo as undo_service
    from . import render

    fmt = read_format(format_)
    links = undo_service.order_chain(database(ctx), number)
    render.emit(
        (render.chain_record(link, fmt) for link in links),
        render.CHAIN_FIELDS,
        fmt,
        table=lambda rows: render.chain_tree(rows, number),
        ids_key="number",
        getter=dict.get,
    )


class ReportBy(StrEnum):
    sku = "sku"
    customer = "customer"
    age = "age"


def report(
    ctx: typer.Context,
    by: Annotated[
        ReportBy,
        typer.Option(
            "--by",
            parser=choice(ReportBy),
            help="sku (with stock and shortfall), customer or age.",
        ),
    ] = ReportBy.sku,
    as_of: Annotated[
        date | None,
        typer.Option(
            "--as-of",
            parser=cli_value(partial(parse_day, what="")),
            metavar="YYYY-MM-DD",
            help="Count ages as of this day (YYYY-MM-DD, UTC); default today.",
        ),
    ] = None,
    format_: FormatOption = None,
) -> None:
    """Report the open backordered quantities: per SKU with stock on hand and the
    shortfall (what to buy), per customer, or by age.

    Open means: on a backorder that is booked or partially shipped and not archived,
    neither shipped nor canceled. Value is quantity times unit price. The shortfall of
    a SKU is what its open backorders need beyond stock on hand. Ages are whole days
    since the backorder was made: 0-7, 8-30, 31-90, over 90.

    Example: backorder report --by sku
    """
    from ..services import reports
    from . import render

    fmt = read_format(format_)
    no_ids(fmt)
    rows = reports.backorder_report(database(ctx), by=by.value, today=as_of)
    fields = render.REPORT_FIELDS[by.value]
    render.emit(
        (render.report_record(r, by.value) for r in rows),
        fields,
        fmt,
        table=lambda records: render.report_table(records, fields),
        getter=dict.get,
    )


def log(
    ctx: typer.Context,
    order: Annotated[
        int | None,
        typer.Option(
            "--order",
            parser=cli_value(parse_order_number),
            metavar="NUMBER",
            help="Only this order's history.",
        ),
    ] = None,
    since: Annotated[
        date | None,
        typer.Option(
            "--since",
            parser=cli_value(partial(parse_day, what="")),
            metavar="YYYY-MM-DD",
            help="Only changes from this day on (YYYY-MM-DD).",
        ),
    ] = None,
    format_: FormatOption = None,
) -> None:
    """Show the history of every change, oldest first: when (UTC), who (the OS user),
    which order, what. Streams, however long the history.

    Example: backorder log --since 2026-11-01 --format csv
    """
    from ..services import reports
    from . import render

    fmt = read_format(format_)
    no_ids(fmt)
    entries = reports.iter_log(database(ctx), order=order, since=since)
    render.emit(entries, render.LOG_FIELDS, fmt, table=render.log_table)
