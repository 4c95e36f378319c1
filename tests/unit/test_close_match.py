"""The "did you mean" rule: the same name in another case first, else the closest
spelling, else nothing; never the word itself."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.orders import parse_setting, parse_status, plan_shipment
from backorder_cli.domain.values import Item, close_match
from backorder_cli.errors import InvalidInput, NotAllowed

SKUS = ["CABLE-15", "CABLE-25", "SWITCH-1", "BOX-68"]


def test_a_name_in_another_case_is_the_one_meant() -> None:
    assert close_match("cable-25", SKUS) == "CABLE-25"
    assert close_match("Switch-1", SKUS) == "SWITCH-1"


def test_the_case_match_wins_over_a_closer_spelling() -> None:
    assert close_match("abc", ["abd", "ABC"]) == "ABC"


def test_a_misspelling_suggests_the_closest_name() -> None:
    assert close_match("CABEL-25", SKUS) == "CABLE-25"
    assert close_match("bookd", ["draft", "booked", "shipped"]) == "booked"


def test_nothing_alike_suggests_nothing() -> None:
    assert close_match("ZZZZZZ", SKUS) is None
    assert close_match("x", []) is None


def test_the_word_itself_is_never_suggested() -> None:
    assert close_match("CABLE-25", SKUS) is None


@pytest.mark.parametrize(
    ("text", "guess"), [("bookd", "booked"), ("Partialy Shiped", "partially-shipped")]
)
def test_a_misspelled_status_names_the_one_meant(text: str, guess: str) -> None:
    with pytest.raises(InvalidInput, match=f"did you mean {guess}\\?"):
        parse_status(text)


def test_a_status_like_none_lists_them_all() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_status("xyz")
    assert "did you mean" not in refused.value.message
    assert "use one of draft, booked, partially-shipped" in refused.value.message


def test_a_misspelled_setting_names_the_one_meant() -> None:
    with pytest.raises(InvalidInput, match="did you mean inventory-value-on-invoicing\\?"):
        parse_setting("inventory-value-on-invoice", "on")


class _Order:
    number = 2401
    status = "booked"
    archived = False


class _Line:
    def __init__(self, sku: str) -> None:
        self.sku = sku
        self.quantity = D(10)
        self.shipped = D(0)
        self.canceled = D(0)
        self.invoiced = D(0)


def test_shipping_a_sku_in_the_wrong_case_names_the_orders_line() -> None:
    lines = [_Line("CABLE-15"), _Line("SWITCH-1")]
    with pytest.raises(NotAllowed, match="no line for SKU cable-15 - did you mean CABLE-15\\?"):
        plan_shipment(_Order(), lines, {"CABLE-15": D(10)}, [Item("cable-15", D(1))])
