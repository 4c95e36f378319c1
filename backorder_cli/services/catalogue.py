"""Products and settings."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, select

from ..domain.orders import NEXT_ORDER_NUMBER, SETTINGS, parse_setting_change
from ..domain.values import (
    MAX_NUMBER,
    format_money,
    format_quantity,
    parse_price,
    parse_quantity,
    parse_sku,
    parse_stock,
    parse_text,
    quantity_text,
)
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import (
    Product,
    Setting,
)
from .correcting import run_correction
from .results import ProductView, SeriesMove
from .steps import _PEEK_NUMBER, COUNTER, _record_about, _setting, _stock, _unknown_sku


def get_settings(db: Database) -> dict[str, str]:
    """Every setting and its value, and the number the next new order gets."""
    with db.read() as session:
        values = {key: _setting(session, key) for key in SETTINGS}
        values[NEXT_ORDER_NUMBER] = str(_next_order_number(session))
    return values


def _next_order_number(session: Session) -> int:
    return int(session.connection().execute(_PEEK_NUMBER["order"]).scalar_one())


def set_setting(db: Database, key: str, value: str) -> tuple[str, str]:
    """Change a setting, or move the order series up (`next-order-number`: the next new
    order gets that number; never down, so no number is handed out twice). The history
    records who changed what, from what to what."""
    key, value = parse_setting_change(key, value)
    if key == NEXT_ORDER_NUMBER:
        move_order_series(db, int(value))
        return key, value
    with db.write() as session:
        conn = session.connection()
        row = session.get(Setting, key, with_for_update=True)
        before_value = row.value if row else _setting(session, key)
        row = row or Setting(key=key, value=value)
        row.value = value
        session.add(row)
        session.flush()
        _record_about(conn, key, "setting changed", f"{key}: {before_value} -> {value}")
    return key, value


def move_order_series(
    db: Database, number: int, *, dry_run: bool = False, expected: SeriesMove | None = None
) -> SeriesMove:
    """Make the next new order #`number`: only upward, so no number is handed out
    twice; the numbers skipped are never used (what `settings set next-order-number`
    asks about first). A dry run says what would change and writes nothing; a confirmed
    run is refused when the series moved meanwhile. Logged, before and after."""
    key = NEXT_ORDER_NUMBER

    def work(session: Session, write: bool) -> SeriesMove:
        conn = session.connection()
        if write:  # lock the counter row: the number read stays the next one
            conn.execute(
                update(COUNTER).where(COUNTER.c.name == "order").values(value=COUNTER.c.value)
            )
        before = _next_order_number(session)
        if number < before:
            raise NotAllowed(
                f"order numbers up to #{before - 1} are already used - "
                f"{key} only goes up: give {before} or more"
            )
        if write:
            conn.execute(update(COUNTER).where(COUNTER.c.name == "order").values(value=number - 1))
            _record_about(conn, key, "setting changed", f"{key}: {before} -> {number}")
        return SeriesMove(before, number)

    return run_correction(
        db,
        work,
        dry_run=dry_run,
        expected=expected,
        changed=lambda: NotAllowed(
            "the order series moved while you were answering - run the command again",
            code="changed",
        ),
    )


def _product_view(p: Product) -> ProductView:
    return ProductView(p.sku, p.name, p.unit, p.price, p.stock)


def list_products(db: Database) -> list[ProductView]:
    with db.read() as session:
        return [_product_view(p) for p in session.exec(select(Product).order_by(Product.sku))]


def add_product(
    db: Database,
    sku: str,
    *,
    name: str,
    unit: str = "pcs",
    price: str | Decimal,
    stock: str | Decimal = "0",
    supplier: str = "",
    lead_time: int | None = None,
) -> ProductView:
    """Add a product; its price is required (a forgotten price is not a free product)."""
    sku = parse_sku(sku)
    product = Product(
        sku=sku,
        name=parse_text(name, what="name", required=True, limit=200),
        unit=parse_text(unit, what="unit", required=True, limit=20),
        price=parse_price(price),
        stock=parse_stock(stock),
        supplier=parse_text(supplier, what="supplier", limit=200),
        lead_time=lead_time,
    )
    with db.write() as session:
        if session.exec(select(Product).where(Product.sku == sku)).first():
            raise NotAllowed(
                f"product {sku} already exists - see it with `backorder products list`",
                code="already_exists",
            )
        session.add(product)
        session.flush()
        _record_about(
            session.connection(),
            sku,
            "product added",
            f"{sku} ({product.name}): price {format_money(product.price)}, "
            f"stock {format_quantity(product.stock)} {product.unit}",
        )
    return _product_view(product)


def edit_product(
    db: Database, sku: str, *, supplier: str | None = None, lead_time: int | None = None
) -> tuple[str, str, int | None]:
    """Change a product's default supplier and lead time (what is not given stays).
    Returns (sku, supplier, lead time) as they are now."""
    sku = parse_sku(sku)
    if supplier is None and lead_time is None:
        raise InvalidInput("nothing to change - give --supplier or --lead-time")
    with db.write() as session:
        product = _stock(session, [sku], lock=True).get(sku)
        if product is None:
            raise NotFound(
                f"unknown SKU {sku} - add it with `backorder products add {sku} --name NAME`"
            )
        if supplier is not None:
            product.supplier = parse_text(supplier, what="supplier", limit=200)
        if lead_time is not None:
            product.lead_time = lead_time
        session.add(product)
        return product.sku, product.supplier, product.lead_time


def receive_stock(db: Database, sku: str, quantity: str | Decimal) -> ProductView:
    sku = parse_sku(sku)
    amount = parse_quantity(quantity)
    with db.write() as session:
        product = _stock(session, [sku], lock=True).get(sku)
        if product is None:
            raise NotFound(_unknown_sku(session, sku))
        new_stock = product.stock + amount
        if new_stock >= MAX_NUMBER:
            raise InvalidInput(f"stock of {sku} would exceed {MAX_NUMBER:,}")
        before = product.stock
        product.stock = new_stock
        session.add(product)
        session.flush()
        _record_about(
            session.connection(),
            sku,
            "stock received",
            f"{quantity_text(sku, amount)}: stock {format_quantity(before)} -> "
            f"{format_quantity(new_stock)} {product.unit}",
        )
    return _product_view(product)
