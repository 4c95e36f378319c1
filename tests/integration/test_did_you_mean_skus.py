"""A SKU typed in the wrong case or spelled alike is answered with the one meant, in
every command that takes SKUs: the catalogue's for a product, the order's or the
invoice's lines for a line. Nothing is changed by the refusal."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError
from backorder_cli.services import corrections, invoices, stock
from backorder_cli.storage.database import Database
from tests.conftest import snapshot

CASES: list[tuple[str, Callable[[Database], Any], str]] = [
    (
        "products adjust",
        lambda db: stock.adjust_stock(db, "box-68", D(1), reason="count"),
        "unknown SKU box-68 - did you mean BOX-68? (see `backorder products list`)",
    ),
    (
        "credit",
        lambda db: invoices.preview_credit(db, 5, [Item("switch-1", D(1))]),
        "switch-1 is not on invoice #5 - did you mean SWITCH-1? "
        "(see its lines with `backorder invoices show 5`)",
    ),
    (
        "close",
        lambda db: corrections.close_order(db, 2399, ["switch-1"]),
        "order #2399 has no line for SKU switch-1 - did you mean SWITCH-1? "
        "(see its lines with `backorder orders show 2399`)",
    ),
    (
        "unship",
        lambda db: corrections.unship(db, 2399, [Item("cable-25", D(1))]),
        "order #2399 has no line for SKU cable-25 - did you mean CABLE-25? "
        "(see its lines with `backorder orders show 2399`)",
    ),
    (
        "orders edit",
        lambda db: corrections.edit_order(db, 2396, items=[Item("cable-25", D(1))]),
        "unknown SKU cable-25 - did you mean CABLE-25? (see `backorder products list`)",
    ),
    (
        "orders edit --remove",
        lambda db: corrections.edit_order(db, 2396, remove=["cable-25"]),
        "order #2396 has no line for SKU cable-25 - did you mean CABLE-25? "
        "(see its lines with `backorder orders show 2396`)",
    ),
    (
        "close, nothing alike",
        lambda db: corrections.close_order(db, 2399, ["NOPE"]),
        "order #2399 has no line for SKU NOPE - see its lines with `backorder orders show 2399`",
    ),
]


@pytest.mark.parametrize(("command", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_mistyped_sku_is_answered_with_the_one_meant(
    sample_db: Database, target: str, command: str, call: Callable[[Database], Any], message: str
) -> None:
    before = snapshot(target)
    with pytest.raises(BackorderError) as caught:
        call(sample_db)
    assert caught.value.message == message
    assert snapshot(target) == before
