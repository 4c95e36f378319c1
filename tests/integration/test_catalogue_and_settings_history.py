"""`products add`, `products receive` and `settings set` leave history entries (who,
when, what, before and after) that `log` shows; `settings set next-order-number N`
moves the order series up, never down; a product needs a price."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.domain.values import Item, parse_quantity
from backorder_cli.errors import InvalidInput, NotAllowed
from backorder_cli.services import catalogue, integrity, orders, reports
from backorder_cli.services.results import SeriesMove
from backorder_cli.storage.database import Database
from tests.conftest import snapshot

Run = Callable[..., Result]


def not_about_orders(db: Database) -> list[tuple[str, str]]:
    return [(e.event, e.detail) for e in reports.iter_log(db) if e.order is None]


def test_products_and_settings_changes_are_in_the_log(sample_db: Database) -> None:
    catalogue.add_product(sample_db, "CAB-3", name="Cable 3G", unit="m", price="2.1", stock="5")
    catalogue.receive_stock(sample_db, "CAB-3", "2.5")
    catalogue.set_setting(sample_db, "inventory-value-on-invoicing", "on")
    catalogue.set_setting(sample_db, "next-order-number", "5000")
    assert not_about_orders(sample_db) == [
        ("product added", "CAB-3 (Cable 3G): price 2.10, stock 5 m"),
        ("stock received", "2.5 x CAB-3: stock 5 -> 7.5 m"),
        ("setting changed", "inventory-value-on-invoicing: off -> on"),
        ("setting changed", "next-order-number: 2402 -> 5000"),
    ]
    entries = [e for e in reports.iter_log(sample_db) if e.order is None]
    assert all(e.at is not None and e.user is not None for e in entries)
    # The filters still work: one order's entries, and from a day on.
    assert {e.order for e in reports.iter_log(sample_db, order=2401)} == {2401}
    assert not list(reports.iter_log(sample_db, since=entries[-1].at.date().replace(year=9999)))
    assert len(list(reports.iter_log(sample_db, since=entries[0].at.date()))) >= 4
    assert list(integrity.check_database(sample_db)) == []


def test_next_order_number_moves_the_series_up(sample_db: Database) -> None:
    catalogue.set_setting(sample_db, "next-order-number", "#5000")
    assert catalogue.get_settings(sample_db)["next-order-number"] == "5000"
    number = orders.add_order(sample_db, customer="A", items=[Item("BOX-68", parse_quantity("1"))])
    assert number == 5000
    assert catalogue.get_settings(sample_db)["next-order-number"] == "5001"


@pytest.mark.parametrize("value", ["2401", "2000", "1"])
def test_next_order_number_never_goes_down_to_a_used_number(
    sample_db: Database, target: str, value: str
) -> None:
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="order numbers up to #2401 are already used"):
        catalogue.set_setting(sample_db, "next-order-number", value)
    assert snapshot(target) == before


def test_next_order_number_must_be_an_order_number(sample_db: Database) -> None:
    with pytest.raises(InvalidInput, match="next-order-number takes an order number"):
        catalogue.set_setting(sample_db, "next-order-number", "12.5")


def test_a_product_needs_a_price(db: Database) -> None:
    with pytest.raises(TypeError):
        catalogue.add_product(db, "X-1", name="X")  # type: ignore[call-arg]


# ---------------------------------------------------------------- the command line


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def test_products_add_without_price_is_a_usage_error(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("products", "add", "X-1", "--name", "X")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Missing option '--price'")
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(target) == before


def test_settings_set_next_order_number_refuses_a_lower_one(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("settings", "set", "next-order-number", "2401", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: order numbers up to #2401 are already used - next-order-number only goes "
        "up: give 2402 or more\n"
    )
    assert snapshot(target) == before
    bad = sample("settings", "set", "next-order-number", "soon")
    assert bad.exit_code == 2
    assert snapshot(target) == before
    done = sample("settings", "set", "next-order-number", "3001", "--yes")
    assert done.exit_code == 0
    assert sample("orders", "add", "--customer", "A", "BOX-68=1").stdout == "3001\n"
    logged = sample("log", "-f", "csv").stdout
    assert ",setting changed,next-order-number: 2402 -> 3001\n" in logged
    assert sample("check").exit_code == 0


def test_moving_the_order_series_says_what_changes_and_asks_first(
    sample: Run, target: str, at_terminal: None
) -> None:
    before = snapshot(target)
    asked = sample("settings", "set", "next-order-number", "5000", input="n\n")
    assert asked.exit_code == 1
    assert asked.stderr == (
        "This will make the next new order #5000 (now #2402); numbers below it are never "
        "used.\nContinue? [y/N] Aborted: nothing was changed.\n"
    )
    dry = sample("settings", "set", "next-order-number", "5000", "--dry-run", "-f", "json")
    assert (dry.exit_code, json.loads(dry.stdout)) == (
        0,
        {"dry_run": True, "next-order-number": "5000"},
    )
    assert snapshot(target) == before
    done = sample("settings", "set", "next-order-number", "5000", input="y\n")
    assert done.exit_code == 0, done.output
    assert done.stderr.endswith("next-order-number = 5000\n")
    assert sample("orders", "add", "--customer", "A", "BOX-68=1").stdout == "5000\n"
    # A plain setting changes at once, as before: nothing is lost for good.
    plain = sample("settings", "set", "inventory-value-on-invoicing", "on")
    assert (plain.exit_code, plain.stderr) == (0, "inventory-value-on-invoicing = on\n")
    assert sample("check").exit_code == 0


def test_a_confirmed_series_move_is_refused_when_the_series_moved_meanwhile(
    sample_db: Database, target: str
) -> None:
    shown = catalogue.move_order_series(sample_db, 5000, dry_run=True)
    assert shown == SeriesMove(2402, 5000)
    orders.add_order(sample_db, customer="A", items=[Item("BOX-68", parse_quantity("1"))])
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="the order series moved while you were answering"):
        catalogue.move_order_series(sample_db, 5000, expected=shown)
    assert snapshot(target) == before
