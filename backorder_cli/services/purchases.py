"""Purchases: incoming supply from suppliers (add, list, show, receive, move, cancel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import exists
from sqlmodel import Session, col, select

from ..domain.supply import (
    PurchaseStatus,
    check_purchase_items,
    ensure_open,
    plan_cancel,
    plan_receipt,
    purchase_status,
    still_open,
)
from ..domain.values import (
    MAX_NUMBER,
    ZERO,
    Item,
    check_items,
    parse_text,
    quantities_text,
)
from ..errors import InvalidInput, NotFound
from ..storage.database import Database
from ..storage.models import Purchase, PurchaseHistory, PurchaseLine, utcnow
from .steps import _next_number, _stock, _user


@dataclass(frozen=True)
class PurchaseLineView:
    sku: str
    ordered: Decimal
    received: Decimal
    canceled: Decimal
    open: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class PurchaseSummary:
    number: int
    supplier: str
    expected: date
    status: str
    open: str  # SKU=QTY ... still to come


@dataclass(frozen=True)
class PurchaseHistoryView:
    at: datetime
    user: str
    event: str
    detail: str


@dataclass(frozen=True)
class PurchaseDetail:
    number: int
    supplier: str
    expected: date
    status: str
    comment: str
    created_at: datetime
    lines: list[PurchaseLineView]
    history: list[PurchaseHistoryView] = field(default_factory=list)


@dataclass(frozen=True)
class PurchaseChange:
    """What a receipt or a cancellation did to a purchase."""

    number: int
    status: str
    lines: list[tuple[str, Decimal]]  # sku, quantity received or canceled


def _purchase_not_found(number: int) -> NotFound:
    return NotFound(
        f"purchase #{number} not found - list purchases with `backorder purchases list --all`"
    )


def _find(session: Session, number: int, *, lock: bool = False) -> Purchase:
    query = select(Purchase).where(Purchase.number == number)
    purchase = session.exec(query.with_for_update() if lock else query).first()
    if purchase is None:
        raise _purchase_not_found(number)
    return purchase


def _lines(session: Session, purchase: Purchase) -> list[PurchaseLine]:
    return list(
        session.exec(
            select(PurchaseLine)
            .where(PurchaseLine.purchase_id == purchase.id)
            .order_by(col(PurchaseLine.position))
        )
    )


def _record(session: Session, purchase: Purchase, event: str, detail: str) -> None:
    assert purchase.id is not None
    session.add(PurchaseHistory(purchase_id=purchase.id, user=_user(), event=event, detail=detail))


def _refresh(session: Session, purchase: Purchase, lines: list[PurchaseLine]) -> None:
    purchase.status = purchase_status(lines).value
    purchase.updated_at = utcnow()
    session.add(purchase)


def add_purchase(
    db: Database, *, supplier: str, expected: date, items: list[Item], comment: str = ""
) -> int:
    """A new open purchase, numbered next in the purchase series; its number."""
    supplier = parse_text(supplier, what="supplier", required=True, limit=200)
    comment = parse_text(comment, what="comment")
    check_items(check_purchase_items(items))
    with db.write() as session:
        known = _stock(session, [item.sku for item in items])
        for item in items:
            if item.sku not in known:
                raise NotFound(
                    f"unknown SKU {item.sku} - add it with "
                    f"`backorder products add {item.sku} --name NAME`"
                )
        number = _write_purchase(session, supplier, expected, items, comment)
    return number


def _write_purchase(
    session: Session, supplier: str, expected: date, items: list[Item], comment: str
) -> int:
    """Write a new open purchase (its number next in the series), its lines and history."""
    number = _next_number(session.connection(), "purchase")
    purchase = Purchase(
        number=number,
        supplier=supplier,
        expected=expected,
        comment=comment,
        status=PurchaseStatus.OPEN.value,
    )
    session.add(purchase)
    session.flush()
    assert purchase.id is not None
    for position, item in enumerate(items, 1):
        session.add(
            PurchaseLine(
                purchase_id=purchase.id,
                position=position,
                sku=item.sku,
                quantity=item.quantity,
                unit_cost=item.price if item.price is not None else ZERO,
            )
        )
    _record(
        session,
        purchase,
        "created",
        f"from {supplier}, expected {expected.isoformat()}: "
        + quantities_text((i.sku, i.quantity) for i in items),
    )
    return number


def list_purchases(
    db: Database, *, all_: bool = False, supplier: str | None = None, sku: str | None = None
) -> list[PurchaseSummary]:
    """Open purchases (or all), soonest expected first."""
    with db.read() as session:
        query = select(Purchase)
        if not all_:
            query = query.where(Purchase.status == PurchaseStatus.OPEN.value)
        if supplier:
            query = query.where(col(Purchase.supplier).ilike(f"%{_like(supplier)}%", escape="\\"))
        if sku:
            query = query.where(
                exists().where(
                    PurchaseLine.purchase_id == Purchase.id,  # type: ignore[arg-type]
                    PurchaseLine.sku == sku,  # type: ignore[arg-type]
                )
            )
        purchases = list(session.exec(query.order_by(col(Purchase.expected), col(Purchase.number))))
        rows = []
        for p in purchases:
            lines = _lines(session, p)
            rows.append(
                PurchaseSummary(
                    p.number,
                    p.supplier,
                    p.expected,
                    p.status,
                    quantities_text((ln.sku, still_open(ln)) for ln in lines if still_open(ln)),
                )
            )
        return rows


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_purchase(db: Database, number: int) -> PurchaseDetail:
    with db.read() as session:
        p = _find(session, number)
        history = session.exec(
            select(PurchaseHistory)
            .where(PurchaseHistory.purchase_id == p.id)
            .order_by(col(PurchaseHistory.at), col(PurchaseHistory.id))
        )
        return PurchaseDetail(
            p.number,
            p.supplier,
            p.expected,
            p.status,
            p.comment,
            p.created_at,
            [
                PurchaseLineView(
                    ln.sku, ln.quantity, ln.received, ln.canceled, still_open(ln), ln.unit_cost
                )
                for ln in _lines(session, p)
            ],
            [PurchaseHistoryView(h.at, h.user, h.event, h.detail) for h in history],
        )


def receive_purchase(db: Database, number: int, items: list[Item] | None) -> PurchaseChange:
    """Receive what arrived of a purchase (everything still to come when `items` is
    None): stock on hand goes up by it and the lines record it, in one transaction."""
    if items is not None:
        check_items(items)
    with db.write() as session:
        purchase = _find(session, number, lock=True)
        lines = _lines(session, purchase)
        plan = plan_receipt(number, purchase.status, lines, items)
        products = _stock(session, [line.sku for line, _q in plan], lock=True)
        for line, quantity in plan:
            product = products.get(line.sku)
            if product is None:
                raise NotFound(
                    f"purchase #{number} names SKU {line.sku}, which is not in the catalogue - "
                    f"add it with `backorder products add {line.sku} --name NAME`"
                )
            if product.stock + quantity >= MAX_NUMBER:
                raise InvalidInput(f"stock of {line.sku} would exceed {MAX_NUMBER:,}")
            product.stock += quantity
            session.add(product)
            line.received += quantity
            session.add(line)
        _refresh(session, purchase, lines)
        done = [(line.sku, q) for line, q in plan]
        _record(session, purchase, "received", quantities_text(done))
        return PurchaseChange(number, purchase.status, done)


def move_purchase(db: Database, number: int, expected: date) -> date:
    """A supplier moved the date: the purchase's new expected date. Returns the old one."""
    with db.write() as session:
        purchase = _find(session, number, lock=True)
        ensure_open(number, purchase.status, "be moved")
        before = purchase.expected
        purchase.expected = expected
        purchase.updated_at = utcnow()
        session.add(purchase)
        _record(
            session, purchase, "moved", f"expected {before.isoformat()} -> {expected.isoformat()}"
        )
        return before


def cancel_purchase(db: Database, number: int, skus: list[str]) -> PurchaseChange:
    """Cancel what will never come: what is still open of the named SKUs (all when none)."""
    with db.write() as session:
        purchase = _find(session, number, lock=True)
        lines = _lines(session, purchase)
        plan = plan_cancel(number, purchase.status, lines, skus)
        for line, quantity in plan:
            line.canceled += quantity
            session.add(line)
        _refresh(session, purchase, lines)
        done = [(line.sku, q) for line, q in plan]
        _record(session, purchase, "canceled", quantities_text(done))
        return PurchaseChange(number, purchase.status, done)
