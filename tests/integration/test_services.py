"""Use cases against a real SQLite file: the returned value, the database afterwards,
and that every refusal left the database exactly as it was."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.orders import Status
from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError, InvalidInput, NotAllowed, NotFound
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, orders
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import snapshot


def refused(db: Database, path: str, error: type[BackorderError], match: str, fn, *args, **kw):
    """Call a use case that must be refused, and check it changed nothing."""
    before = snapshot(path)
    with pytest.raises(error, match=match):
        fn(db, *args, **kw)
    assert snapshot(path) == before


def lines_of(db: Database, number: int) -> dict[str, tuple[D, D, D, D]]:
    order = orders.get_order(db, number)
    return {ln.sku: (ln.quantity, ln.shipped, ln.invoiced, ln.canceled) for ln in order.lines}


def stock(db: Database) -> dict[str, D]:
    return {p.sku: p.stock for p in catalogue.list_products(db)}


# ---------------------------------------------------------------- the seed example


def test_backorder_of_2401_becomes_2402_with_the_undelivered_items(sample_db: Database) -> None:
    before = orders.get_order(sample_db, 2401)
    result = backorders_service.create_backorder(sample_db, 2401)

    assert result.original == 2401
    assert result.backorder == 2402
    new = orders.get_order(sample_db, 2402)
    assert new.status == Status.BOOKED
    assert not new.archived
    assert new.customer == before.customer
    assert new.comment.startswith("Backorder from order #2401")
    assert new.backorder_of == 2401
    assert [(ln.sku, ln.name, ln.quantity, ln.unit_price) for ln in new.lines] == [
        ("CABLE-15", "Installation cable 3G1.5", D(150), D("1.40")),
        ("SWITCH-1", "Light switch, white", D(12), D("8.90")),
    ]
    assert all(ln.shipped == ln.invoiced == ln.canceled == 0 for ln in new.lines)
    assert [h.event for h in new.history] == ["created"]
    assert "#2401" in new.history[0].detail


def test_the_original_is_canceled_and_archived_and_keeps_its_shipments(sample_db: Database) -> None:
    invoices_before = orders.get_order(sample_db, 2401).invoices
    backorders_service.create_backorder(sample_db, 2401)
    original = orders.get_order(sample_db, 2401)
    assert original.status == Status.CANCELED
    assert original.archived
    assert original.backorders == [2402]
    assert lines_of(sample_db, 2401) == {
        "SOCKET-2": (D(8), D(8), D(8), D(0)),
        "BOX-68": (D(40), D(40), D(40), D(0)),
        "CABLE-15": (D(150), D(0), D(0), D(150)),
        "SWITCH-1": (D(12), D(0), D(0), D(12)),
    }
    assert original.invoices == invoices_before
    assert original.history[-1].event == "backordered"
    assert "#2402" in original.history[-1].detail
    assert original.total == D("134.00")  # what was delivered; the rest is on #2402


def test_the_archived_original_is_found_by_listing_archived_orders(sample_db: Database) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    found = list(orders.iter_orders(sample_db, archived="archived", search="2401"))
    assert [o.number for o in found] == [2401]
    assert 2401 not in [o.number for o in orders.iter_orders(sample_db)]


def test_a_backorder_keeps_the_unit_price(sample_db: Database) -> None:
    backorders_service.create_backorder(sample_db, 2399)
    new = orders.get_order(sample_db, 2402)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in new.lines] == [
        ("SWITCH-1", D(6), D("8.90"))
    ]


def test_the_backorder_number_is_next_in_the_series_not_next_to_the_original(
    sample_db: Database,
) -> None:
    # 2399 is older than 2400 and 2401: its backorder must not take 2400.
    result = backorders_service.create_backorder(sample_db, 2399)
    assert result.backorder == 2402
    assert orders.add_order(sample_db, customer="X", items=[Item("BOX-68", D(1))]) == 2403


def test_numbers_are_never_reused_even_after_a_higher_import(sample_db: Database) -> None:
    transfer_service.import_text(
        sample_db,
        '{"orders": [{"number": 5000, "customer": "Far", '
        '"lines": [{"sku": "BOX-68", "quantity": 1}]}]}',
        source="far.json",
    )
    assert backorders_service.create_backorder(sample_db, 2401).backorder == 5001


def test_invoice_first_invoices_then_backorders_in_one_go(sample_db: Database) -> None:
    result = backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    assert result.invoice is not None
    assert result.invoice.total == D("81.13")  # 25 x 3.245 = 81.125, half-up
    original = orders.get_order(sample_db, 2398)
    assert original.status == Status.CANCELED
    assert original.invoices[-1].number == result.invoice.number
    assert lines_of(sample_db, 2398)["LED-9W"] == (D(40), D(25), D(25), D(15))
    assert lines_of(sample_db, result.backorder) == {
        "LED-9W": (D(15), D(0), D(0), D(0)),
        "SOCKET-2": (D(4), D(0), D(0), D(0)),
    }


def test_a_failure_midway_leaves_nothing_behind(
    sample_db: Database, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invoice, the cancellation and the new order commit together or not at all."""
    before = snapshot(target)

    def broken(origin: int, comment: str = "") -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr("backorder_cli.services.splits.backorder_comment", broken)
    with pytest.raises(RuntimeError):
        backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    assert snapshot(target) == before


