"""`log --follow` at the service: the history, then each change as it is committed,
found by polling; holes in the ids (a server's later commit of an earlier id) are looked
for again, not skipped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backorder_cli.domain.values import Item, parse_interval
from backorder_cli.errors import InvalidInput, NotFound
from backorder_cli.services import catalogue, fulfilment, reports, stock
from backorder_cli.services.follow import PATIENCE_POLLS, IdCursor, follow_log
from backorder_cli.storage.database import Database


def test_following_gives_the_history_then_each_new_change_in_order(sample_db: Database) -> None:
    writes = iter(
        [
            lambda: catalogue.receive_stock(sample_db, "SWITCH-1", "5"),
            lambda: None,  # a poll that finds nothing
            lambda: fulfilment.ship(sample_db, 2400, [Item("SWITCH-1", Decimal(2))]),
            lambda: stock.adjust_stock(sample_db, "SWITCH-1", Decimal(1), reason="count"),
        ]
    )
    polls: list[float] = []

    def wait(seconds: float) -> None:
        polls.append(seconds)
        next(writes)()

    entries = list(follow_log(sample_db, interval=Decimal("0.25"), wait=wait, polls=4))
    before = len(entries) - 3
    assert before > 10  # the sample's own history came first
    assert [(e.order, e.event) for e in entries[before:]] == [
        (None, "stock received"),
        (2400, "shipped"),
        (None, "stock counted"),
    ]
    assert entries[-1].detail == "SWITCH-1: 3 -> 1 (-2): count"
    assert polls == [0.25] * 4
    # Each change once, in the order `log` shows them afterwards.
    assert entries == list(reports.iter_log(sample_db))


def test_following_one_order_leaves_out_the_others(sample_db: Database) -> None:
    writes = iter(
        [
            lambda: fulfilment.ship(sample_db, 2399, [Item("SWITCH-1", Decimal(1))]),
            lambda: fulfilment.ship(sample_db, 2400, [Item("SWITCH-1", Decimal(1))]),
        ]
    )
    catalogue.receive_stock(sample_db, "SWITCH-1", "5")
    entries = list(follow_log(sample_db, order=2400, wait=lambda s: next(writes)(), polls=2))
    assert {e.order for e in entries} == {2400}
    assert entries[-1].event == "shipped"
    assert "stock received" not in {e.event for e in entries}


def test_following_an_unknown_order_is_refused_at_once(sample_db: Database) -> None:
    with pytest.raises(NotFound, match="#9999"):
        next(follow_log(sample_db, order=9999, polls=0))


def test_an_id_committed_after_a_higher_one_is_still_found() -> None:
    cursor = IdCursor()
    for id_ in (1, 2, 4):  # 3 is taken by a transaction still running
        assert cursor.is_new(id_)
        cursor.add(id_)
    cursor.settle()
    assert cursor.floor == 2 and cursor.is_new(3) and not cursor.is_new(4)
    cursor.add(3)
    cursor.settle()
    assert cursor.floor == 4 and cursor.seen == set() and cursor.missing == {}


def test_a_hole_that_never_fills_is_given_up_after_a_while() -> None:
    cursor = IdCursor()
    cursor.add(1)
    cursor.add(3)  # 2 was rolled back: it never comes
    for _ in range(PATIENCE_POLLS):
        cursor.settle()
        assert cursor.floor == 1
    cursor.settle()
    assert cursor.floor == 3 and not cursor.is_new(2)


@pytest.mark.parametrize("text", ["0", "-1", "0.001", "3601", "1e3", "abc", "", "nan", "\u0661"])
def test_an_interval_out_of_bounds_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not an interval"):
        parse_interval(text)


def test_an_interval_in_seconds() -> None:
    assert [parse_interval(t) for t in ("0.05", "1", " 2.5 ", "3600")] == [
        Decimal("0.05"),
        Decimal(1),
        Decimal("2.5"),
        Decimal(3600),
    ]
