"""`backorder products ...` and `backorder settings ...`."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...domain.orders import NEXT_ORDER_NUMBER, SETTINGS, parse_setting_change
from ...domain.values import parse_price, parse_quantity, parse_sku, parse_stock, parse_text
from ...errors import InvalidInput
from .. import completion
from ..app import database, make_app
from ..options import (
    DryRunOption,
    FormatOption,
    NoPagerOption,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    cli_value,
    no_ids,
    read_format,
    usage_error,
)
from ..output.result import print_result
from ..questions import ask_and_run
from .supply import LeadTimeOption, SupplierOption, products_edit, products_show

if TYPE_CHECKING:
    from ...services.results import StockCount

SkuArgument = Annotated[
    str,
    typer.Argument(
        parser=cli_value(parse_sku),
        metavar="SKU",
        help="Stock keeping unit, e.g. CABLE-25.",
        show_default=False,
    ),
]


# `products receive` takes a SKU of the catalogue: TAB offers them.
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


def products_list(
    ctx: typer.Context, format_: FormatOption = None, no_pager: NoPagerOption = False
) -> None:
    """List products with price, stock on hand, what waiting orders claim of it, what is
    available (stock - claimed, negative when short) and what open purchases bring
    (through a pager at a terminal).

    Example: backorder products list --format csv
    """
    from ...services import supply
    from ..output import flat, records, tables
    from ..output.pager import paged

    products = supply.product_rows(database(ctx))
    with paged(enabled=not no_pager):
        flat.emit(
            products, records.PRODUCT_FIELDS, read_format(format_), table=tables.products_table
        )


def products_add(
    ctx: typer.Context,
    sku: SkuArgument,
    name: Annotated[
        str,
        typer.Option(
            "--name",
            parser=cli_value(partial(parse_text, what="name", required=True, limit=200)),
            metavar="NAME",
            help="Product name.",
        ),
    ],
    price: Annotated[
        Decimal,
        typer.Option(
            "--price",
            parser=cli_value(parse_price),
            metavar="PRICE",
            help="Unit price, e.g. 12.50 (required: 0 for a product given away).",
        ),
    ],
    unit: Annotated[
        str,
        typer.Option(
            "--unit",
            parser=cli_value(partial(parse_text, what="unit", required=True, limit=20)),
            metavar="UNIT",
            help="Unit of measure.",
        ),
    ] = "pcs",
    stock: Annotated[
        Decimal,
        typer.Option(
            "--stock", parser=cli_value(parse_stock), metavar="QTY", help="Stock on hand now."
        ),
    ] = Decimal(0),
    supplier: SupplierOption = "",
    lead_time: LeadTimeOption = None,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Add a product to the catalogue.

    Example: backorder products add CABLE-25 --name "Cable 3G2.5" --unit m --price 1.95 --stock 500
    """
    from ...domain.values import format_money, format_quantity
    from ...services import catalogue

    p = catalogue.add_product(
        database(ctx),
        sku,
        name=name,
        unit=unit,
        price=price,
        stock=stock,
        supplier=supplier,
        lead_time=lead_time,
    )
    print_result(
        format_,
        p,
        f"Added {p.sku} ({p.name}): price {format_money(p.price)}, "
        f"stock {format_quantity(p.stock)} {p.unit}",
    )


def parse_received(text: str) -> Decimal:
    """A received quantity; a negative one is a stock correction, which has its own command."""
    if text.strip().startswith("-"):
        raise InvalidInput(
            f"cannot receive a negative quantity ({text.strip()}) - to lower stock on hand, "
            "set the counted quantity with `backorder products adjust SKU QTY --reason TEXT`"
        )
    return parse_quantity(text)


