"""Export: the document import reads back, streamed order by order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ..domain.orders import NEXT_ORDER_NUMBER, SETTINGS, Archived
from ..domain.values import MAX_ORDER_NUMBER
from ..storage.database import Database
from ..storage.models import (
    Customer,
    Invoice,
    InvoiceLine,
    OrderLine,
    Product,
    Purchase,
    PurchaseLine,
    StockAdjustment,
)
from ..transfer.document import (
    FORMAT,
)
from .steps import (
    _BATCH,
    _PEEK_NUMBER,
    HISTORY,
    ORDERS,
    _setting,
)


def export_header(db: Database) -> dict[str, Any]:
    """Settings (with `next-order-number`, so the order series continues where it was),
    the whole catalogue and the stock counts, as the import format has them."""
    with db.read() as session:
        settings = {key: _setting(session, key) for key in SETTINGS}
        next_order = int(session.connection().execute(_PEEK_NUMBER["order"]).scalar_one())
        if next_order <= MAX_ORDER_NUMBER:  # past it the series has run out: the import
            settings[NEXT_ORDER_NUMBER] = str(next_order)  # sees that from the numbers
        products = [
            {"sku": p.sku, "name": p.name, "unit": p.unit, "price": p.price, "stock": p.stock}
            # Schema 7's supply fields only where set: other exports stay as they were.
            | ({"supplier": p.supplier} if p.supplier else {})
            | ({"lead_time": p.lead_time} if p.lead_time is not None else {})
            for p in session.exec(select(Product).order_by(Product.sku))
        ]
        counts = [
            {
                "sku": c.sku,
                "at": c.at,
                "user": c.user,
                "before": c.before,
                "counted": c.counted,
                "difference": c.difference,
                "reason": c.reason,
            }
            for c in session.exec(select(StockAdjustment).order_by(col(StockAdjustment.id)))
        ]
        purchases = _export_purchases(session)
        # Schema 8: the whole register, whatever orders are exported (the import
        # registers them first; its orders then find theirs by name).
        customers = [
            {"name": c.name}
            | ({"email": c.email} if c.email else {})
            | ({"address": c.address} if c.address else {})
            | {"policy": c.policy, "priority": c.priority}
            for c in session.exec(select(Customer).order_by(col(Customer.name_key)))
        ]
    header = {"format": FORMAT, "settings": settings, "products": products}
    return (
        header
        | ({"customers": customers} if customers else {})
        | ({"stock_counts": counts} if counts else {})
        | ({"purchases": purchases} if purchases else {})
    )


def _export_purchases(session: Session) -> list[dict[str, Any]]:
    """Every purchase (the catalogue's supply: whatever orders are exported) as the
    import reads it back."""
    lines: dict[int, list[dict[str, Any]]] = {}
    for ln in session.exec(select(PurchaseLine).order_by(col(PurchaseLine.position))):
        lines.setdefault(ln.purchase_id, []).append(
            {
                "sku": ln.sku,
                "quantity": ln.quantity,
                "received": ln.received,
                "canceled": ln.canceled,
                "unit_cost": ln.unit_cost,
            }
        )
    return [
        {
            "number": p.number,
            "supplier": p.supplier,
            "expected": p.expected,
            "comment": p.comment,
            "created_at": p.created_at,
            "lines": lines.get(p.id or 0, []),
        }
        for p in session.exec(select(Purchase).order_by(col(Purchase.number)))
    ]


def iter_export(db: Database, *, archived: Archived = Archived.ACTIVE) -> Iterator[dict[str, Any]]:
    """Orders in the import format, oldest first, with every quantity, the archived
    flag, the backorder link and the invoices: importing them rebuilds the same orders.
    Streamed in batches.

    With them come the orders they refer to: the origins up each exported backorder's
    chain (archived, so not among the active orders), so that the file imports into an
    empty database, where a backorder needs its origin."""
    # Plain rows, not ORM objects: each batch's lines and invoices are expunged to keep
    # memory flat, and expunging while the ORM still loads this query's rows into the
    # session broke every export after the first batch (issue 11, item 1).
    query = _with_origins(archived).order_by(ORDERS.c.number)
    with db.read() as session:
        batch: list[Any] = []
        for order in session.connection().execute(query.execution_options(yield_per=_BATCH)):
            batch.append(order)
            if len(batch) == _BATCH:
                yield from _export_batch(session, batch)
                batch = []
        yield from _export_batch(session, batch)


def _with_origins(archived: Archived) -> Any:
    """The orders `archived` picks, and every order up their backorder chains."""
    if archived == Archived.ALL:
        return core_select(ORDERS)
    picked = ORDERS.c.archived.is_(archived == Archived.ARCHIVED)
    start = (
        core_select(ORDERS.c.backorder_of.label("number"))
        .where(picked, ORDERS.c.backorder_of.is_not(None))
        .cte("origins", recursive=True)
    )
    above = ORDERS.alias("above")
    # UNION, not UNION ALL: a loop of links edited in by hand ends the walk.
    origins = start.union(
        core_select(above.c.backorder_of)
        .select_from(start)
        .join(above, above.c.number == start.c.number)
        .where(above.c.backorder_of.is_not(None))
    )
    return core_select(ORDERS).where(
        or_(picked, ORDERS.c.number.in_(core_select(origins.c.number)))
    )


def _export_batch(session: Session, orders: list[Any]) -> Iterator[dict[str, Any]]:
    if not orders:
        return
    ids = [o.id for o in orders]
    lines: dict[int, list[OrderLine]] = {}
    for line in session.exec(
        select(OrderLine).where(col(OrderLine.order_id).in_(ids)).order_by(col(OrderLine.position))
    ):
        lines.setdefault(line.order_id, []).append(line)
    skus = {line.id: line.sku for group in lines.values() for line in group}
    invoices: dict[int, list[dict[str, Any]]] = {}
    billed: dict[int, list[dict[str, Any]]] = {}
    rows = session.exec(
        select(Invoice).where(col(Invoice.order_id).in_(ids)).order_by(col(Invoice.number))
    ).all()
    for item in session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id).in_([i.id for i in rows]))
        .order_by(col(InvoiceLine.id))
    ):
        billed.setdefault(item.invoice_id, []).append(
            {"sku": skus[item.line_id], "quantity": item.quantity}
        )
    numbers = {inv.id: inv.number for inv in rows}  # a credit note's invoice is its order's
    history: dict[int, list[dict[str, Any]]] = {}
    # Plain rows (no ORM objects): an order has several entries, an export many orders.
    for order_id, at, user, event, detail in session.connection().execute(
        core_select(
            HISTORY.c.order_id, HISTORY.c.at, HISTORY.c.user, HISTORY.c.event, HISTORY.c.detail
        )
        .where(HISTORY.c.order_id.in_(ids))
        .order_by(HISTORY.c.id)
    ):
        history.setdefault(order_id, []).append(
            {"at": at, "user": user, "event": event, "detail": detail}
        )
    for inv in rows:
        assert inv.id is not None  # loaded, so stored
        document: dict[str, Any] = {
            "number": inv.number,
            "created_at": inv.created_at,
            "lines": billed.get(inv.id, []),
        }
        if inv.credit_of is not None:  # a credit note (schema 4): its lines are negative
            document["credit_of"] = numbers.get(inv.credit_of)
            document["reason"] = inv.reason
        invoices.setdefault(inv.order_id, []).append(document)
    for order in orders:
        yield {
            "number": order.number,
            "customer": order.customer,
            "comment": order.comment,
            "status": order.status,
            "archived": order.archived,
            "backorder_of": order.backorder_of,
            "created_at": order.created_at,
            "lines": [
                {
                    "sku": ln.sku,
                    "name": ln.name,
                    "unit": ln.unit,
                    "quantity": ln.quantity,
                    "unit_price": ln.unit_price,
                    "shipped": ln.shipped,
                    "invoiced": ln.invoiced,
                    "canceled": ln.canceled,
                    "closed": ln.closed,
                    "canceled_with_order": ln.canceled_with_order,
                }
                for ln in lines.get(order.id, [])
            ],
            "invoices": invoices.get(order.id, []),
            # Who did what, when and why (the corrections' reasons): kept by import.
            "history": history.get(order.id, []),
        } | {  # schema 8, where set (other exports stay as they were)
            key: getattr(order, key)
            for key in ("address", "reference", "policy")
            if getattr(order, key) is not None
        }
    session.expunge_all()  # keep memory flat over a long export
