"""Products and settings."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from ..domain.orders import SETTINGS, parse_setting
from ..domain.values import (
    MAX_NUMBER,
    parse_price,
    parse_quantity,
    parse_sku,
    parse_stock,
    parse_text,
)
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import (
    Product,
    Setting,
)
from .results import ProductView
from .steps import _setting, _stock, _unknown_sku


def get_settings(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {key: _setting(session, key) for key in SETTINGS}


def set_setting(db: Database, key: str, value: str) -> tuple[str, str]:
    key, value = parse_setting(key, value)
    with db.write() as session:
        row = session.get(Setting, key, with_for_update=True) or Setting(key=key, value=value)
        row.value = value
        session.add(row)
    return key, value


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
    price: str | Decimal = "0",
    stock: str | Decimal = "0",
) -> ProductView:
    sku = parse_sku(sku)
    product = Product(
        sku=sku,
        name=parse_text(name, what="name", required=True, limit=200),
        unit=parse_text(unit, what="unit", required=True, limit=20),
        price=parse_price(price),
        stock=parse_stock(stock),
    )
    with db.write() as session:
        if session.exec(select(Product).where(Product.sku == sku)).first():
            raise NotAllowed(
                f"product {sku} already exists - see it with `backorder products list`",
                code="already_exists",
            )
        session.add(product)
    return _product_view(product)


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
        product.stock = new_stock
        session.add(product)
    return _product_view(product)
