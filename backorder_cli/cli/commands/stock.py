"""`products adjust`: set stock on hand to a counted quantity."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...domain.values import parse_sku, parse_stock, parse_text
from ..app import database
from ..options import DryRunOption, WriteFormat, WriteFormatOption, YesOption, cli_value
from .corrections import ask_and_run

if TYPE_CHECKING:
    from ...services.results import StockCount


def _count_json(c: StockCount) -> dict[str, Any]:
    return {
        "sku": c.sku,
        "before": c.before,
        "counted": c.counted,
        "difference": c.difference,
        "reason": c.reason,
    }


def _count_text(c: StockCount, would: bool) -> list[str]:
    from ...domain.values import format_quantity as q

    sign = "+" if c.difference > 0 else ""
    change = f"{sign}{q(c.difference)}"
    if would:
        return [
            f"This will set stock on hand of {c.sku} to {q(c.counted)} {c.unit} "
            f"(now {q(c.before)}: {change}; {c.reason})."
        ]
    return [
        f"{c.sku}: stock on hand is now {q(c.counted)} {c.unit} "
        f"(was {q(c.before)}: {change}; {c.reason})."
    ]


def products_adjust(
    ctx: typer.Context,
    sku: Annotated[
        str,
        typer.Argument(
            parser=cli_value(parse_sku),
            metavar="SKU",
            help="Stock keeping unit, e.g. CABLE-25.",
            show_default=False,
        ),
    ],
    counted: Annotated[
        Decimal,
        typer.Argument(
            parser=cli_value(partial(parse_stock, what="counted quantity")),
            metavar="QTY",
            help="The counted stock on hand (0 or more; may be below today's).",
            show_default=False,
        ),
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            parser=cli_value(partial(parse_text, what="reason", required=True, limit=200)),
            help="Why (required): kept with the count.",
            show_default=False,
        ),
    ],
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Set a product's stock on hand to a counted quantity, recorded with the difference.

    `products receive` adds arriving stock; `adjust` corrects the count either way.

    Example: backorder products adjust SWITCH-1 15 --reason "stock count: 5 damaged"
    """
    from ...services import stock

    db = database(ctx)

    def run(**kw: Any) -> StockCount:
        return stock.adjust_stock(db, sku, counted, reason=reason, **kw)

    ask_and_run(run, yes=yes, dry_run=dry_run, show=_count_json, text=_count_text, format_=format_)
