"""A line's negative value is one fault: `check` says it once, not again in each rule
that compares against it; a fault that holds whatever the value was is still said."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.invariants import line_violations
from backorder_cli.services.steps import _Line


def line(**values: str) -> _Line:
    v = {"quantity": "10", "shipped": "4", "invoiced": "4", "canceled": "2", "backordered": "2"}
    v.update(values)
    return _Line(
        "SWITCH-1", "Switch", "pcs", D(v["quantity"]), D(v["shipped"]), D(v["invoiced"]),
        D(v["canceled"]), D("1.00"), D("8.00"), D(v["backordered"]), D("2.00"),
    )  # fmt: skip


def test_a_sound_line_has_no_fault() -> None:
    assert line_violations(line()) == []


@pytest.mark.parametrize(
    ("values", "fault"),
    [
        ({"shipped": "-1"}, "shipped is negative (-1)"),
        ({"quantity": "-1"}, "quantity is negative (-1)"),
        ({"canceled": "-1"}, "canceled is negative (-1)"),
    ],
)
def test_a_negative_value_is_said_once(values: dict[str, str], fault: str) -> None:
    assert line_violations(line(**values)) == [fault]


def test_a_fault_that_holds_whatever_the_negative_value_was_is_kept() -> None:
    assert line_violations(line(shipped="-1", canceled="12")) == [
        "shipped is negative (-1)",
        "shipped -1 + canceled 12 is more than the quantity 10",
    ]
    assert line_violations(line(invoiced="-1", shipped="11")) == [
        "invoiced is negative (-1)",
        "shipped 11 + canceled 2 is more than the quantity 10",
    ]
