"""`credit`, and `invoices list` / `invoices show`: credit notes, and the invoices they
give back."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from ...domain.credits import parse_invoice_number
from ...domain.values import Item, parse_item, parse_order_number, parse_text
from .. import completion
from ..app import database
from ..options import (
    DryRunOption,
    FormatOption,
    LimitOption,
    NoPagerOption,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    check_items,
    cli_value,
    no_ids,
    read_format,
    rows_to_show,
    say_more_rows,
)
from ..output.result import print_result
from ..output.text import confirm, ensure_can_ask, say

if TYPE_CHECKING:
    from ...services.results import CreditPreview, CreditResult

InvoiceArgument = Annotated[
    int,
    typer.Argument(
        parser=cli_value(parse_invoice_number),
        metavar="INVOICE",
        help="The invoice number, e.g. 7 or #7.",
        show_default=False,
        autocompletion=completion.invoice_numbers,
    ),
]


def credit(
    ctx: typer.Context,
    invoice: InvoiceArgument,
    items: Annotated[
        list[Item] | None,
        typer.Argument(
            parser=cli_value(partial(parse_item, with_price=False)),
            callback=check_items,
            metavar="[SKU=QTY]...",
            help="What to credit, as SKU=QTY; all that is left of the invoice when none.",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            parser=cli_value(partial(parse_text, what="reason", limit=200)),
            help="Why: kept on the credit note and in the order's history.",
        ),
    ] = "",
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Credit an invoice: a credit note, numbered next in the invoice series, gives back
    the named quantities (all that is left of the invoice when none are named).

    Each credited line gives back its share of what the invoice billed for it, so an
    invoice and its credit notes add up to the cent. The order's invoiced quantities go
    down by what is credited; a canceled order can be credited too. Never more than the
    invoice billed, less earlier credit notes.

    Example: backorder credit 7 CABLE-25=10 --reason "damaged in transport"
    """
    from ...services import invoices as invoices_service
    from ..output import json_format
    from ..output.invoices import credit_plan

    ensure_can_ask(yes or dry_run)
    db = database(ctx)
    requested = list(items) if items else None
    preview = None  # what was confirmed: the credit must give back exactly that
    if dry_run or not yes:
        preview = invoices_service.preview_credit(db, invoice, requested)
        if dry_run:
            if format_ == WriteFormat.json:
                json_format.print_json(_preview_json(preview, reason))
            else:
                credit_plan(preview, to_stderr=False)
            say("Dry run: nothing was changed.")
            return
        credit_plan(preview, to_stderr=True)
        if not confirm("Continue?"):
            raise typer.Abort()  # the boundary says nothing was changed (exit 1)
    result = invoices_service.credit_invoice(
        db, invoice, requested, reason=reason, expected=preview
    )
    print_result(
        format_,
        {
            "number": result.number,
            "credit_of": result.invoice,
            "order": result.order,
            "order_status": result.order_status,
            "reason": result.reason,
            "total": result.total,
            "lines": [{"sku": s, "quantity": q, "amount": a} for s, q, a in result.lines],
        },
        lambda: _credited_text(result),
        data=True,  # the credit note's number, as `invoice` prints the invoice's
    )


def _preview_json(preview: CreditPreview, reason: str) -> dict[str, object]:
    """The credit note a dry run would write, with the result's fields (but the order's
    status after it)."""
    return {
        "number": preview.next_number,
        "credit_of": preview.invoice,
        "order": preview.order,
        "reason": reason,
        "total": preview.total,
        "lines": [{"sku": s, "quantity": -q, "amount": -a} for s, q, a in preview.lines],
    }


def _credited_text(result: CreditResult) -> str:
    from ...domain.values import format_money
    from ..output.tables import status_label

    return (
        f"Credit note #{result.number} for invoice #{result.invoice}: total "
        f"{format_money(result.total)} (order #{result.order} now "
        f"{status_label(result.order_status)})."
    )


def list_(
    ctx: typer.Context,
    order: Annotated[
        int | None,
        typer.Option(
            "--order",
            parser=cli_value(parse_order_number),
            metavar="N",
            help="Only the invoices and credit notes of this order.",
        ),
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Customer name contains this text.")
    ] = None,
    limit: LimitOption = None,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """List invoices and credit notes, newest first, with their totals (a credit note's
    is negative, and names the invoice it credits). At a terminal, the newest 50
    (stderr says how many more; --limit 0 lists all), through a pager.

    Example: backorder invoices list --order 2401 --format csv
    """
    from ...services import invoices as invoices_service
    from ..output import flat
    from ..output.invoices import INVOICE_FIELDS, invoices_table
    from ..output.pager import paged

    shown = rows_to_show(limit)
    rows = invoices_service.iter_invoices(
        database(ctx), order=order, customer=customer, limit=shown
    )
    with paged(enabled=not no_pager):
        flat.emit(
            rows, INVOICE_FIELDS, read_format(format_), table=invoices_table, stream_table=True
        )
    say_more_rows(
        limit,
        shown,
        lambda: invoices_service.count_invoices(database(ctx), order=order, customer=customer),
        "invoices",
        "newest",
    )


def show(
    ctx: typer.Context,
    number: InvoiceArgument,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Show one invoice or credit note: its lines and amounts, and for an invoice its
    credit notes and what it bills net of them (through a pager at a terminal).

    Example: backorder invoices show 7 --format json
    """
    from ...services import invoices as invoices_service
    from ..output import json_format
    from ..output.invoices import invoice_detail, invoice_flat
    from ..output.pager import paged

    fmt = read_format(format_)
    no_ids(fmt)
    detail = invoices_service.get_invoice(database(ctx), number)
    with paged(enabled=not no_pager):
        if fmt == "json":
            json_format.print_json(detail)
        elif fmt in ("csv", "plain"):
            invoice_flat(detail, fmt)
        else:
            invoice_detail(detail)


def register(app: typer.Typer) -> None:
    app.command()(credit)


def _add_invoice_commands(app: typer.Typer) -> None:
    app.command("list")(list_)
    app.command()(show)


def register_group(app: typer.Typer) -> None:
    """`backorder invoices list|show`."""
    from ..app import make_app

    invoices = make_app(help="List and show invoices and credit notes.")
    _add_invoice_commands(invoices)
    app.add_typer(invoices, name="invoices")
