"""The console script starts with the garbage collector off (start-up makes only objects
that live as long as the process) and turns it back on, with those objects frozen, as
soon as the command opens its database: a long command collects as usual."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_cli.cli.app import State
from backorder_cli.storage.schema import init_database


@pytest.fixture
def shop(tmp_path: Path) -> str:
    path = str(tmp_path / "shop.db")
    db, _created = init_database(path)
    db.dispose()
    return path


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.usefixtures("collector_restored")
def test_opening_the_database_turns_the_collector_back_on(shop: str) -> None:
    gc.disable()  # as console.py starts
    state = State(shop)
    try:
        state.database()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        state.close()


@pytest.mark.usefixtures("collector_restored")
def test_with_the_collector_on_opening_freezes_nothing(shop: str) -> None:
    before = gc.get_freeze_count()
    state = State(shop)
    try:
        state.database()
        assert gc.isenabled()
        assert gc.get_freeze_count() == before
    finally:
        state.close()
