"""What TAB offers, on both backends: the orders each command takes, the SKUs of the
catalogue, what is left to ship on an order; and that looking never writes."""

from __future__ import annotations

from decimal import Decimal as D

from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment
from backorder_cli.services import completion as completion_service
from backorder_cli.services.completion import Takes
from backorder_cli.storage.database import Database
from tests.conftest import snapshot


def test_each_command_is_offered_the_orders_it_takes(sample_db: Database, target: str) -> None:
    before = snapshot(target)
    numbers = {takes: completion_service.order_numbers(sample_db, takes) for takes in Takes}
    assert snapshot(target) == before
    assert numbers[Takes.ANY] == list(range(2390, 2402))
    assert numbers[Takes.DRAFTS] == [2395]
    assert numbers[Takes.SHIPPABLE] == [2396, 2397, 2398, 2399, 2400, 2401]
    assert numbers[Takes.UNINVOICED] == [2393, 2398]
    assert numbers[Takes.PARTIALLY_SHIPPED] == [2398, 2399, 2401]
    assert numbers[Takes.UNDOABLE] == []


def test_a_fresh_backorder_is_offered_to_undo_until_something_ships(sample_db: Database) -> None:
    [outcome] = backorders_service.create_backorders(sample_db, [2401])
    assert completion_service.order_numbers(sample_db, Takes.UNDOABLE) == [outcome.backorder]
    catalogue.receive_stock(sample_db, "CABLE-15", D(1))
    fulfilment.ship(sample_db, outcome.backorder, None)
    assert completion_service.order_numbers(sample_db, Takes.UNDOABLE) == []


def test_numbers_are_offered_by_the_digits_typed(sample_db: Database) -> None:
    assert completion_service.order_numbers(sample_db, Takes.ANY, "240") == [2400, 2401]
    assert completion_service.order_numbers(sample_db, Takes.ANY, "#2401") == [2401]
    assert completion_service.order_numbers(sample_db, Takes.ANY, "x") == []
    assert completion_service.order_numbers(sample_db, Takes.ANY, "%") == []


def test_skus_are_offered_by_the_letters_typed(sample_db: Database) -> None:
    assert completion_service.skus(sample_db, "CABLE") == ["CABLE-15", "CABLE-25"]
    assert len(completion_service.skus(sample_db)) == len(catalogue.list_products(sample_db))


def test_a_wildcard_in_what_is_typed_is_a_plain_character(sample_db: Database) -> None:
    catalogue.add_product(sample_db, "A_B", name="a", unit="pcs", price=D(1), stock=D(0))
    catalogue.add_product(sample_db, "AXB", name="a", unit="pcs", price=D(1), stock=D(0))
    assert completion_service.skus(sample_db, "A_") == ["A_B"]


def test_what_is_left_to_ship_is_offered_as_sku_equals_quantity(sample_db: Database) -> None:
    assert completion_service.remaining_items(sample_db, 2401) == ["CABLE-15=150", "SWITCH-1=12"]
    assert completion_service.remaining_items(sample_db, 99999) == []


def test_corrections_are_offered_only_the_orders_they_take(sample_db: Database) -> None:
    shippable = completion_service.order_numbers(sample_db, Takes.SHIPPABLE)
    drafts = completion_service.order_numbers(sample_db, Takes.DRAFTS)
    partly = completion_service.order_numbers(sample_db, Takes.PARTIALLY_SHIPPED)
    cancelable = completion_service.order_numbers(sample_db, Takes.CANCELABLE)
    # orders cancel: drafts and booked orders (nothing shipped), never a canceled one.
    assert cancelable == sorted(drafts + [n for n in shippable if n not in partly])
    assert cancelable == [2395, 2396, 2397, 2400]
    # orders edit: anything still open, drafts too.
    assert completion_service.order_numbers(sample_db, Takes.EDITABLE) == sorted(drafts + shippable)


def test_credit_is_offered_invoices_not_credit_notes(sample_db: Database, target: str) -> None:
    from backorder_cli.services import invoices

    every = completion_service.invoice_numbers(sample_db)
    note = invoices.credit_invoice(sample_db, every[-1]).number
    before = snapshot(target)
    assert completion_service.invoice_numbers(sample_db) == [*every, note]
    assert completion_service.invoice_numbers(sample_db, credit_notes=False) == every
    assert completion_service.invoice_numbers(sample_db, f"#{note}") == [note]
    assert completion_service.invoice_numbers(sample_db, "x") == []
    assert snapshot(target) == before
