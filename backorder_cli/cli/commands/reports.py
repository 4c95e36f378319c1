"""`report` and `log`: what is owed, and the history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated

import typer

from ...domain.backorders import ReportBy
from ...domain.values import parse_day, parse_interval, parse_order_number
from .. import completion
from ..app import database
from ..options import (
    FormatOption,
    NoPagerOption,
    choice,
    cli_value,
    no_ids,
    read_format,
)


def report(
    ctx: typer.Context,
    by: Annotated[
        ReportBy,
        typer.Option(
            "--by",
            parser=choice(ReportBy),
            help="sku (with stock and shortfall), customer or age.",
        ),
    ] = ReportBy.SKU,
    as_of: Annotated[
        date | None,
        typer.Option(
            "--as-of",
            parser=cli_value(partial(parse_day, what="")),
            metavar="DATE",
            help="Report as of this day (YYYY-MM-DD, UTC): ages count to it, and later "
            "backorders are left out; default today.",
        ),
    ] = None,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Report the open backordered quantities: per SKU with stock on hand and the
    shortfall (what to buy), per customer, or by age.

    Open means: on a backorder that is booked or partially shipped and not archived,
    neither shipped nor canceled. Value is quantity times unit price. The shortfall of
    a SKU is what its open backorders need beyond stock on hand. Ages ("Oldest (days)"
    and --by age) are whole days since the first order of the backorder's chain, when
    the customer ordered: 0-7, 8-30, 31-90, over 90. With --as-of, backorders made
    after that day are left out (they did not exist yet).

    Example: backorder report --by sku
    """
    from ...services import reports
    from ..output import flat, tables
    from ..output import records as records_render

    fmt = read_format(format_)
    no_ids(fmt)
    from ..output.pager import paged

    rows = reports.backorder_report(database(ctx), by=by, today=as_of)
    fields = records_render.REPORT_FIELDS[by.value]
    with paged(enabled=not no_pager):
        flat.emit(
            (records_render.report_record(r, by.value) for r in rows),
            fields,
            fmt,
            table=lambda records: tables.report_table(records, fields),
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
            autocompletion=completion.order_numbers,
        ),
    ] = None,
    since: Annotated[
        date | None,
        typer.Option(
            "--since",
            parser=cli_value(partial(parse_day, what="")),
            metavar="DATE",
            help="Only changes from this day on (YYYY-MM-DD).",
        ),
    ] = None,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="After the history, keep printing new changes as they are saved, until "
            "Ctrl-C (or the reader of a pipe goes away). With --format json: one object "
            "per line (JSON lines); a table becomes one line per change.",
        ),
    ] = False,
    interval: Annotated[
        Decimal | None,
        typer.Option(
            "--interval",
            parser=cli_value(parse_interval),
            metavar="SECONDS",
            help="With --follow: how often to look for new changes (default 1).",
            show_default=False,
        ),
    ] = None,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Show the history of every change, oldest first: when (UTC), who (the OS user),
    which order, what. Streams, however long the history: rows show at once, through a
    pager at a terminal.

    With --follow it keeps going: every change saved afterwards, by any user or process,
    is printed as it comes (looked for every --interval seconds, reading only), so a
    script can react to it, e.g. `backorder log --follow -f json | ./notify.sh`.

    Example: backorder log --since 2026-11-01 --format csv
    """
    from ...services import reports
    from ..output import flat, tables
    from ..output import records as records_render

    fmt = read_format(format_)
    no_ids(fmt)
    if interval is not None and not follow:
        raise typer.BadParameter("only goes with --follow", param_hint="'--interval'")
    if follow:
        from ...services.follow import DEFAULT_INTERVAL, follow_log
        from ..output.following import wait_watching_stdout, write_following

        following = follow_log(
            database(ctx),
            order=order,
            since=since,
            interval=interval or DEFAULT_INTERVAL,
            wait=wait_watching_stdout,
        )
        write_following(following, records_render.LOG_FIELDS, fmt)
        return
    from ..output.pager import paged

    entries = reports.iter_log(database(ctx), order=order, since=since)
    with paged(enabled=not no_pager):
        flat.emit(
            entries,
            records_render.LOG_FIELDS,
            fmt,
            table=lambda rows: tables.log_table(
                rows, highest_order=order or reports.highest_order_number(database(ctx))
            ),
            stream_table=True,
        )


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(log)
