"""The top-level verbs: init, import, ship, invoice, create (the backorder)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .base import EXIT_ERROR, NumberArgument, confirm, database, say, state


def init(
    ctx: typer.Context,
    sample: Annotated[
        bool, typer.Option("--sample", help="Also load the sample company from sample_data/.")
    ] = False,
) -> None:
    """Create the database and its schema (safe to run twice).

    Example: backorder --db shop.db init --sample
    """
    from .. import services
    from ..db import init_database

    db, created = init_database(state(ctx).db)
    try:
        where = db.location.display
        say(f"Created database {where}." if created else f"Database {where} is ready.")
        if sample:
            result = services.load_sample(db)
            say(f"Loaded the sample company: {result.products} products, {result.orders} orders.")
    finally:
        db.dispose()


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A JSON file in the import format.", show_default=False)
    ],
) -> None:
    """Load products and orders from a JSON file: all of it, or nothing.

    Example: backorder import orders.json
    """
    from .. import services

    result = services.import_file(database(ctx), file)
    say(
        f"Imported {result.products} products and {result.orders} orders "
        f"({result.invoices} invoices) from {file.name}."
    )


def ship(
    ctx: typer.Context,
    number: NumberArgument,
    items: Annotated[
        list[str] | None,
        typer.Argument(help="What to ship, as SKU=QTY.", show_default=False),
    ] = None,
    available: Annotated[
        bool,
        typer.Option(
            "--available", help="Ship every remaining quantity that stock on hand covers."
        ),
    ] = False,
) -> None:
    """Record a shipment; stock on hand goes down.

    Example: backorder ship 2401 CABLE-25=100   or   backorder ship 2401 --available
    """
    from .. import services
    from ..domain import Status, format_quantity, parse_items

    if available and items:
        raise typer.BadParameter("give SKU=QTY or --available, not both", param_hint="'ITEMS'")
    if not available and not items:
        raise typer.BadParameter(
            "say what to ship: SKU=QTY ..., or --available", param_hint="'ITEMS'"
        )
    requested = None if available else parse_items(items or [], with_price=False)
    result = services.ship(database(ctx), number, requested)
    what = ", ".join(f"{format_quantity(q)} {sku}" for sku, q in result.shipped)
    typer.echo(f"Shipped {what} on order #{number} (now {Status(result.status).label}).")


def invoice(ctx: typer.Context, number: NumberArgument) -> None:
    """Invoice every shipped, not yet invoiced quantity of an order.

    Example: backorder invoice 2398
    """
    from .. import services
    from ..domain import format_money

    result = services.invoice_order(database(ctx), number)
    typer.echo(f"Invoice #{result.number} for order #{number}: total {format_money(result.total)}")


def create(
    ctx: typer.Context,
    number: NumberArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    invoice_first: Annotated[
        bool,
        typer.Option(
            "--invoice", help="Invoice shipped, uninvoiced items first (same transaction)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
) -> None:
    """Create a backorder: move what was not delivered to a new order.

    The undelivered quantities are canceled on the partially shipped order, which
    becomes canceled and archived, and a new order, numbered next, holds them.

    Example: backorder create 2401
    """
    from .. import services
    from ..domain import confirmation_text
    from . import render

    db = database(ctx)
    preview = services.preview_backorder(db, number, invoice_first=invoice_first)
    render.backorder_plan(preview, to_stderr=not dry_run)
    if dry_run:
        say("Dry run: nothing was changed.")
        return
    if not yes:
        say(confirmation_text(number))
        if not confirm("Continue?"):
            say("Aborted: nothing was changed.")
            raise typer.Exit(EXIT_ERROR)
    result = services.create_backorder(db, number, invoice_first=invoice_first)
    from ..domain import format_money

    if result.invoice is not None:
        typer.echo(
            f"Invoice #{result.invoice.number} for order #{number}: "
            f"total {format_money(result.invoice.total)}"
        )
    typer.echo(
        f"Backorder #{result.backorder} created with the undelivered items of order #{number}; "
        f"order #{number} is canceled and archived."
    )


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("import")(import_)
    app.command()(ship)
    app.command()(invoice)
    app.command()(create)
