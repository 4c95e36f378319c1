"""What to buy (`suggest`): the demand of every waiting order less stock on hand and open
purchases, per SKU, by supplier; and the purchases that buy it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from ..domain.supply import ensure_suppliers
from ..domain.values import Item
from ..errors import NotAllowed
from ..storage.database import Database
from ..storage.models import Product
from .purchases import _write_purchase
from .supply import _figures, utc_today


@dataclass(frozen=True)
class Suggestion:
    """What to buy of one SKU: the demand of every waiting line, less stock on hand and
    what open purchases bring, when that is above zero."""

    sku: str
    name: str
    supplier: str
    demand: Decimal
    stock: Decimal
    incoming: Decimal
    quantity: Decimal  # to buy
    arrives: date | None  # today + the product's lead time (none without one)


def suggestions(
    db: Database, *, supplier: str | None = None, today: date | None = None
) -> list[Suggestion]:
    """Per SKU, what to buy; grouped by supplier (then SKU)."""
    with db.read() as session:
        return _suggestions(session, supplier, today or utc_today())


def _suggestions(session: Session, supplier: str | None, today: date) -> list[Suggestion]:
    figures = _figures(session.connection())
    products = {p.sku: p for p in session.exec(select(Product))}
    found = []
    for sku, figure in figures.items():
        product = products.get(sku)
        if product is None:
            continue  # a line of a SKU no longer in the catalogue: `check` names it
        quantity = figure.claimed - product.stock - figure.incoming
        if quantity <= 0:
            continue
        if supplier and supplier.casefold() not in product.supplier.casefold():
            continue
        arrives = None if product.lead_time is None else today + timedelta(product.lead_time)
        found.append(
            Suggestion(
                sku,
                product.name,
                product.supplier,
                figure.claimed,
                product.stock,
                figure.incoming,
                quantity,
                arrives,
            )
        )
    return sorted(found, key=lambda s: (s.supplier, s.sku))


@dataclass(frozen=True)
class CreatedPurchase:
    supplier: str
    number: int
    expected: date
    lines: list[tuple[str, Decimal]]


def create_suggested(
    db: Database, listed: list[Suggestion], *, supplier: str | None = None
) -> list[CreatedPurchase]:
    """One purchase per supplier of the suggestions the user was shown (`listed`),
    expected on the latest day its lines could arrive (today when no line has a lead
    time), in one transaction. Refused, writing nothing, when the suggestions changed
    since they were listed, or a SKU has no supplier."""
    today = utc_today()
    with db.write() as session:
        now = _suggestions(session, supplier, today)
        if now != listed:
            raise NotAllowed(
                "what to buy changed since it was listed - run `backorder suggest` again",
                code="changed",
            )
        ensure_suppliers((s.sku, s.supplier) for s in now)
        made = []
        for name, group in itertools.groupby(now, key=lambda s: s.supplier):
            lines = list(group)
            expected = max((s.arrives for s in lines if s.arrives is not None), default=today)
            items = [Item(s.sku, s.quantity) for s in lines]
            number = _write_purchase(session, name, expected, items, "suggested")
            made.append(
                CreatedPurchase(name, number, expected, [(s.sku, s.quantity) for s in lines])
            )
        return made
