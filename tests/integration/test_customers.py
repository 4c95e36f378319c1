"""The customer register (issue 16), on both backends: the migration makes one
customer per casefolded name (the most used spelling wins), orders find their customer
casefolded and refuse a near miss, a backorder keeps what its origin carried, priority
comes first in the allocation, and customers travel in export and import."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from alembic import command
from alembic.config import Config

from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed, NotFound
from backorder_cli.services import (
    backorders,
    catalogue,
    customers,
    export,
    fulfilment,
    integrity,
    orders,
    supply,
)
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database, _make_engine
from backorder_cli.storage.schema import MIGRATIONS, open_database
from tests.conftest import run_sql, snapshot

# Orders as schema 7 held them: three spellings of Hansen (the lower-case one on two
# orders, so it wins), two of Byg-Huset once each (the earliest order's wins), and
# Großhandel spelled with ß and with SS (one name by the case fold).
OLD_ORDERS = [
    (1, "Hansen & Søn VVS"),
    (2, "hansen & søn vvs"),
    (3, "hansen & søn vvs"),
    (4, "Byg-Huset A/S"),
    (5, "BYG-HUSET A/S"),
    (6, "Großhandel Straße"),
    (7, "GROSSHANDEL STRASSE"),
    (8, "Großhandel Straße"),
]


def _downgrade_to_schema_7(db: Database) -> None:
    engine = _make_engine(db.location, foreign_keys=False)
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.downgrade(config, "0007")
    finally:
        engine.dispose()


def test_the_migration_registers_one_customer_per_casefolded_name(
    db: Database, target: str
) -> None:
    _downgrade_to_schema_7(db)
    db.dispose()
    run_sql(
        target,
        *(
            "INSERT INTO orders (number, customer, comment, status, archived, total, "
            f"created_at, updated_at) VALUES ({n}, '{name}', '', 'draft', false, 0, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            for n, name in OLD_ORDERS
        ),
        "INSERT INTO product (sku, name, unit, price, stock, supplier) "
        "VALUES ('P', 'Part', 'pcs', 0, 0, '')",
        # One free line each (quantity 1, stored in thousandths), so check finds nothing.
        "INSERT INTO order_lines (order_id, position, sku, name, unit, quantity, shipped, "
        "invoiced, canceled, unit_price, amount, backordered, backordered_amount, closed, "
        "canceled_with_order, canceled_amount) "
        "SELECT id, 1, 'P', 'Part', 'pcs', 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM orders",
    )
    upgraded = open_database(target)
    try:
        tables = snapshot(target)
        registered = sorted((row[1], row[2]) for row in tables["customers"])
        assert registered == [
            ("Byg-Huset A/S", "byg-huset a/s"),
            ("Großhandel Straße", "grosshandel strasse"),
            ("hansen & søn vvs", "hansen & søn vvs"),
        ]
        names = {row[0]: row[1] for row in tables["customers"]}
        linked = {}
        for row in tables["orders"]:
            number, customer, customer_id = row[1], row[2], row[10]
            assert customer == names[customer_id]  # orders carry the registered name
            linked.setdefault(names[customer_id], []).append(number)
        assert {k: sorted(v) for k, v in linked.items()} == {
            "hansen & søn vvs": [1, 2, 3],
            "Byg-Huset A/S": [4, 5],
            "Großhandel Straße": [6, 7, 8],
        }
        assert list(integrity.check_database(upgraded)) == []
    finally:
        upgraded.dispose()


@pytest.fixture
def shop(db: Database) -> Database:
    catalogue.add_product(db, "BOX-68", name="Box", price="2", stock="5")
    catalogue.add_product(db, "CABLE-25", name="Cable", price="1", stock="0")
    return db


def test_an_order_finds_its_customer_in_any_case(shop: Database) -> None:
    first = orders.place_order(shop, customer="Hansen & Søn VVS", items=[Item("BOX-68", D(1))])
    again = orders.place_order(shop, customer="HANSEN & SØN vvs", items=[Item("BOX-68", D(1))])
    assert first.customer_created and not again.customer_created
    assert again.customer == "Hansen & Søn VVS"
    assert [c.name for c in customers.list_customers(shop)] == ["Hansen & Søn VVS"]
    assert [c.open_orders for c in customers.list_customers(shop)] == [2]


def test_a_near_miss_is_refused_with_the_name_meant_and_nothing_is_written(
    shop: Database, target: str
) -> None:
    orders.add_order(shop, customer="Hansen & Søn VVS", items=[Item("BOX-68", D(1))])
    before = snapshot(target)
    for typo in ("Hansen & Son VVS", "Hanssen & Søn VVS", "Hansen &  Søn, VVS"):
        with pytest.raises(NotAllowed, match="did you mean 'Hansen & Søn VVS'") as refused:
            orders.add_order(shop, customer=typo, items=[Item("BOX-68", D(1))])
        assert refused.value.code == "customer_near_miss"
    assert snapshot(target) == before
    placed = orders.place_order(
        shop, customer="Hansen & Son VVS", items=[Item("BOX-68", D(1))], new_customer=True
    )
    assert placed.customer_created


def test_an_order_takes_the_customers_address_and_priority(shop: Database) -> None:
    customers.add_customer(shop, "Elektro Syd", address="Vestergade 12", priority=4)
    number = orders.add_order(
        shop, customer="elektro syd", items=[Item("BOX-68", D(1))], reference="PO-77"
    )
    detail = customers.show_customer(shop, "ELEKTRO SYD")
    [order] = detail.orders
    assert (order.number, order.address, order.reference, order.policy) == (
        number,
        "Vestergade 12",
        "PO-77",
        "manual",
    )
    assert detail.owed[0].sku == "BOX-68" and detail.owed[0].value == D("2.00")


def test_a_backorder_keeps_address_reference_policy_and_priority(
    shop: Database, target: str
) -> None:
    customers.add_customer(shop, "Elektro Syd", priority=2)
    number = orders.add_order(
        shop,
        customer="Elektro Syd",
        items=[Item("BOX-68", D(5)), Item("CABLE-25", D(3))],
        address="Renovation, Vestergade 12",
        reference="PO-2401",
        policy="ship-complete",
    )
    # Forced: ship-complete refuses a partial shipment (the policy stays on the order).
    fulfilment.ship(shop, number, [Item("BOX-68", D(5))], force=True)
    fulfilment.invoice_order(shop, number)
    new = backorders.create_backorder(shop, number).backorder
    rows = {row[1]: row for row in snapshot(target)["orders"]}
    # customer, comment ... address, reference, policy, priority; customer_id
    assert rows[new][2] == rows[number][2] == "Elektro Syd"
    assert rows[new][3] == f"Backorder from order #{number}"
    assert rows[new][10:] == rows[number][10:]
    assert rows[new][11:] == ("Renovation, Vestergade 12", "PO-2401", "ship-complete", 2)
    assert list(integrity.check_database(shop)) == []


def test_priority_comes_before_the_waiting_date_in_ready_and_the_etas(shop: Database) -> None:
    older = orders.add_order(shop, customer="First Come", items=[Item("BOX-68", D(5))])
    newer = orders.add_order(shop, customer="Big Customer", items=[Item("BOX-68", D(5))])
    assert [a.number for a in fulfilment.ready_orders(shop)] == [older]
    assert supply.etas(shop)[newer] is None

    change = customers.edit_customer(shop, "big customer", priority=10)
    assert change.orders_updated == 1
    assert [a.number for a in fulfilment.ready_orders(shop)] == [newer]
    etas = supply.etas(shop)
    assert etas[newer] is not None and etas[older] is None
    assert list(integrity.check_database(shop)) == []


def test_a_rename_renames_the_orders_and_keeps_the_history(shop: Database, target: str) -> None:
    number = orders.add_order(shop, customer="Hansen", items=[Item("BOX-68", D(1))])
    customers.edit_customer(shop, "hansen", new_name="Hansen & Søn VVS")
    assert {row[1]: row[2] for row in snapshot(target)["orders"]} == {number: "Hansen & Søn VVS"}
    history = [(row[4], row[5]) for row in snapshot(target)["history"] if row[1] is None]
    assert ("customer changed", "Hansen: name 'Hansen' -> 'Hansen & Søn VVS'") in history
    assert list(integrity.check_database(shop)) == []


def test_a_registered_name_is_refused_in_any_case(shop: Database, target: str) -> None:
    customers.add_customer(shop, "Elektro Syd")
    customers.add_customer(shop, "Byg-Huset")
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="already registered") as refused:
        customers.add_customer(shop, "ELEKTRO SYD")
    assert refused.value.code == "customer_exists"
    with pytest.raises(NotAllowed, match="already registered"):
        customers.edit_customer(shop, "byg-huset", new_name="elektro syd")
    with pytest.raises(NotFound, match="did you mean 'Elektro Syd'"):
        customers.show_customer(shop, "Elektro Sud")
    dry = customers.edit_customer(shop, "elektro syd", priority=3, dry_run=True)
    assert dry.changes == ["priority 0 -> 3"]
    assert snapshot(target) == before


def test_export_and_import_keep_the_register(shop: Database, tmp_path) -> None:
    customers.add_customer(
        shop,
        "Elektro Syd",
        email="indkob@elektro-syd.dk",
        address="Havnen 3",
        policy="ship-complete",
        priority=7,
    )
    customers.add_customer(shop, "No Orders Yet")
    orders.add_order(shop, customer="Elektro Syd", items=[Item("BOX-68", D(1))], reference="PO-1")
    document = export.export_header(shop) | {"orders": list(export.iter_export(shop))}
    target = tmp_path / "copy.db"
    from backorder_cli.storage.schema import init_database

    copy, _ = init_database(str(target))
    try:
        transfer_service.import_text(copy, json.dumps(document, default=str), source="x.json")
        assert [
            (c.name, c.email, c.address, c.policy, c.priority)
            for c in customers.list_customers(copy)
        ] == [
            ("Elektro Syd", "indkob@elektro-syd.dk", "Havnen 3", "ship-complete", 7),
            ("No Orders Yet", None, None, "manual", 0),
        ]
        [order] = customers.show_customer(copy, "elektro syd").orders
        assert (order.reference, order.address) == ("PO-1", "Havnen 3")
        assert list(integrity.check_database(copy)) == []
    finally:
        copy.dispose()


def test_check_finds_an_order_whose_copy_of_its_customer_is_stale(
    shop: Database, target: str
) -> None:
    number = orders.add_order(shop, customer="Elektro Syd", items=[Item("BOX-68", D(1))])
    run_sql(
        target,
        f"UPDATE orders SET priority = 5, customer = 'elektro syd' WHERE number = {number}",
        "UPDATE customers SET name_key = 'Elektro Syd'",
    )
    assert [str(v) for v in integrity.check_database(shop)] == [
        "customer 'Elektro Syd' is filed under 'Elektro Syd', not its name's case fold "
        "'elektro syd'",
        f"order #{number}: carries customer name 'elektro syd', but its customer is "
        "registered as 'Elektro Syd'",
        f"order #{number}: has priority 5, but its customer 'Elektro Syd' has priority 0",
    ]


def test_completion_offers_the_registered_names_in_any_case(shop: Database) -> None:
    from backorder_cli.services import completion

    for name in ("Hansen & Søn VVS", "Byg-Huset A/S", "hansen & co"):
        customers.add_customer(shop, name)
    assert completion.customer_names(shop, "HAN") == ["hansen & co", "Hansen & Søn VVS"]
    assert completion.customer_names(shop) == ["Byg-Huset A/S", "hansen & co", "Hansen & Søn VVS"]


def test_a_name_typed_with_a_combining_accent_is_the_same_customer(
    shop: Database, target: str
) -> None:
    """`Café` with é (U+00E9) and with e + U+0301 look the same: one customer, found by
    either spelling, and searches find its orders by either."""
    customers.add_customer(shop, "Caf\u00e9 Nord")
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="already registered"):
        customers.add_customer(shop, "Cafe\u0301 Nord")
    assert snapshot(target) == before
    number = orders.add_order(shop, customer="Cafe\u0301 Nord", items=[Item("BOX-68", D(1))])
    shown = customers.show_customer(shop, "cafe\u0301 nord")
    assert [o.number for o in shown.orders] == [number]
    for typed in ("caf\u00e9", "cafe\u0301"):
        found = [o.number for o in orders.iter_orders(shop, customer=typed)]
        assert found == [number], typed
    assert list(integrity.check_database(shop)) == []


def test_a_reference_is_one_line_and_an_edit_says_what_follows(shop: Database, target: str) -> None:
    from backorder_cli.errors import InvalidInput
    from backorder_cli.services import corrections

    before = snapshot(target)
    with pytest.raises(InvalidInput, match="reference must be one line"):
        orders.add_order(
            shop, customer="Addr", items=[Item("BOX-68", D(1))], reference="PO1\nBcc: x@y.z"
        )
    assert snapshot(target) == before
    number = orders.add_order(
        shop, customer="Addr", items=[Item("BOX-68", D(1))], policy="ship-complete"
    )
    with pytest.raises(InvalidInput, match="reference must be one line"):
        corrections.edit_order(shop, number, reference="a\nb")
    done = corrections.edit_order(shop, number, policy="customer", reference="PO-7")
    assert done.changes == ["reference none -> 'PO-7'", "policy 'ship-complete' -> the customer's"]
    assert list(integrity.check_database(shop)) == []


def test_an_import_refuses_a_reference_of_more_than_one_line(shop: Database, target: str) -> None:
    from backorder_cli.errors import InvalidInput

    orders.add_order(shop, customer="Elektro Syd", items=[Item("BOX-68", D(1))], reference="PO-1")
    document = export.export_header(shop) | {"orders": list(export.iter_export(shop))}
    document.pop("products", None)
    document.pop("customers", None)
    [order] = [o for o in document["orders"] if o.get("reference") == "PO-1"]
    order["number"] = 9001
    order["reference"] = "PO-1\nBcc: x@y.z"
    before = snapshot(target)
    with pytest.raises(InvalidInput, match="1 problem") as refused:
        transfer_service.import_text(shop, json.dumps(document, default=str), source="x.json")
    [problem] = refused.value.details
    assert problem.endswith("reference must be one line (no line breaks or tabs)")
    assert snapshot(target) == before
