"""Domain rules on plain objects: no database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backorder_cli.domain.backorders import (
    BackorderPlan,
    backorder_comment,
    confirmation_text,
    plan_backorder,
)
from backorder_cli.domain.money import line_amount
from backorder_cli.domain.orders import (
    Status,
    order_status,
    order_total,
    parse_setting,
    parse_status,
    plan_invoice,
    plan_shipment,
    remaining,
)
from backorder_cli.domain.values import (
    Item,
    format_money,
    format_quantity,
    parse_item,
    parse_items,
    parse_price,
    parse_quantity,
    parse_text,
)
from backorder_cli.errors import InvalidInput, NotAllowed


@dataclass
class Line:
    sku: str
    quantity: D
    shipped: D = D(0)
    invoiced: D = D(0)
    canceled: D = D(0)
    unit_price: D = D("1.00")
    name: str = "thing"
    unit: str = "pcs"
    # Unless given: worth what it was not canceled of, its canceled units moved to a
    # backorder (what the tool's own lines are after `create`).
    amount: D | None = None
    backordered: D | None = None
    backordered_amount: D = D(0)

    def __post_init__(self) -> None:
        if self.amount is None:
            self.amount = line_amount(self.quantity - self.canceled, self.unit_price)
        if self.backordered is None:
            self.backordered = self.canceled


@dataclass
class Order:
    number: int = 2401
    status: str = "partially_shipped"
    archived: bool = False


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", D(2)), ("2.5", D("2.5")), ("0.125", D("0.125")), (" 7 ", D(7)), ("2.500", D("2.5"))],
)
def test_quantities_parse_exactly(text: str, expected: D) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0", "greater than zero"),
        ("-1", "greater than zero"),
        ("abc", "plain decimal number"),
        ("NaN", "plain decimal number"),
        ("inf", "plain decimal number"),
        ("1e3", "plain decimal number"),
        ("1.0001", "more than 3 decimal places"),
        ("1000000000000", "too large"),
        ("", "plain decimal number"),
    ],
)
def test_bad_quantities_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_quantity(text)


def test_prices_take_four_places_and_zero_but_not_five_or_negative() -> None:
    assert parse_price("3.2450") == D("3.245")
    assert parse_price("0") == 0
    with pytest.raises(InvalidInput, match="more than 4 decimal places"):
        parse_price("1.00001")
    with pytest.raises(InvalidInput, match="must not be negative"):
        parse_price("-1")


def test_an_item_parses_sku_quantity_and_optional_price() -> None:
    assert parse_item("CABLE-25=2.5") == Item("CABLE-25", D("2.5"), None)
    assert parse_item("PLUG=10@4.95") == Item("PLUG", D(10), D("4.95"))


@pytest.mark.parametrize("text", ["CABLE", "=2", "CABLE=", "A B=1"])
def test_malformed_items_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_item(text)


def test_a_price_is_refused_where_only_quantities_are_taken() -> None:
    with pytest.raises(InvalidInput, match="no price"):
        parse_item("CABLE=2@1", with_price=False)


def test_the_same_sku_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="given twice"):
        parse_items(["A=1", "A=2"])


@pytest.mark.parametrize(
    "text", ["partially-shipped", "partially_shipped", "Partially Shipped", " PARTIALLY  shipped "]
)
def test_status_is_accepted_in_every_spelling(text: str) -> None:
    assert parse_status(text) is Status.PARTIALLY_SHIPPED


def test_an_unknown_status_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="partially-shipped"):
        parse_status("halfway")


def test_settings_take_only_their_values() -> None:
    assert parse_setting("inventory-value-on-invoicing", "ON") == (
        "inventory-value-on-invoicing",
        "on",
    )
    with pytest.raises(InvalidInput, match="on or off"):
        parse_setting("inventory-value-on-invoicing", "maybe")
    with pytest.raises(InvalidInput, match="unknown setting"):
        parse_setting("colour", "on")


def test_text_with_control_characters_is_refused_but_any_script_is_kept() -> None:
    assert parse_text("Hansen & Søn; DROP TABLE orders;--", what="c") == (
        "Hansen & Søn; DROP TABLE orders;--"
    )
    with pytest.raises(InvalidInput, match="control characters"):
        parse_text("a\x1b[31mb", what="customer")


# ---------------------------------------------------------------- numbers out


def test_quantities_print_without_exponent_or_trailing_zeros() -> None:
    assert format_quantity(D("100")) == "100"
    assert format_quantity(D("2.500")) == "2.5"


def _quantity_text_by_normalize(value: D) -> str:
    """What `format_quantity` wrote before its shortcut for values printed without an
    exponent: the shortcut must write exactly this."""
    value = value.normalize()
    return format(value.copy_abs() if value.is_zero() else value, "f")


@pytest.mark.parametrize(
    "text",
    ["0", "-0", "-0.000", "0.00", "100", "100.00", "-100.10", "1E+3", "1.20E+5", "0.0000010",
     "1E-7", "-1E-7", "7910.09", "1724.80", "999999999999.9999", "123456789012345678901234567",
     "1234567890123456789012345678.5", "0.000000000000000000000000001", "99999999999999999999999"
     "99999.99", "NaN", "-Infinity"],
)  # fmt: skip
def test_the_quantity_shortcut_writes_what_normalize_writes(text: str) -> None:
    assert format_quantity(D(text)) == _quantity_text_by_normalize(D(text))


@given(st.decimals(allow_nan=False, places=None) | st.decimals(places=4, allow_nan=False))
def test_the_quantity_shortcut_writes_what_normalize_writes_on_any_decimal(value: D) -> None:
    assert format_quantity(value) == _quantity_text_by_normalize(value)


def test_money_prints_at_least_two_places() -> None:
    assert format_money(D("12.5")) == "12.50"
    assert format_money(D("3.2450")) == "3.245"
    assert format_money(D("0")) == "0.00"


@pytest.mark.parametrize(
    ("qty", "price", "amount"),
    [
        ("3", "0.335", "1.01"),
        ("1", "0.005", "0.01"),
        ("25", "3.245", "81.13"),
        ("2.5", "1.95", "4.88"),
    ],
)
def test_a_line_amount_is_rounded_half_up_to_cents(qty: str, price: str, amount: str) -> None:
    assert line_amount(D(qty), D(price)) == D(amount)


# ---------------------------------------------------------------- status


def test_status_follows_the_lines() -> None:
    booked = [Line("A", D(2))]
    part = [Line("A", D(2), shipped=D(1))]
    shipped = [Line("A", D(2), shipped=D(2), invoiced=D(1))]
    invoiced = [Line("A", D(2), shipped=D(2), invoiced=D(2))]
    assert order_status("booked", booked) is Status.BOOKED
    assert order_status("booked", part) is Status.PARTIALLY_SHIPPED
    assert order_status("partially_shipped", shipped) is Status.SHIPPED
    assert order_status("shipped", invoiced) is Status.INVOICED


def test_draft_and_canceled_stay_whatever_the_lines() -> None:
    assert order_status("draft", [Line("A", D(2), shipped=D(1))]) is Status.DRAFT
    assert order_status("canceled", [Line("A", D(2))]) is Status.CANCELED


def test_remaining_is_neither_shipped_nor_canceled() -> None:
    assert remaining(Line("A", D("10.5"), shipped=D(3), canceled=D(2))) == D("5.5")


def test_the_total_leaves_out_canceled_quantities() -> None:
    lines = [Line("A", D(10), shipped=D(4), canceled=D(6), unit_price=D("2.50"))]
    assert order_total(lines) == D("10.00")


# ---------------------------------------------------------------- shipping


def test_available_ships_what_stock_covers_and_no_unit_twice() -> None:
    lines = [Line("A", D(5)), Line("B", D(3)), Line("C", D(2))]
    plan = plan_shipment(Order(status="booked"), lines, {"A": D(2), "B": D(10)}, None)
    assert [(ln.sku, q) for ln, q in plan] == [("A", D(2)), ("B", D(3))]


def test_shipping_more_than_remains_is_refused() -> None:
    lines = [Line("A", D(5), shipped=D(4))]
    with pytest.raises(NotAllowed, match="only 1 remains"):
        plan_shipment(Order(), lines, {"A": D(10)}, [Item("A", D(2))])


def test_shipping_more_than_stock_is_refused() -> None:
    with pytest.raises(NotAllowed, match="only 1 in stock"):
        plan_shipment(Order(status="booked"), [Line("A", D(5))], {"A": D(1)}, [Item("A", D(2))])


def test_shipping_a_sku_not_on_the_order_is_refused() -> None:
    with pytest.raises(NotAllowed, match="no line for SKU B"):
        plan_shipment(Order(status="booked"), [Line("A", D(5))], {"B": D(9)}, [Item("B", D(1))])


@pytest.mark.parametrize(
    ("order", "problem"),
    [
        (Order(status="draft"), "is a draft"),
        (Order(status="canceled", archived=True), "is canceled"),
        (Order(status="invoiced", archived=True), "is archived"),
    ],
)
def test_drafts_canceled_and_archived_orders_cannot_ship(order: Order, problem: str) -> None:
    with pytest.raises(NotAllowed, match=problem):
        plan_shipment(order, [Line("A", D(5))], {"A": D(9)}, None)


def test_available_with_no_stock_says_to_receive_stock() -> None:
    with pytest.raises(NotAllowed, match="receive stock"):
        plan_shipment(Order(status="booked"), [Line("A", D(5))], {"A": D(0)}, None)


# ---------------------------------------------------------------- invoicing


def test_an_invoice_takes_every_shipped_uninvoiced_quantity() -> None:
    lines = [
        Line("A", D(5), shipped=D(3), invoiced=D(1)),
        Line("B", D(2), shipped=D(2), invoiced=D(2)),
    ]
    plan = plan_invoice(Order(), lines)
    assert [(ln.sku, q) for ln, q in plan] == [("A", D(2))]


def test_nothing_to_invoice_is_refused() -> None:
    with pytest.raises(NotAllowed, match="nothing to invoice"):
        plan_invoice(Order(status="booked"), [Line("A", D(5))])


def test_a_canceled_order_cannot_be_invoiced() -> None:
    lines = [Line("A", D(5), shipped=D(3), canceled=D(2))]
    with pytest.raises(NotAllowed, match="invoices cannot be created for a canceled order"):
        plan_invoice(Order(status="canceled", archived=True), lines)


# ---------------------------------------------------------------- backorders


def _plan(order: Order, lines: list[Line], **kwargs: object) -> BackorderPlan:
    options = {
        "inventory_value_on_invoicing": False,
        "invoice_first": False,
        "backordered_as": None,
    }
    options.update(kwargs)
    return plan_backorder(order, lines, **options)  # type: ignore[arg-type]


def test_a_backorder_takes_exactly_the_remaining_quantities() -> None:
    lines = [
        Line("A", D(8), shipped=D(8), invoiced=D(8)),
        Line("B", D("150.5"), shipped=D(50), invoiced=D(50), unit_price=D("1.40")),
        Line("C", D(12)),
    ]
    plan = _plan(Order(), lines)
    assert [(m.sku, m.quantity, m.unit_price) for m in plan.moves] == [
        ("B", D("100.5"), D("1.40")),
        ("C", D(12), D("1.00")),
    ]
    assert plan.to_invoice == []


def test_the_setting_is_checked_before_anything_else() -> None:
    with pytest.raises(NotAllowed, match="inventory value is associated with invoicing"):
        _plan(Order(status="canceled"), [], inventory_value_on_invoicing=True)


def test_a_backordered_order_names_its_backorder() -> None:
    with pytest.raises(NotAllowed, match="already backordered as #2402"):
        _plan(Order(status="canceled", archived=True), [], backordered_as=2402)


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        ("booked", "nothing shipped yet"),
        ("draft", "is a draft"),
        ("shipped", "fully shipped"),
        ("invoiced", "fully shipped"),
    ],
)
def test_only_a_partially_shipped_order_can_be_backordered(status: str, problem: str) -> None:
    with pytest.raises(NotAllowed, match=problem):
        _plan(Order(status=status), [Line("A", D(2))])


def test_uninvoiced_shipments_block_a_backorder_unless_invoiced_first() -> None:
    lines = [Line("A", D(5), shipped=D(2)), Line("B", D(1))]
    with pytest.raises(NotAllowed, match=r"run `backorder invoice 2401` first, or pass --invoice"):
        _plan(Order(), lines)
    plan = _plan(Order(), lines, invoice_first=True)
    assert [(ln.sku, q) for ln, q in plan.to_invoice] == [("A", D(2))]
    assert [(m.sku, m.quantity) for m in plan.moves] == [("A", D(3)), ("B", D(1))]


def test_the_confirmation_uses_rackbeats_words() -> None:
    assert confirmation_text(2401) == (
        "This will cancel order no. #2401 and create a new one for the undelivered items."
    )
    assert backorder_comment(2401) == "Backorder from order #2401"