def test_the_preview_shows_the_plan_and_writes_nothing(sample_db: Database, target: str) -> None:
    before = snapshot(target)
    preview = backorders_service.preview_backorder(sample_db, 2398, invoice_first=True)
    assert preview.next_number == 2402
    assert [(m.sku, m.quantity) for m in preview.moves] == [("LED-9W", D(15)), ("SOCKET-2", D(4))]
    assert preview.to_invoice == [("LED-9W", D(25), D("81.13"))]
    assert snapshot(target) == before


# ---------------------------------------------------------------- backorder refusals


def test_an_unknown_order_is_not_found(sample_db: Database, target: str) -> None:
    refused(
        sample_db,
        target,
        NotFound,
        "order #9999 not found",
        backorders_service.create_backorder,
        9999,
    )


def test_no_backorder_while_inventory_value_is_tied_to_invoicing(
    sample_db: Database, target: str
) -> None:
    catalogue.set_setting(sample_db, "inventory-value-on-invoicing", "on")
    refused(
        sample_db,
        target,
        NotAllowed,
        "not possible while inventory value is associated with invoicing",
        backorders_service.create_backorder,
        2401,
    )
    catalogue.set_setting(sample_db, "inventory-value-on-invoicing", "off")
    assert backorders_service.create_backorder(sample_db, 2401).backorder == 2402


def test_backordering_twice_names_the_first_backorder(sample_db: Database, target: str) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    refused(
        sample_db,
        target,
        NotAllowed,
        "already backordered as #2402",
        backorders_service.create_backorder,
        2401,
    )


def test_the_earlier_backordered_sample_order_names_its_backorder(
    sample_db: Database, target: str
) -> None:
    refused(
        sample_db,
        target,
        NotAllowed,
        "already backordered as #2391",
        backorders_service.create_backorder,
        2390,
    )


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        (2396, "nothing shipped yet"),
        (2395, "is a draft"),
        (2393, "fully shipped"),
        (2392, "fully shipped"),
        (2394, "is canceled"),
    ],
)
def test_only_partially_shipped_orders_are_backordered(
    sample_db: Database, target: str, number: int, problem: str
) -> None:
    refused(sample_db, target, NotAllowed, problem, backorders_service.create_backorder, number)


def test_uninvoiced_shipments_are_refused_without_invoice(sample_db: Database, target: str) -> None:
    refused(
        sample_db,
        target,
        NotAllowed,
        "run `backorder invoice 2398` first, or pass --invoice",
        backorders_service.create_backorder,
        2398,
    )


# ---------------------------------------------------------------- orders


