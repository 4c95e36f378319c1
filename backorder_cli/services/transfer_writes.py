"""How a checked import is written: the lines' money settled by the domain's rule, then
settings, products, purchases, stock counts, and the orders in batches of many-row
inserts with their lines, history, invoices and credit notes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    insert,
)
from sqlmodel import Session, select

from ..domain.corrections import settle_canceled
from ..domain.customers import name_key
from ..domain.money import LineFacts, LineMoney, settle_money
from ..domain.orders import NEXT_ORDER_NUMBER, order_status
from ..domain.values import ZERO, Item, check_order_value
from ..errors import InvalidInput
from ..storage.models import (
    Product,
    Purchase,
    Setting,
    StockAdjustment,
    utcnow,
)
from ..transfer.document import (
    ImportPlan,
    InvoiceRow,
    LineRow,
    OrderRow,
)
from .billing import _write_invoice
from .customers import CustomerRow
from .invoices import import_credit
from .steps import (
    _BATCH,
    _INSERT_HISTORY,
    _INSERT_LINES,
    LINES,
    ORDERS,
    _Line,
    _raise_counter,
    _record,
    _table,
)
from .transfer_customers import _customers_of, add_registered


def _settle(plan: ImportPlan) -> dict[int, list[LineMoney]]:
    """The money of every imported line by the tool's own rule, each backorder taking
    its part of its origin's (the invoices then bill it); units closed or canceled with
    the order take their share out of the line's amount (`settle_canceled`)."""
    money = settle_money(
        {
            row.number: (
                row.backorder_of,
                [LineFacts(r.sku, r.quantity, r.canceled, r.unit_price) for r in row.lines],
            )
            for row in plan.orders
        }
    )
    in_file = {row.number for row in plan.orders}
    for row in plan.orders:
        settled = []
        for r, m in zip(row.lines, money[row.number], strict=True):
            why = canceled_for(row.status, r, m.backordered)
            amount, gone = settle_canceled(
                r.quantity,
                r.unit_price,
                why["closed"] + why["canceled_with_order"],
                m.backordered,
                m.amount,
                from_origin=row.backorder_of in in_file,
            )
            settled.append(dataclasses.replace(m, amount=amount, canceled_amount=gone))
        money[row.number] = settled
    return money


def _import_with_credits(
    conn: Connection, order_id: int, documents: list[InvoiceRow], by_sku: dict[str, Any]
) -> int:
    """An order's invoices and credit notes, in the file's order (their numbers'): each
    billed or given back by the rule the tool applied when it was made, so the money
    comes back to the cent."""
    for doc in documents:
        if doc.credit_of is None:
            bill = [(by_sku[sku], q) for sku, q in doc.lines]
            _write_invoice(conn, order_id, bill, number=doc.number, at=doc.created_at)
            for line, quantity in bill:
                line.invoiced += quantity
        else:
            items = [Item(sku, -q) for sku, q in doc.lines]
            plan = import_credit(
                conn,
                order_id,
                doc.credit_of,
                items,
                number=doc.number,
                reason=doc.reason,
                at=doc.created_at,
            )
            for credit in plan:
                line = next(ln for ln in by_sku.values() if ln.id == credit.line_id)
                line.invoiced -= credit.quantity
    return len(documents)


