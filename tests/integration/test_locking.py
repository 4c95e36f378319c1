"""Two writers on the same rows at the same moment, made deterministic: one transaction
is held open while a second use case starts in a thread. The second must wait for the
first and then decide on what the first committed, on SQLite (BEGIN IMMEDIATE) and on
PostgreSQL (row locks: FOR UPDATE on the order, then on the products)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from backorder_cli.domain.orders import Status
from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, integrity, orders
from backorder_cli.storage.database import Database

# Timing-sensitive (races, locks, kills): one xdist group, so these never run beside
# each other (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("timing")


class Second(threading.Thread):
    """Runs a use case and keeps its result or its error."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
        super().__init__(daemon=True)
        self.call = lambda: fn(*args, **kw)
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as exc:
            self.error = exc


def start_while_held(second: Second) -> None:
    second.start()
    time.sleep(0.7)
    assert second.is_alive(), "the second writer did not wait for the first"


def test_a_backorder_waits_for_a_concurrent_backorder_of_the_same_order(
    sample_db: Database,
) -> None:
    second = Second(backorders_service.create_backorder, sample_db, 2401)
    with sample_db.write() as session:
        first = backorders_service._create_backorder(
            session.connection(), 2401, invoice_first=False
        )
        start_while_held(second)
    second.join(30)
    assert first.backorder == 2402
    # It saw the committed backorder, not the state it might have read before.
    assert isinstance(second.error, NotAllowed), second.error
    assert "already backordered as #2402" in second.error.message
    assert list(integrity.check_database(sample_db)) == []


def test_two_shipments_of_one_product_never_lose_a_unit(db: Database) -> None:
    catalogue.add_product(db, "P", name="Part", unit="pcs", price="1", stock="10")
    b = orders.add_order(db, customer="B", items=[Item("P", D(5))])
    second = Second(fulfilment.ship, db, b, [Item("P", D(5))])
    # Another client takes 4 units of P in a transaction it holds open.
    with db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE product SET stock = stock - 4000 WHERE sku = 'P'")
        start_while_held(second)
    second.join(30)
    assert second.error is None, second.error
    assert second.result.status == Status.SHIPPED
    assert {p.sku: p.stock for p in catalogue.list_products(db)} == {"P": D(1)}


def test_a_shipment_waits_for_a_concurrent_change_of_its_order(db: Database) -> None:
    catalogue.add_product(db, "P", name="Part", unit="pcs", price="1", stock="10")
    number = orders.add_order(db, customer="A", items=[Item("P", D(4))])
    second = Second(fulfilment.ship, db, number, [Item("P", D(4))])
    with db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql(
            f"UPDATE orders SET status = 'canceled', archived = true WHERE number = {number}"
        )
        conn.exec_driver_sql(
            "UPDATE order_lines SET canceled = quantity, canceled_with_order = quantity "
            "WHERE order_id = "
            f"(SELECT id FROM orders WHERE number = {number})"
        )
        start_while_held(second)
    second.join(30)
    assert isinstance(second.error, NotAllowed), second.error
    assert {p.sku: p.stock for p in catalogue.list_products(db)} == {"P": D(10)}
