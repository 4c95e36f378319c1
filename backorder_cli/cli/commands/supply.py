"""`backorder suggest`: what to buy, from the demand of every waiting order."""

from __future__ import annotations

from typing import Annotated

import typer

from ...domain.supply import ensure_suppliers
from ..app import database
from ..options import FormatOption, YesOption, no_ids, read_format

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
    from ..output.text import confirm, say, tell

    fmt = read_format(format_)
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
        say(f"This will create {len(suppliers)} purchases, one per supplier.")
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
        tell(
            f"Purchase #{p.number} from {p.supplier}, expected {p.expected.isoformat()}: "
            f"{quantities_text(p.lines)}"
        )


def register(app: typer.Typer) -> None:
    app.command()(suggest)
