"""Every refusal a bulk run reports carries a stable `code` besides its English message,
so a rerun's "already done" is told from a failure without reading words (both backends)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from sqlalchemy.exc import OperationalError

from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError, DatabaseProblem, NotAllowed, NotFound
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, undo
from backorder_cli.services.results import BackorderPreview
from backorder_cli.storage.database import Database, locate
from backorder_cli.storage.errors import explain
from tests.conftest import snapshot

SERVER = "postgresql+psycopg://ann@10.0.0.5/orders"


def codes(outcomes: object) -> dict[int, str | None]:
    return {o.order: o.code for o in outcomes}  # type: ignore[attr-defined]


def test_create_names_each_refusal_by_its_code(sample_db: Database, target: str) -> None:
    before = snapshot(target)
    got = codes(
        backorders_service.create_backorders(sample_db, [2398, 2396, 2393, 2394, 2390, 9999])
    )
    assert got == {
        2398: "not_invoiced",
        2396: "not_partially_shipped",
        2393: "not_partially_shipped",
        2394: "canceled",
        2390: "already_backordered",
        9999: "not_found",
    }
    assert snapshot(target) == before


def test_a_rerun_of_create_is_told_apart_as_already_backordered(sample_db: Database) -> None:
    (first,) = backorders_service.create_backorders(sample_db, [2401])
    assert first.ok and first.code is None
    (again,) = backorders_service.create_backorders(sample_db, [2401])
    assert not again.ok
    assert again.code == "already_backordered"
    assert again.error.startswith("order #2401 is already backordered as #2402")


def test_the_preview_refusals_carry_the_same_codes(sample_db: Database) -> None:
    previews = list(backorders_service.preview_backorders(sample_db, [2398, 9999, 2401]))
    assert [getattr(p, "code", "plan") for p in previews] == ["not_invoiced", "not_found", "plan"]


def test_invoice_refusals_and_its_rerun_have_codes(sample_db: Database) -> None:
    got = codes(fulfilment.invoice_orders(sample_db, [2398, 2394, 9999]))
    assert got == {2398: None, 2394: "canceled", 9999: "not_found"}
    assert codes(fulfilment.invoice_orders(sample_db, [2398])) == {2398: "nothing_to_invoice"}


def test_inventory_value_on_invoicing_refuses_with_its_code(sample_db: Database) -> None:
    catalogue.set_setting(sample_db, "inventory-value-on-invoicing", "on")
    assert codes(backorders_service.create_backorders(sample_db, [2401])) == {
        2401: "inventory_value_on_invoicing"
    }


def test_undo_refusals_raise_errors_with_codes(sample_db: Database) -> None:
    list(backorders_service.create_backorders(sample_db, [2401]))
    undo.undo_backorder(sample_db, 2402, reason="test")
    for number, code in [(2402, "already_undone"), (2400, "not_a_backorder")]:
        try:
            undo.undo_backorder(sample_db, number, reason="test")
        except NotAllowed as exc:
            assert exc.code == code
        else:
            raise AssertionError(f"undo {number} was not refused")


def test_every_error_class_has_a_default_code() -> None:
    assert NotFound("x").code == "not_found"
    assert NotAllowed("x").code == "not_allowed"
    assert DatabaseProblem("x").code == "database"
    assert BackorderError("x", code="busy").code == "busy"


def test_a_busy_database_is_coded_busy_on_both_backends(tmp_path: Path) -> None:
    """A lock timeout on SQLite and a deadlock or serialization failure on a server: a
    script retries on `busy`, whatever the words."""
    lite = sqlite3.OperationalError("database is locked")
    lite.sqlite_errorcode = 5  # type: ignore[attr-defined]  # as the driver sets it
    assert explain(OperationalError("s", {}, lite), locate(str(tmp_path / "x.db"))).code == "busy"
    for sqlstate in ("40P01", "40001"):
        server = Exception("Verklemmung")
        server.sqlstate = sqlstate  # type: ignore[attr-defined]
        problem = explain(OperationalError("s", {}, server), locate(SERVER))
        assert problem.code == "busy"
    other = sqlite3.OperationalError("unable to open")
    other.sqlite_errorcode = 14  # type: ignore[attr-defined]
    assert explain(OperationalError("s", {}, other), locate(str(tmp_path / "x.db"))).code == (
        "database"
    )


def test_an_order_changed_while_the_question_waited_is_coded_changed(
    sample_db: Database,
) -> None:
    (shown,) = backorders_service.preview_backorders(sample_db, [2401], invoice_first=True)
    assert isinstance(shown, BackorderPreview)
    catalogue.receive_stock(sample_db, "SWITCH-1", "1")
    fulfilment.ship(sample_db, 2401, [Item("SWITCH-1", Decimal(1))])  # meanwhile
    (outcome,) = backorders_service.create_backorders(
        sample_db, [2401], invoice_first=True, expected={2401: shown}
    )
    assert (outcome.ok, outcome.code) == (False, "changed")
