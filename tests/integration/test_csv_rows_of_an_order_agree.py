"""CSV: the rows of one order agree on every order field (a later row may leave one
empty), an order number has one `#` at most, and `archived` is what the export writes
(true or false), as JSON takes it."""

from __future__ import annotations

import pytest

from backorder_cli.errors import InvalidInput
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import snapshot


def refused(db: Database, target: str, text: str) -> list[str]:
    before = snapshot(target)
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(db, text, source="rows.csv", kind="csv")
    assert "nothing was imported" in caught.value.message
    assert snapshot(target) == before
    return caught.value.details


@pytest.mark.parametrize(
    ("column", "first", "later"),
    [
        ("backorder_of", "", "2390"),
        ("status", "booked", "canceled"),
        ("archived", "false", "true"),
        ("created_at", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
    ],
)
def test_a_later_row_that_disagrees_on_an_order_field_is_refused(
    sample_db: Database, target: str, column: str, first: str, later: str
) -> None:
    text = (
        f"order,customer,sku,quantity,unit_price,{column}\n"
        f"5001,C,BOX-68,1,1,{first}\n"
        f"5001,C,LED-9W,1,1,{later}\n"
    )
    assert refused(sample_db, target, text) == [
        f"row 3, {column}: differs from row 2 for the same order 5001"
    ]


def test_a_later_row_may_leave_an_order_field_empty(sample_db: Database) -> None:
    text = (
        "order,customer,sku,quantity,unit_price,status,created_at\n"
        "#5001,C,BOX-68,1,1,booked,2026-01-01T00:00:00Z\n"
        "5001,,LED-9W,1,1,,\n"
    )
    result = transfer_service.import_text(sample_db, text, source="rows.csv", kind="csv")
    assert result.orders == 1


def test_an_order_number_with_two_hashes_is_refused(sample_db: Database, target: str) -> None:
    text = "order,customer,sku,quantity,unit_price\n##5001,C,BOX-68,1,1\n"
    assert refused(sample_db, target, text) == [
        "row 2, number: must be a whole number in digits 0-9, got '##5001'"
    ]


@pytest.mark.parametrize("flag", ["yes", "1", "True", "no", "0"])
def test_archived_other_than_true_or_false_is_refused(
    sample_db: Database, target: str, flag: str
) -> None:
    text = f"order,customer,sku,quantity,unit_price,archived\n5001,C,BOX-68,1,1,{flag}\n"
    assert refused(sample_db, target, text) == ["row 2, archived: must be true or false"]