def _apply_import(
    session: Session,
    plan: ImportPlan,
    money: dict[int, list[LineMoney]],
    *,
    source: str,
) -> int:
    for key, value in plan.settings.items():
        if key == NEXT_ORDER_NUMBER:  # the series only goes up: never a number twice
            _raise_counter(session, "order", int(value) - 1)
            continue
        setting = session.get(Setting, key, with_for_update=True) or Setting(key=key, value=value)
        setting.value = value
        session.add(setting)
    for p in plan.products:
        session.add(
            Product(
                sku=p.sku,
                name=p.name,
                unit=p.unit,
                price=p.price,
                stock=p.stock,
                supplier=p.supplier,
                lead_time=p.lead_time,
            )
        )
    session.flush()
    _import_purchases(session, plan, source=source)
    if plan.orders:
        _raise_counter(session, "order", max(o.number for o in plan.orders))
    named = [inv.number for o in plan.orders for inv in o.invoices or []]
    if named:
        _raise_counter(session, "invoice", max(named))
    conn = session.connection()
    invoices = 0
    if plan.stock_counts:
        conn.execute(
            insert(_table(StockAdjustment)),
            [
                {
                    "sku": c.sku,
                    "at": c.at,
                    "user": c.user,
                    "before": c.before,
                    "counted": c.counted,
                    "difference": c.counted - c.before,
                    "reason": c.reason,
                }
                for c in plan.stock_counts
            ],
        )
    # The lines' money by the tool's own rule, each backorder taking its part of its
    # origin's (the invoices below then bill it).
    for row in plan.orders:
        try:
            check_order_value((r.quantity, r.unit_price) for r in row.lines)
        except InvalidInput as exc:
            raise InvalidInput(f"{source}: order #{row.number}: {exc.message}") from None
    if plan.customers:
        add_registered(conn, plan.customers, source=source)
    customers = _customers_of(conn, plan.orders)
    # Core statements, many rows each, in batches: the ORM took seconds per thousand
    # orders, and an export is imported back whole (a backup restored).
    for start in range(0, len(plan.orders), _BATCH):
        batch = plan.orders[start : start + _BATCH]
        invoices += _import_orders(conn, batch, money, customers, source=source)
    return invoices


_IDS_OF_NUMBERS = select(ORDERS.c.number, ORDERS.c.id).where(
    ORDERS.c.number.in_(bindparam("numbers", expanding=True))
)
_LINE_IDS_OF_ORDERS = (
    select(LINES.c.order_id, LINES.c.id)
    .where(LINES.c.order_id.in_(bindparam("ids", expanding=True)))
    .order_by(LINES.c.order_id, LINES.c.position)
)


def _import_purchases(session: Session, plan: ImportPlan, *, source: str) -> None:
    """The document's purchases, as they were (their status follows their lines)."""
    from ..domain.supply import purchase_status
    from ..storage.models import PurchaseHistory, PurchaseLine
    from .steps import _user

    for row in plan.purchases:
        purchase = Purchase(
            number=row.number,
            supplier=row.supplier,
            expected=row.expected,
            comment=row.comment,
            status=purchase_status(row.lines).value,
            **({"created_at": row.created_at} if row.created_at else {}),
        )
        session.add(purchase)
        session.flush()
        assert purchase.id is not None
        for position, line in enumerate(row.lines, 1):
            session.add(
                PurchaseLine(
                    purchase_id=purchase.id,
                    position=position,
                    sku=line.sku,
                    quantity=line.quantity,
                    received=line.received,
                    canceled=line.canceled,
                    unit_cost=line.unit_cost,
                )
            )
        session.add(
            PurchaseHistory(
                purchase_id=purchase.id, user=_user(), event="imported", detail=f"from {source}"
            )
        )
    if plan.purchases:
        _raise_counter(session, "purchase", max(p.number for p in plan.purchases))


