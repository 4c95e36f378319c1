"""Every reader of the promise dates, and `ready`, agrees with the straightforward rule
on random small companies, on both backends: `orders show` (the allocation of the
order's SKUs only, read by the index on the waiting lines of each SKU), `products
show`, `orders list`'s ETAs (one pass over every waiting line) and the full walk,
against the unit-by-unit reference (tests/helpers/promises.py) fed with the priority
order computed here from the raw rows: backorders first, then the chain's first order
date and number, then number.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.services import backorders, fulfilment, orders, purchases, supply
from backorder_cli.services.transfer import import_text
from backorder_cli.storage.database import Database
from tests.conftest import run_sql
from tests.helpers.promises import reference_order_etas, reference_promises

SKUS = ("A", "B", "C")
SCALE = 1000  # quantities are stored as thousandths; these companies use whole units


def build_company(db: Database, target: str, seed: int) -> None:
    rng = random.Random(seed)
    document: dict[str, Any] = {
        "products": [
            {"sku": s, "name": s, "price": 1, "stock": rng.randint(0, 8), "supplier": "S"}
            for s in SKUS
        ],
        "orders": [],
    }
    for i in range(9):
        chosen = rng.sample(SKUS, rng.randint(1, 3))
        status = rng.choice(["booked", "booked", "partially_shipped", "draft"])
        lines = []
        for k, sku in enumerate(chosen):
            quantity = rng.randint(2, 6)
            shipped = (
                rng.randint(1, quantity - 1) if status == "partially_shipped" and k == 0 else 0
            )
            lines.append({"sku": sku, "quantity": quantity, "shipped": shipped, "invoiced": 0})
        document["orders"].append(
            {
                "number": 1001 + i,
                "customer": f"C{i}",
                "status": status,
                # few days: ties in the waiting date are broken by the chain's first number
                "created_at": f"2026-10-0{rng.randint(1, 3)}T09:00:00Z",
                "lines": lines,
            }
        )
    import_text(db, json.dumps(document), source="test")
    # Backorders of the partially shipped orders, and one of a backorder (a chain of 3).
    made = []
    for raw in document["orders"]:
        if raw["status"] == "partially_shipped" and len(made) < 2:
            made.append(
                backorders.create_backorder(db, raw["number"], invoice_first=True).backorder
            )
    if made:
        shown = orders.get_order(db, made[0])
        line = shown.lines[0]
        if line.remaining >= 2 and supply.product_supply(db, line.sku).stock >= 1:
            fulfilment.ship(db, made[0], [Item(line.sku, D(1))])
            made.append(backorders.create_backorder(db, made[0], invoice_first=True).backorder)
    for number in made:
        day = rng.randint(1, 4)
        run_sql(
            target,
            f"UPDATE orders SET created_at = '2026-10-0{day} 09:00:00' WHERE number = {number}",
        )
    # Incoming: three purchases, on few dates (ties broken by the purchase number), one
    # received in part (stock goes up), one SKU of another canceled.
    today = supply.utc_today()
    for _ in range(3):
        items = [Item(s, D(rng.randint(2, 9))) for s in rng.sample(SKUS, rng.randint(1, 2))]
        purchases.add_purchase(
            db, supplier="S", expected=today + timedelta(rng.randint(0, 3)), items=items
        )
    received = purchases.get_purchase(db, 1).lines[0]
    purchases.receive_purchase(db, 1, [Item(received.sku, D(1))])
    purchases.cancel_purchase(db, 2, [purchases.get_purchase(db, 2).lines[0].sku])


def expected_promises(
    db: Database,
) -> tuple[dict[tuple[int, int], Any], list[tuple[int, list[Any]]]]:
    """The reference's answer, from the raw rows; and the waiting orders in priority order."""
    with db.read() as session:
        conn = session.connection()
        rows = conn.exec_driver_sql(
            "SELECT number, status, archived, backorder_of, created_at FROM orders"
        ).all()
        lines = conn.exec_driver_sql(
            "SELECT o.number, l.position, l.sku, l.quantity - l.shipped - l.canceled "
            "FROM order_lines l JOIN orders o ON o.id = l.order_id ORDER BY l.position"
        ).all()
        stock = dict(conn.exec_driver_sql("SELECT sku, stock FROM product").all())
        incoming = conn.exec_driver_sql(
            "SELECT p.expected, p.number, l.sku, l.quantity - l.received - l.canceled "
            "FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id "
            "WHERE p.status = 'open' AND l.quantity - l.received - l.canceled > 0"
        ).all()
    origin = {n: of for n, _s, _a, of, _c in rows}
    created = {n: c for n, _s, _a, _of, c in rows}

    def key(number: int) -> tuple[Any, ...]:
        chain, n = [], number
        while n is not None and n not in chain:
            chain.append(n)
            n = origin.get(n)
        return (origin[number] is None, min(created[c] for c in chain), min(chain), number)

    waiting = sorted(
        (n for n, status, archived, _of, _c in rows
         if status in ("booked", "partially_shipped") and not archived),
        key=key,
    )  # fmt: skip
    by_order: dict[int, list[tuple[int, str, int]]] = {n: [] for n in waiting}
    for number, position, sku, left in lines:
        if number in by_order and left > 0:
            assert left % SCALE == 0
            by_order[number].append((position, sku, int(left) // SCALE))
    queue = [(n, by_order[n]) for n in waiting if by_order[n]]

    def day(value: Any) -> date:
        return value if isinstance(value, date) else datetime.strptime(value, "%Y-%m-%d").date()

    supplies = [(day(e), n, s, int(q) // SCALE) for e, n, s, q in incoming]
    units = {s: int(q) // SCALE for s, q in stock.items()}
    return reference_promises(queue, units, supplies, supply.utc_today()), queue


@pytest.mark.parametrize("seed", [5, 7])
def test_every_reader_of_the_etas_agrees_with_the_rule(
    db: Database, target: str, seed: int
) -> None:
    build_company(db, target, seed)
    expected, queue = expected_promises(db)
    assert queue, "the company has waiting orders"

    def as_found(eta: date | None, source: str | None, short: D | None) -> tuple[Any, ...]:
        return (eta, source, int((short or D(0)) * 1))

    # The full walk over every waiting line.
    walked = {
        (p.number, p.position): as_found(p.eta, p.source, p.short) for p in supply.promises(db)
    }
    assert walked == expected
    # ready ships exactly the lines promised from stock.
    ready = {(a.number, p) for a in fulfilment.ready_orders(db) for p, _sku, _q in a.ship}
    assert ready == {line for line, (_eta, source, _s) in expected.items() if source == "stock"}
    # orders show: each waiting order on its own SKUs' allocation.
    order_etas = reference_order_etas(expected)
    for number, lines in queue:
        shown = orders.get_order(db, number)
        assert shown.eta == order_etas[number]
        for position, _sku, _q in lines:
            line = shown.lines[position - 1]
            assert as_found(line.eta, line.eta_source, line.short) == expected[number, position]
    # orders list -f json / csv: every waiting order's ETA in one pass.
    assert supply.etas(db) == order_etas
    # products show and orders list --sku: who waits for each SKU, in priority order.
    for sku in SKUS:
        mine = [(n, p) for n, lines in queue for p, s, _q in lines if s == sku]
        shown = supply.product_supply(db, sku)
        assert [(w.number, as_found(w.eta, w.eta_source, w.short)) for w in shown.waiting] == [
            (n, expected[n, p]) for n, p in mine
        ]
        assert supply.numbers_waiting_for(db, sku) == list(dict.fromkeys(n for n, _p in mine))
