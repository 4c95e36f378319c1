"""`backorder suggest`: what to buy, from the demand of every waiting order; and the
products' supply commands (`products show`, `products edit`, which `catalogue.py`
registers in the products group)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer

from ...domain.supply import ensure_suppliers, parse_lead_time
from ...domain.values import parse_sku, parse_text
from .. import completion
from ..app import database
from ..options import (
    FormatOption,
    NoPagerOption,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    cli_value,
    no_ids,
    read_format,
)
from ..output.result import print_result

SUGGEST_FIELDS = ["sku", "name", "supplier", "demand", "stock", "incoming", "quantity", "arrives"]


def suggest(
    ctx: typer.Context,
    supplier: Annotated[
        str | None,
        typer.Option("--supplier", help="Only products whose supplier contains this text."),
    ] = None,
    create: Annotated[
        bool,
        typer.Option(
            "--create", help="Make one purchase per supplier of what is listed (one question)."
        ),
    ] = False,
    yes: YesOption = False,
    format_: FormatOption = None,
) -> None:
    """Suggest what to buy: per SKU, the demand of every waiting order less stock on hand
    and open purchases, when above zero; grouped by the product's supplier, with the day
    it could arrive (today + the product's lead time). --create makes one open purchase
    per supplier, expected on the latest of its lines' days.

    Example: backorder suggest --supplier "Kabel AB"

    Example: backorder suggest --create --yes
    """
    from ...services import suggest as suggest_service
    from ..output import flat, json_format, supply_tables
    from ..output.text import confirm, counted, ensure_can_ask, say, tell

    fmt = read_format(format_)
    if create:
        ensure_can_ask(yes)  # before planning: nobody could answer the question
    db = database(ctx)
    found = suggest_service.suggestions(db, supplier=supplier)
    if not create:
        if not found:
            say("Nothing to buy: stock on hand and open purchases cover every waiting order.")
        flat.emit(found, SUGGEST_FIELDS, fmt, table=supply_tables.suggest_table, ids_key="sku")
        return
    no_ids(fmt)
    if not found:
        say("Nothing to buy: stock on hand and open purchases cover every waiting order.")
        if fmt == "json":
            json_format.print_json([])
        return
    ensure_suppliers((s.sku, s.supplier) for s in found)  # before the question
    suppliers = sorted({s.supplier for s in found})
    if not yes:
        supply_tables.suggest_table(found, to_stderr=True)
        say(f"This will create {counted(len(suppliers), 'purchase')}, one per supplier.")
        if not confirm("Continue?"):
            raise typer.Abort()
    made = suggest_service.create_suggested(db, found, supplier=supplier)
    if fmt == "json":
        json_format.print_json(
            [
                {
                    "number": p.number,
                    "supplier": p.supplier,
                    "expected": p.expected,
                    "lines": [{"sku": sku, "quantity": q} for sku, q in p.lines],
                }
                for p in made
            ]
        )
        return
    from ...domain.values import quantities_text

    for p in made:
        tell(  # the new purchases' numbers: data, as orders add prints its number
            f"Purchase #{p.number} from {p.supplier}, expected {p.expected.isoformat()}: "
            f"{quantities_text(p.lines)}"
        )


# A SKU of the catalogue: TAB offers them.
KnownSkuArgument = Annotated[
    str,
    typer.Argument(
        parser=cli_value(parse_sku),
        metavar="SKU",
        help="Stock keeping unit, e.g. CABLE-25.",
        show_default=False,
        autocompletion=completion.skus,
    ),
]


SupplierOption = Annotated[
    str,
    typer.Option(
        "--supplier",
        parser=cli_value(partial(parse_text, what="supplier", limit=200)),
        help="Who the product is usually bought from (`suggest` groups by it).",
    ),
]
LeadTimeOption = Annotated[
    int | None,
    typer.Option(
        "--lead-time",
        parser=cli_value(parse_lead_time),
        metavar="DAYS",
        help="Days from ordering to arrival.",
        show_default=False,
    ),
]


def products_show(
    ctx: typer.Context,
    sku: KnownSkuArgument,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Show a product's supply and demand: on hand, claimed by waiting orders, available,
    incoming by purchase with dates, and the waiting orders with their ETAs (through a
    pager at a terminal).

    Example: backorder products show SWITCH-1 --format json
    """
    from ...services import supply
    from ..output import flat, json_format, supply_tables
    from ..output.pager import paged

    fmt = read_format(format_)
    no_ids(fmt)
    shown = supply.product_supply(database(ctx), sku)
    if fmt == "json":
        json_format.print_json(shown)
    elif fmt in ("csv", "plain"):
        fields = ["number", "customer", "quantity", "eta", "eta_source", "short"]
        rows = flat.records(shown.waiting, fields)
        (flat.write_csv if fmt == "csv" else flat.write_plain)(fields, rows)
    else:
        with paged(enabled=not no_pager):
            supply_tables.product_supply(shown)


def products_edit(
    ctx: typer.Context,
    sku: KnownSkuArgument,
    supplier: Annotated[
        str | None,
        typer.Option(
            "--supplier",
            parser=cli_value(partial(parse_text, what="supplier", limit=200)),
            help="Who the product is usually bought from (empty text: nobody).",
            show_default=False,
        ),
    ] = None,
    lead_time: LeadTimeOption = None,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Change a product's default supplier or lead time.

    Example: backorder products edit SWITCH-1 --supplier "Kabel AB" --lead-time 14
    """
    from ...services import catalogue

    sku, now_supplier, now_lead = catalogue.edit_product(
        database(ctx), sku, supplier=supplier, lead_time=lead_time
    )
    days = "no lead time" if now_lead is None else f"lead time {now_lead} days"
    print_result(
        format_,
        {"sku": sku, "supplier": now_supplier, "lead_time": now_lead},
        f"{sku}: supplier {now_supplier or '(none)'}, {days}",
    )


def register(app: typer.Typer) -> None:
    app.command()(suggest)
