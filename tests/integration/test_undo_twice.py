"""Undoing a backorder that was already undone says so, and when (both backends)."""

from __future__ import annotations

import re

import pytest

from backorder_cli.errors import NotAllowed
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import orders, undo
from backorder_cli.storage.database import Database
from tests.conftest import snapshot


def test_undoing_an_undone_backorder_says_it_was_undone_and_when(
    sample_db: Database, target: str
) -> None:
    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    undo.undo_backorder(sample_db, 2402)
    when = orders.get_order(sample_db, 2402).history[-1].at
    before = snapshot(target)
    for attempt in (undo.preview_undo, undo.undo_backorder):
        with pytest.raises(NotAllowed) as refused:
            attempt(sample_db, 2402)
        assert refused.value.message == (
            f"backorder #2402 was already undone on {when:%Y-%m-%d %H:%M} UTC - there is "
            "nothing left to undo (`backorder orders show 2402` shows its history)"
        )
    assert snapshot(target) == before


def test_an_order_that_never_was_a_backorder_is_still_not_a_backorder(
    sample_db: Database,
) -> None:
    with pytest.raises(NotAllowed, match=re.escape("order #2400 is not a backorder")):
        undo.undo_backorder(sample_db, 2400)
