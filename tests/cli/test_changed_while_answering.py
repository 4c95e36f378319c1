"""The answer to a question confirms what was shown, nothing else: when another
process changes the order while the question waits, that order is refused (exit 1,
unchanged) and the others of a batch go on."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from typer.testing import Result

from backorder_cli.cli.commands import backorders as backorder_commands
from backorder_cli.cli.commands import fulfilment as fulfilment_commands
from backorder_cli.domain.values import Item
from backorder_cli.services import catalogue, fulfilment, orders
from backorder_cli.storage.schema import open_database
from tests.conftest import run_sql, snapshot

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def answer_yes_after(monkeypatch: pytest.MonkeyPatch, target: str, change) -> dict:
    """Make `change` happen (in another connection) while the question waits; then
    answer yes. Returns a dict that gets the database as it was after the change."""
    seen: dict = {}

    def confirm(question: str) -> bool:
        db = open_database(target)
        try:
            change(db)
        finally:
            db.dispose()
        seen["after change"] = snapshot(target)
        return True

    monkeypatch.setattr(backorder_commands, "confirm", confirm)  # create and undo ask here
    monkeypatch.setattr(fulfilment_commands, "confirm", confirm)  # ready --ship asks here
    return seen


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_create_refuses_an_order_shipped_while_the_question_waited(
    sample: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ship_100_m(db) -> None:
        catalogue.receive_stock(db, "CABLE-15", "100")
        fulfilment.ship(db, 2401, [Item("CABLE-15", D(100))])

    seen = answer_yes_after(monkeypatch, target, ship_100_m)
    result = sample("create", "2401", "--invoice")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: order #2401 changed while you were answering - run the command again\n"
    )
    assert snapshot(target) == seen["after change"]


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_create_refuses_when_another_order_took_the_number_shown(
    sample: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = answer_yes_after(
        monkeypatch,
        target,
        lambda db: orders.add_order(db, customer="Other", items=[Item("TAPE-19", D(1))]),
    )
    result = sample("create", "2401")
    assert "move to a new order, #2402:" in result.stderr
    assert result.exit_code == 1, result.output
    assert "Error: order #2401 changed while you were answering" in result.stderr
    assert snapshot(target) == seen["after change"]


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_a_bulk_create_refuses_only_the_order_that_changed(
    sample: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ship_one_switch(db) -> None:
        catalogue.receive_stock(db, "SWITCH-1", "1")
        fulfilment.ship(db, 2399, [Item("SWITCH-1", D(1))])

    answer_yes_after(monkeypatch, target, ship_one_switch)
    result = sample("create", "2398", "2399", "2401", "--invoice")
    assert result.exit_code == 1, result.output
    assert result.stdout.count("Backorder #") == 2
    assert "Backorder #2402 created with the undelivered items of order #2398" in result.stdout
    assert "Backorder #2403 created with the undelivered items of order #2401" in result.stdout
    assert "Error: order #2399 changed while you were answering" in result.stderr
    assert result.stderr.endswith("2 backorders created, 1 refused\n")
    db = open_database(target)
    try:
        assert orders.get_order(db, 2399).status == "partially_shipped"
    finally:
        db.dispose()


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_undo_refuses_a_backorder_changed_while_the_question_waited(
    sample: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sample("create", "2401", "--yes").exit_code == 0
    seen = answer_yes_after(
        monkeypatch,
        target,
        lambda db: run_sql(
            target,
            "UPDATE order_lines SET quantity = quantity - 10 WHERE sku = 'CABLE-15' AND "
            "order_id = (SELECT id FROM orders WHERE number = 2402)",
        ),
    )
    result = sample("undo", "2402")
    assert result.exit_code == 1, result.output
    assert result.stderr.endswith(
        "Error: order #2402 changed while you were answering - run the command again\n"
    )
    assert snapshot(target) == seen["after change"]


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_ready_ship_refuses_an_order_changed_while_the_question_waited(
    sample: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_yes_after(
        monkeypatch, target, lambda db: fulfilment.ship(db, 2397, [Item("BREAKER-16", D(1))])
    )
    result = sample("ready", "--ship")
    assert result.exit_code == 1, result.output
    assert "Error: order #2397 changed since it was listed" in result.stderr
    assert result.stderr.endswith("2 orders shipped, 1 refused\n")
    db = open_database(target)
    try:
        lines = orders.get_order(db, 2397).lines
        assert [(ln.sku, ln.shipped) for ln in lines] == [("BREAKER-16", 1), ("TAPE-19", 0)]
    finally:
        db.dispose()
