"""A confirmed run does what was shown, or nothing: the preview is passed back as
`expected=` and the use case refuses when the order changed meanwhile (both backends)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, orders, undo
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot

CHANGED = "order #2401 changed while you were answering - run the command again"


def ship_more_of_2401(db: Database) -> None:
    catalogue.receive_stock(db, "CABLE-15", "100")
    fulfilment.ship(db, 2401, [Item("CABLE-15", D(100))])


def add_another_order(db: Database) -> None:
    orders.add_order(db, customer="Someone else", items=[Item("TAPE-19", D(1))])


@pytest.mark.parametrize("change", [ship_more_of_2401, add_another_order])
def test_a_backorder_is_refused_when_the_order_changed_after_the_preview(
    sample_db: Database, target: str, change
) -> None:
    shown = backorders_service.preview_backorder(sample_db, 2401, invoice_first=True)
    change(sample_db)
    before = snapshot(target)
    with pytest.raises(NotAllowed) as refused:
        backorders_service.create_backorder(sample_db, 2401, invoice_first=True, expected=shown)
    assert refused.value.message == CHANGED
    assert snapshot(target) == before


def test_a_backorder_as_shown_goes_through(sample_db: Database) -> None:
    shown = backorders_service.preview_backorder(sample_db, 2401)
    result = backorders_service.create_backorder(sample_db, 2401, expected=shown)
    assert (result.backorder, result.moves) == (shown.next_number, shown.moves)


def test_a_bulk_run_refuses_only_the_changed_order_and_counts_numbers_on(
    sample_db: Database, target: str
) -> None:
    previews = list(
        backorders_service.preview_backorders(sample_db, [2398, 2399, 2401], invoice_first=True)
    )
    shown = {p.number: p for p in previews}
    assert [p.next_number for p in previews] == [2402, 2403, 2404]
    catalogue.receive_stock(sample_db, "SWITCH-1", "1")
    fulfilment.ship(sample_db, 2399, [Item("SWITCH-1", D(1))])  # 2399 changes
    outcomes = list(
        backorders_service.create_backorders(
            sample_db, list(shown), invoice_first=True, expected=shown
        )
    )
    assert [(o.order, o.ok, o.backorder) for o in outcomes] == [
        (2398, True, 2402),
        (2399, False, None),
        (2401, True, 2403),  # one lower: 2399 took no number
    ]
    assert outcomes[1].error == CHANGED.replace("2401", "2399")
    assert orders.get_order(sample_db, 2399).status == "partially_shipped"


def test_an_undo_is_refused_when_the_backorder_changed_after_the_preview(
    sample_db: Database, target: str
) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    shown = undo.preview_undo(sample_db, 2402)
    # Another tool takes 10 m off the backorder: the undo would give back 140 m, not 150.
    run_sql(
        target,
        "UPDATE order_lines SET quantity = quantity - 10 WHERE sku = 'CABLE-15' AND order_id = "
        "(SELECT id FROM orders WHERE number = 2402)",
    )
    before = snapshot(target)
    with pytest.raises(NotAllowed) as refused:
        undo.undo_backorder(sample_db, 2402, expected=shown)
    assert refused.value.message == CHANGED.replace("2401", "2402")
    assert snapshot(target) == before


def test_a_number_taken_meanwhile_refuses_one_order_of_a_batch_not_the_rest(
    sample_db: Database,
) -> None:
    previews = list(
        backorders_service.preview_backorders(sample_db, [2398, 2399, 2401], invoice_first=True)
    )
    shown = {p.number: p for p in previews}
    add_another_order(sample_db)  # takes #2402, shown for 2398
    outcomes = list(
        backorders_service.create_backorders(
            sample_db, list(shown), invoice_first=True, expected=shown
        )
    )
    assert [(o.order, o.ok, o.backorder) for o in outcomes] == [
        (2398, False, None),
        (2399, True, 2403),  # as shown
        (2401, True, 2404),  # as shown
    ]
    assert outcomes[0].error == CHANGED.replace("2401", "2398")