def test_a_new_order_is_numbered_next_and_takes_the_product_price(db: Database) -> None:
    catalogue.add_product(db, "CAB", name="Cable", unit="m", price="1.95", stock="10")
    first = orders.add_order(db, customer="Anna", items=[Item("CAB", D("2.5"))])
    second = orders.add_order(db, customer="Bo", items=[Item("CAB", D(1), D("1.50"))], draft=True)
    assert (first, second) == (1001, 1002)
    one = orders.get_order(db, first)
    assert one.status == Status.BOOKED
    assert [(ln.quantity, ln.unit_price, ln.unit) for ln in one.lines] == [
        (D("2.5"), D("1.95"), "m")
    ]
    assert one.total == D("4.88")
    assert orders.get_order(db, second).status == Status.DRAFT


def test_an_order_with_an_unknown_sku_is_refused(db: Database, target: str) -> None:
    refused(
        db,
        target,
        NotFound,
        "unknown SKU NOPE",
        orders.add_order,
        customer="Anna",
        items=[Item("NOPE", D(1))],
    )


def test_a_draft_is_booked_and_only_a_draft(sample_db: Database, target: str) -> None:
    assert orders.book_order(sample_db, 2395) == Status.BOOKED
    refused(sample_db, target, NotAllowed, "not a draft", orders.book_order, 2395)


def test_list_shows_active_orders_newest_first(sample_db: Database) -> None:
    numbers = [o.number for o in orders.iter_orders(sample_db)]
    assert numbers == sorted(numbers, reverse=True)
    assert 2390 not in numbers  # archived
    assert [o.number for o in orders.iter_orders(sample_db, archived="archived")] == [2390]
    assert len(list(orders.iter_orders(sample_db, archived="all"))) == 12


def test_list_filters_by_status_customer_search_and_limit(sample_db: Database) -> None:
    partial = list(orders.iter_orders(sample_db, statuses=[Status.PARTIALLY_SHIPPED]))
    assert [o.number for o in partial] == [2401, 2399, 2398]
    both = list(orders.iter_orders(sample_db, statuses=[Status.DRAFT, Status.SHIPPED]))
    assert [o.number for o in both] == [2395, 2393]
    hansen = list(orders.iter_orders(sample_db, customer="hansen", archived="all"))
    assert [o.number for o in hansen] == [2401, 2396, 2392]
    assert [o.number for o in orders.iter_orders(sample_db, search="vestergade")] == [2401]
    assert [o.number for o in orders.iter_orders(sample_db, search="#2390", archived="all")] == [
        2391,  # its comment says "Backorder from order #2390"
        2390,
    ]
    assert len(list(orders.iter_orders(sample_db, limit=2))) == 2


def test_search_text_is_matched_literally_never_as_sql(sample_db: Database) -> None:
    orders.add_order(
        sample_db, customer="100% Strøm'; DROP TABLE orders;--", items=[Item("BOX-68", D(1))]
    )
    assert [o.customer for o in orders.iter_orders(sample_db, search="100%")] == [
        "100% Strøm'; DROP TABLE orders;--"
    ]
    assert list(orders.iter_orders(sample_db, search="1_0")) == []
    assert list(orders.iter_orders(sample_db, search="%")) != []
    assert len(list(orders.iter_orders(sample_db, archived="all"))) == 13


# ---------------------------------------------------------------- shipping


def test_shipping_lowers_stock_and_moves_the_status(sample_db: Database) -> None:
    result = fulfilment.ship(sample_db, 2396, [Item("CABLE-25", D("20.5"))])
    assert result.status == Status.PARTIALLY_SHIPPED
    assert stock(sample_db)["CABLE-25"] == D("379.5")
    assert lines_of(sample_db, 2396)["CABLE-25"] == (D(50), D("20.5"), D(0), D(0))
    fulfilment.ship(sample_db, 2396, None)
    assert orders.get_order(sample_db, 2396).status == Status.SHIPPED
    assert orders.get_order(sample_db, 2396).history[-1].event == "shipped"