def _import_orders(
    conn: Connection,
    rows: list[OrderRow],
    money: dict[int, list[LineMoney]],
    customers: dict[str, CustomerRow],
    *,
    source: str,
) -> int:
    """Write a batch of checked orders with their lines (and their money, settled by
    the domain's rule), history and invoices: plain many-row inserts, the ids read back
    after (INSERT ... RETURNING of many rows costs a server driver more than the
    inserts)."""
    now = utcnow()
    conn.execute(
        insert(ORDERS),
        [
            {
                "number": row.number,
                "customer": customers[name_key(row.customer)].name,
                "customer_id": customers[name_key(row.customer)].id,
                "priority": customers[name_key(row.customer)].priority,
                "address": row.address,
                "reference": row.reference,
                "policy": row.policy,
                "comment": row.comment,
                "status": order_status(row.status, row.lines).value,
                "archived": row.archived,
                "backorder_of": row.backorder_of,
                "total": sum((m.amount for m in money[row.number]), ZERO),
                "created_at": row.created_at or now,
                "updated_at": now,
            }
            for row in rows
        ],
    )
    id_of: dict[int, int] = dict(
        conn.execute(_IDS_OF_NUMBERS, {"numbers": [row.number for row in rows]}).all()
    )
    order_ids = [id_of[row.number] for row in rows]
    conn.execute(
        _INSERT_LINES,
        [
            {
                "order_id": order_id,
                "position": position,
                "sku": r.sku,
                "name": r.name,
                "unit": r.unit,
                "quantity": r.quantity,
                "unit_price": r.unit_price,
                "shipped": r.shipped,
                "invoiced": r.invoiced,
                "canceled": r.canceled,
                "amount": settled.amount,
                "backordered": settled.backordered,
                "backordered_amount": settled.backordered_amount,
                **canceled_for(row.status, r, settled.backordered),
                "canceled_amount": settled.canceled_amount,
            }
            for order_id, row in zip(order_ids, rows, strict=True)
            for position, (r, settled) in enumerate(
                zip(row.lines, money[row.number], strict=True), start=1
            )
        ],
    )
    kept = [  # the history the file brings (`orders export` writes it): who, when, why
        {"order_id": order_id, "at": h.at, "user": h.user, "event": h.event, "detail": h.detail}
        for order_id, row in zip(order_ids, rows, strict=True)
        for h in row.history
    ]
    if kept:
        conn.execute(_INSERT_HISTORY, kept)
    _record(conn, *((order_id, "imported", f"from {source}") for order_id in order_ids))
    billed_orders = [
        (order_id, row)
        for order_id, row in zip(order_ids, rows, strict=True)
        if row.invoices or any(r.invoiced > 0 for r in row.lines)
    ]
    line_ids: dict[int, list[int]] = {}
    if billed_orders:
        for order_id, line_id in conn.execute(
            _LINE_IDS_OF_ORDERS, {"ids": [order_id for order_id, _row in billed_orders]}
        ):
            line_ids.setdefault(order_id, []).append(line_id)
    invoices = 0
    for order_id, row in billed_orders:
        # The lines as invoicing sees them: invoiced so far, counted up invoice by invoice.
        lines = [
            _ImportedLine(
                r.sku,
                r.name,
                r.unit,
                r.quantity,
                r.shipped,
                ZERO,
                r.canceled,
                r.unit_price,
                settled.amount,
                settled.backordered,
                settled.backordered_amount,
                id=i,
            )
            for r, i, settled in zip(row.lines, line_ids[order_id], money[row.number], strict=True)
        ]
        if row.invoices is not None:
            by_sku = {line.sku: line for line in lines}
            credits = [inv for inv in row.invoices if inv.credit_of is not None]
            bills = [
                [(by_sku[sku], q) for sku, q in inv.lines]
                for inv in row.invoices
                if inv.credit_of is None
            ]
            named: list[tuple[int | None, datetime | None]] = [
                (inv.number, inv.created_at) for inv in row.invoices if inv.credit_of is None
            ]
            if credits:  # in number order with the invoices: credit notes replay their money
                invoices += _import_with_credits(conn, order_id, row.invoices, by_sku)
                continue
        else:
            # Invoiced quantities without invoices in the file get one invoice of their
            # own, so every invoiced quantity belongs to an invoice with a number.
            bills = [
                [(ln, r.invoiced) for ln, r in zip(lines, row.lines, strict=True) if r.invoiced > 0]
            ]
            named = [(None, None)]
        for bill, (number, at) in zip(bills, named, strict=True):
            _write_invoice(conn, order_id, bill, number=number, at=at)
            for line, quantity in bill:
                line.invoiced += quantity
            invoices += 1
    return invoices


def canceled_for(status: str, line: LineRow, backordered: Decimal) -> dict[str, Decimal]:
    """Why a line's canceled units that did not move to a backorder were canceled: as
    the document says when it says so and that adds up, else canceled with the order on
    a canceled order and closed short on any other."""
    other = line.canceled - backordered
    if line.closed is not None or line.canceled_with_order is not None:
        with_order = line.canceled_with_order
        closed = other - (with_order or ZERO) if line.closed is None else line.closed
        if ZERO <= closed <= other and with_order in (None, other - closed):
            return {"closed": closed, "canceled_with_order": other - closed}
    if status == "canceled":
        return {"closed": ZERO, "canceled_with_order": other}
    return {"closed": other, "canceled_with_order": ZERO}


@dataclass
class _ImportedLine(_Line):
    id: int = 0