def products_receive(
    ctx: typer.Context,
    sku: KnownSkuArgument,
    quantity: Annotated[
        Decimal,
        typer.Argument(
            parser=cli_value(parse_received),
            metavar="QTY",
            help="Quantity received (above zero; to lower stock, use `products adjust`).",
            show_default=False,
        ),
    ],
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Add arriving stock to a product's stock on hand.

    Example: backorder products receive CABLE-25 250
    """
    from ...domain.values import format_quantity
    from ...services import catalogue

    p = catalogue.receive_stock(database(ctx), sku, quantity)
    print_result(format_, p, f"{p.sku}: stock on hand is now {format_quantity(p.stock)} {p.unit}")


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
    sku: KnownSkuArgument,
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


def register_products(app: typer.Typer) -> None:
    products = make_app(help="The product catalogue and stock on hand.")
    products.command("list")(products_list)
    products.command("show")(products_show)
    products.command("add")(products_add)
    products.command("receive", context_settings={"ignore_unknown_options": True})(products_receive)
    products.command("edit")(products_edit)
    products.command("adjust")(products_adjust)
    app.add_typer(products, name="products")


SETTINGS_FIELDS = ["setting", "value"]


def settings_default(ctx: typer.Context) -> None:
    """Show or change settings (no subcommand: show them).

    Example: backorder settings
    """
    if ctx.invoked_subcommand is None:
        settings_show(ctx)


def settings_show(ctx: typer.Context, format_: FormatOption = None) -> None:
    """Show every setting and its value, and the number the next new order gets
    (next-order-number). JSON: an array of objects with "setting" and "value", like
    every listing.

    Example: backorder settings show --format json
    """
    from ...services import catalogue
    from ..output import flat, json_format, tables

    fmt = read_format(format_)
    no_ids(fmt)
    values = catalogue.get_settings(database(ctx))
    rows = [{"setting": key, "value": value} for key, value in values.items()]
    if fmt == "json":
        json_format.print_json(rows)
    elif fmt == "csv":
        flat.write_csv(SETTINGS_FIELDS, rows)
    elif fmt == "plain":
        flat.write_plain(SETTINGS_FIELDS, rows)
    else:
        tables.settings_table(values)


def settings_set(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            help=f"inventory-value-on-invoicing or {NEXT_ORDER_NUMBER}", show_default=False
        ),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help=f"on or off; for {NEXT_ORDER_NUMBER}, the number the next new order gets",
            show_default=False,
        ),
    ],
    yes: YesOption = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help=f"With {NEXT_ORDER_NUMBER}: show what would change; change nothing."
        ),
    ] = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Change a setting, or move the order series up.

    inventory-value-on-invoicing is on or off. next-order-number N makes the next new
    order #N: only upward, above every number used (a lower one is refused); the
    numbers skipped are never used, so it asks first (--yes answers for you; without a
    terminal it is required; --dry-run shows the change and makes none). Every change
    is in `backorder log`.

    Example: backorder settings set inventory-value-on-invoicing off

    Example: backorder settings set next-order-number 5001 --yes
    """
    from ...services import catalogue

    hint = "'VALUE'" if key in SETTINGS or key == NEXT_ORDER_NUMBER else "'KEY'"
    key, value = usage_error(parse_setting_change, key, value, hint=hint)  # a parser's rule
    if key == NEXT_ORDER_NUMBER:
        _move_order_series(ctx, int(value), yes=yes, dry_run=dry_run, format_=format_)
        return
    if dry_run:
        raise typer.BadParameter(
            f"--dry-run goes with {NEXT_ORDER_NUMBER}", param_hint="'--dry-run'"
        )
    key, value = catalogue.set_setting(database(ctx), key, value)
    print_result(format_, {key: value}, f"{key} = {value}")


def _move_order_series(
    ctx: typer.Context, number: int, *, yes: bool, dry_run: bool, format_: WriteFormat
) -> None:
    from ...services import catalogue
    from ...services.results import SeriesMove

    db = database(ctx)

    def run(**kw: Any) -> SeriesMove:
        return catalogue.move_order_series(db, number, **kw)

    def text(move: SeriesMove, would: bool) -> list[str]:
        if would:
            return [
                f"This will make the next new order #{move.after} (now #{move.before}); "
                "numbers below it are never used."
            ]
        return [f"{NEXT_ORDER_NUMBER} = {move.after}"]

    ask_and_run(
        run,
        yes=yes,
        dry_run=dry_run,
        show=lambda move: {NEXT_ORDER_NUMBER: str(move.after)},
        text=text,
        format_=format_,
    )


def register_settings(app: typer.Typer) -> None:
    settings = make_app(
        help="Show or change settings.", no_args_is_help=False, invoke_without_command=True
    )
    settings.callback()(settings_default)
    settings.command("show")(settings_show)
    settings.command("set")(settings_set)
    app.add_typer(settings, name="settings")


def register(app: typer.Typer) -> None:
    register_products(app)
    register_settings(app)