def test_ship_available_covers_what_stock_allows(sample_db: Database) -> None:
    catalogue.receive_stock(sample_db, "SWITCH-1", "5")
    result = fulfilment.ship(sample_db, 2400, None)
    assert result.shipped == [("SWITCH-1", D(5))]
    assert result.status == Status.PARTIALLY_SHIPPED
    assert stock(sample_db)["SWITCH-1"] == 0


def test_ship_available_with_no_stock_is_refused(sample_db: Database, target: str) -> None:
    refused(sample_db, target, NotAllowed, "no stock on hand", fulfilment.ship, 2401, None)


@pytest.mark.parametrize(
    ("number", "items", "error", "problem"),
    [
        (2396, [Item("CABLE-25", D(51))], NotAllowed, "only 50 remains"),
        (2400, [Item("SWITCH-1", D(1))], NotAllowed, "only 0 in stock"),
        (2396, [Item("LED-9W", D(1))], NotAllowed, "no line for SKU LED-9W"),
        (2395, [Item("SOCKET-2", D(1))], NotAllowed, "is a draft"),
        (2390, [Item("CABLE-25", D(1))], NotAllowed, "is canceled"),
        (2392, [Item("SOCKET-2", D(1))], NotAllowed, "only 0 remains"),
        (9999, [Item("SOCKET-2", D(1))], NotFound, "not found"),
    ],
)
def test_bad_shipments_are_refused(
    sample_db: Database, target: str, number: int, items: list[Item], error: type, problem: str
) -> None:
    refused(sample_db, target, error, problem, fulfilment.ship, number, items)


# ---------------------------------------------------------------- invoicing


def test_invoicing_bills_shipped_quantities_with_the_next_invoice_number(
    sample_db: Database,
) -> None:
    first = fulfilment.invoice_order(sample_db, 2393)
    assert first.total == D("96.00")
    assert first.lines == [("BREAKER-16", D(4), D("96.00"))]
    assert orders.get_order(sample_db, 2393).status == Status.INVOICED
    second = fulfilment.invoice_order(sample_db, 2398)
    assert second.number == first.number + 1


def test_invoicing_with_nothing_to_invoice_is_refused(sample_db: Database, target: str) -> None:
    refused(
        sample_db, target, NotAllowed, "nothing left to invoice", fulfilment.invoice_order, 2392
    )
    refused(sample_db, target, NotAllowed, "ship first", fulfilment.invoice_order, 2396)
    refused(sample_db, target, NotAllowed, "is a draft", fulfilment.invoice_order, 2395)


def test_a_canceled_order_cannot_be_invoiced(sample_db: Database, target: str) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    refused(
        sample_db,
        target,
        NotAllowed,
        "invoices cannot be created for a canceled order",
        fulfilment.invoice_order,
        2401,
    )


# ---------------------------------------------------------------- products and settings


def test_products_are_added_received_and_refused_twice(db: Database, target: str) -> None:
    catalogue.add_product(db, "CAB", name="Cable", unit="m", price="1.95", stock="2.5")
    assert catalogue.receive_stock(db, "CAB", "0.75").stock == D("3.25")
    refused(
        db,
        target,
        NotAllowed,
        "already exists",
        catalogue.add_product,
        "CAB",
        name="Again",
        price="1",
    )
    refused(db, target, NotFound, "unknown SKU NOPE", catalogue.receive_stock, "NOPE", "1")
    refused(db, target, InvalidInput, "greater than zero", catalogue.receive_stock, "CAB", "-1")


def test_settings_default_off_and_change(db: Database, target: str) -> None:
    assert catalogue.get_settings(db) == {
        "inventory-value-on-invoicing": "off",
        "next-order-number": "1001",
    }
    catalogue.set_setting(db, "inventory-value-on-invoicing", "on")
    assert catalogue.get_settings(db)["inventory-value-on-invoicing"] == "on"
    refused(
        db,
        target,
        InvalidInput,
        "on or off",
        catalogue.set_setting,
        "inventory-value-on-invoicing",
        "2",
    )
