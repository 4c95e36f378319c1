"""Corrections on both backends: cancel, close short, edit, unship, adjust. Each writes
one transaction with its history entry, a dry run writes nothing, a refusal leaves the
database unchanged, and `check` is clean after every write."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from backorder_cli.domain.orders import Archived
from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, corrections, fulfilment, orders
from backorder_cli.services import stock as stock_service
from backorder_cli.services.export import iter_export
from backorder_cli.services.integrity import check_database
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot

D = Decimal


def clean(db: Database) -> None:
    assert [str(v) for v in check_database(db)] == []


def lines(db: Database, number: int) -> dict[str, tuple[Decimal, ...]]:
    return {
        ln.sku: (ln.quantity, ln.shipped, ln.invoiced, ln.canceled, ln.remaining)
        for ln in orders.get_order(db, number).lines
    }


def stock(db: Database, sku: str) -> Decimal:
    return next(p.stock for p in catalogue.list_products(db) if p.sku == sku)


def refused(db: Database, target: str, call, match: str) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(target)
    with pytest.raises(BackorderError, match=re.escape(match)):
        call()
    assert snapshot(target) == before


# --- orders cancel -------------------------------------------------------------------


def test_cancel_makes_a_booked_order_canceled_with_its_quantities_and_reason(
    sample_db: Database,
) -> None:
    done = corrections.cancel_orders(sample_db, [2396], reason="customer withdrew")
    assert [(c.number, c.status, c.total) for c in done] == [(2396, "canceled", D(0))]
    order = orders.get_order(sample_db, 2396)
    assert (order.status, order.archived, order.total) == ("canceled", False, D(0))
    assert lines(sample_db, 2396)["CABLE-25"] == (D(50), D(0), D(0), D(50), D(0))
    last = order.history[-1]
    assert (last.event, last.detail) == (
        "canceled",
        "canceled (customer withdrew): 50 x CABLE-25, 20 x BOX-68",
    )
    from backorder_cli.services.steps import _user

    assert last.user == _user()  # who: the OS user
    clean(sample_db)


def test_cancel_of_a_draft_works_and_many_orders_cancel_together(sample_db: Database) -> None:
    corrections.cancel_orders(sample_db, [2395, 2397])
    assert orders.get_order(sample_db, 2395).status == "canceled"
    assert orders.get_order(sample_db, 2397).status == "canceled"
    clean(sample_db)


def test_cancel_refuses_a_partially_shipped_order_with_the_two_ways_out(
    sample_db: Database, target: str
) -> None:
    refused(
        sample_db,
        target,
        lambda: corrections.cancel_orders(sample_db, [2396, 2401]),
        "order #2401 is partially shipped and cannot be canceled - cancel the rest with "
        "`backorder close 2401`, or move it to a backorder with `backorder create 2401`",
    )
    # one refusal and none is canceled, 2396 included
    assert orders.get_order(sample_db, 2396).status == "booked"


@pytest.mark.parametrize(
    ("number", "match"),
    [
        (2394, "order #2394 is canceled - a canceled order cannot be canceled"),
        (2390, "order #2390 is canceled"),
        (2393, "order #2393 is shipped: everything left was shipped"),
        (2392, "order #2392 is invoiced: everything left was shipped"),
    ],
)
def test_cancel_refuses_what_its_state_does_not_allow(
    sample_db: Database, target: str, number: int, match: str
) -> None:
    refused(sample_db, target, lambda: corrections.cancel_orders(sample_db, [number]), match)


def test_a_cancel_dry_run_writes_nothing(sample_db: Database, target: str) -> None:
    before = snapshot(target)
    done = corrections.cancel_orders(sample_db, [2396], dry_run=True)
    assert done[0].status == "canceled"
    assert snapshot(target) == before


def test_a_confirmed_cancel_is_refused_when_the_order_changed_meanwhile(
    sample_db: Database, target: str
) -> None:
    shown = corrections.cancel_orders(sample_db, [2396], dry_run=True)
    orders_edit = corrections.edit_order(sample_db, 2396, items=[Item("CABLE-25", D(40))])
    assert orders_edit.total < D("114.5")
    refused(
        sample_db,
        target,
        lambda: corrections.cancel_orders(sample_db, [2396], expected=shown),
        "order #2396 changed while you were answering - run the command again",
    )


# --- close ---------------------------------------------------------------------------


def test_close_cancels_the_rest_and_the_status_follows(sample_db: Database) -> None:
    done = corrections.close_order(sample_db, 2401, reason="customer takes what came")
    assert (done.status, done.total) == ("invoiced", D("134.00"))
    assert done.lines == [("CABLE-15", D(150)), ("SWITCH-1", D(12))]
    assert lines(sample_db, 2401)["CABLE-15"] == (D(150), D(0), D(0), D(150), D(0))
    order = orders.get_order(sample_db, 2401)
    assert (order.status, order.total, order.archived) == ("invoiced", D("134.00"), False)
    assert order.history[-1].detail == (
        "closed short (customer takes what came): 150 x CABLE-15, 12 x SWITCH-1 canceled"
    )
    clean(sample_db)


def test_close_of_one_named_line_leaves_the_others_waiting(sample_db: Database) -> None:
    done = corrections.close_order(sample_db, 2401, ["SWITCH-1"])
    assert done.status == "partially_shipped"
    assert done.total == D("450.80") - D("106.80")
    assert lines(sample_db, 2401)["CABLE-15"][4] == D(150)
    clean(sample_db)


def test_close_short_of_a_partly_shipped_line_keeps_the_money_exact(sample_db: Database) -> None:
    # 3 of 7 at 0.333 shipped and invoiced: the line's 2.33 splits 1.00 + 1.33
    orders_id = orders.add_order(
        sample_db, customer="Exact", items=[Item("BOX-68", D(7), D("0.333"))]
    )
    fulfilment.ship(sample_db, orders_id, [Item("BOX-68", D(3))])
    invoice = fulfilment.invoice_order(sample_db, orders_id)
    done = corrections.close_order(sample_db, orders_id)
    assert done.status == "invoiced"
    assert done.total == invoice.total
    clean(sample_db)


def test_close_refuses_a_line_that_is_not_there_or_has_nothing_left(
    sample_db: Database, target: str
) -> None:
    refused(
        sample_db,
        target,
        lambda: corrections.close_order(sample_db, 2401, ["TAPE-19"]),
        "order #2401 has no line for SKU TAPE-19",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.close_order(sample_db, 2401, ["BOX-68"]),
        "nothing of BOX-68 remains on order #2401, so nothing to close",
    )


@pytest.mark.parametrize(
    ("number", "match"),
    [
        (2395, "order #2395 is a draft - change it with `backorder orders edit 2395`"),
        (2394, "order #2394 is canceled - a canceled order cannot be closed"),
        (2393, "order #2393 has nothing left to deliver, so nothing to close"),
        (2396, "nothing was shipped on order #2396, so closing all of it would cancel it"),
    ],
)
def test_close_refuses_what_its_state_does_not_allow(
    sample_db: Database, target: str, number: int, match: str
) -> None:
    refused(sample_db, target, lambda: corrections.close_order(sample_db, number), match)


def test_closing_part_of_a_backorder_keeps_the_chain_adding_up(sample_db: Database) -> None:
    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    done = corrections.close_order(sample_db, 2402, ["SWITCH-1"])
    assert done.total == D("210.00")
    clean(sample_db)
    corrections.cancel_orders(sample_db, [2402])
    clean(sample_db)


# --- unship --------------------------------------------------------------------------


def test_unship_takes_back_stock_and_the_status_follows(sample_db: Database) -> None:
    fulfilment.ship(sample_db, 2396, [Item("CABLE-25", D(20))])
    on_hand = stock(sample_db, "CABLE-25")
    done = corrections.unship(sample_db, 2396, [Item("CABLE-25", D(20))], reason="typo")
    assert done.status == "booked"
    assert stock(sample_db, "CABLE-25") == on_hand + 20
    assert lines(sample_db, 2396)["CABLE-25"][1] == D(0)
    assert orders.get_order(sample_db, 2396).history[-1].detail == (
        "20 x CABLE-25 taken back into stock (typo)"
    )
    clean(sample_db)


def test_unship_of_a_shipped_order_makes_it_partially_shipped(sample_db: Database) -> None:
    done = corrections.unship(sample_db, 2393, [Item("BREAKER-16", D(1))])
    assert done.status == "partially_shipped"
    clean(sample_db)


def test_unship_refuses_invoiced_quantities_and_unknown_lines(
    sample_db: Database, target: str
) -> None:
    refused(
        sample_db,
        target,
        lambda: corrections.unship(sample_db, 2393, [Item("LED-9W", D(1))]),
        "cannot unship 1 of LED-9W on order #2393: only 0 shipped and not invoiced (20 of "
        "it is invoiced: credit the invoice first with `backorder credit INVOICE`)",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.unship(sample_db, 2393, [Item("TAPE-19", D(1))]),
        "order #2393 has no line for SKU TAPE-19",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.unship(sample_db, 2393, [Item("BREAKER-16", D(5))]),
        "cannot unship 5 of BREAKER-16 on order #2393: only 4 shipped and not invoiced",
    )


def test_unship_refuses_an_order_with_a_backorder_and_names_it(
    sample_db: Database, target: str
) -> None:
    backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    refused(
        sample_db,
        target,
        lambda: corrections.unship(sample_db, 2398, [Item("LED-9W", D(1))]),
        "order #2398 has backorder #2402, made from it after the shipment - undo it first "
        "with `backorder undo 2402`",
    )


# --- orders edit ---------------------------------------------------------------------


def test_edit_sets_quantities_and_prices_adds_and_removes_lines(sample_db: Database) -> None:
    done = corrections.edit_order(
        sample_db,
        2396,
        customer="New name",
        comment="call first",
        items=[Item("CABLE-25", D(10), D("2.00")), Item("TAPE-19", D(3))],
        remove=["BOX-68"],
        reason="phone call",
    )
    assert done.total == D("23.30")  # 10 x 2.00 + 3 x 1.10
    order = orders.get_order(sample_db, 2396)
    assert (order.customer, order.comment, order.total) == ("New name", "call first", D("23.30"))
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("CABLE-25", D(10), D("2.00")),
        ("TAPE-19", D(3), D("1.10")),
    ]
    assert order.history[-1].event == "edited"
    assert order.history[-1].detail.endswith("(phone call)")
    clean(sample_db)


def test_edit_refuses_below_shipped_a_shipped_price_and_removing_a_shipped_line(
    sample_db: Database, target: str
) -> None:
    refused(
        sample_db,
        target,
        lambda: corrections.edit_order(sample_db, 2398, items=[Item("LED-9W", D(10))]),
        "cannot set LED-9W to 10 on order #2398: 25 shipped - it can go down to 25",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.edit_order(sample_db, 2398, items=[Item("LED-9W", D(40), D(1))]),
        "the price of LED-9W on order #2398 cannot change: 25 of it was shipped",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.edit_order(sample_db, 2398, remove=["LED-9W"]),
        "cannot remove LED-9W from order #2398: 25 of it was shipped",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.edit_order(sample_db, 2394, comment="x"),
        "order #2394 is canceled - a canceled order cannot be edited",
    )
    refused(
        sample_db,
        target,
        lambda: corrections.edit_order(sample_db, 2396, remove=["CABLE-25", "BOX-68"]),
        "order #2396 would have no lines left",
    )


def test_edit_of_a_shipped_order_adding_a_line_makes_it_partially_shipped(
    sample_db: Database,
) -> None:
    done = corrections.edit_order(sample_db, 2393, items=[Item("TAPE-19", D(2))])
    assert done.status == "partially_shipped"
    clean(sample_db)


# --- products adjust -----------------------------------------------------------------


def test_adjust_sets_the_counted_stock_and_records_the_difference(sample_db: Database) -> None:
    count = stock_service.adjust_stock(sample_db, "CABLE-25", D(380), reason="count")
    assert (count.before, count.counted, count.difference) == (D(400), D(380), D(-20))
    assert stock(sample_db, "CABLE-25") == D(380)
    kept = stock_service.stock_counts(sample_db, "CABLE-25")
    assert [(c.before, c.counted, c.difference, c.reason) for c in kept] == [
        (D(400), D(380), D(-20), "count")
    ]
    clean(sample_db)


def test_adjust_refuses_an_unknown_sku_and_needs_a_reason(sample_db: Database, target: str) -> None:
    refused(
        sample_db,
        target,
        lambda: stock_service.adjust_stock(sample_db, "NOPE-1", D(1), reason="x"),
        "unknown SKU NOPE-1",
    )
    refused(
        sample_db,
        target,
        lambda: stock_service.adjust_stock(sample_db, "CABLE-25", D(1), reason=" "),
        "reason",
    )


def test_check_reports_a_stock_count_that_does_not_add_up(sample_db: Database, target: str) -> None:
    stock_service.adjust_stock(sample_db, "CABLE-25", D(380), reason="count")
    if "://" not in target:  # the server refuses the edit outright (CHECK constraint)
        run_sql(
            target,
            "PRAGMA ignore_check_constraints = ON",
            "UPDATE stock_adjustments SET difference = 5000",
        )
        assert [str(v) for v in check_database(sample_db)] == [
            "a stock count of CABLE-25 from 400 to 380 records a difference of 5"
        ]


def test_check_reports_canceled_units_that_do_not_add_up(db_path, sample_db: Database) -> None:  # type: ignore[no-untyped-def]
    corrections.close_order(sample_db, 2401, ["SWITCH-1"])
    with __import__("sqlite3").connect(db_path) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE order_lines SET closed = 0 WHERE sku = 'SWITCH-1' AND closed > 0")
    found = [str(v) for v in check_database(sample_db)]
    assert any(
        "canceled 12 is not backordered 0 + closed 0 + canceled with the order 0" in f
        for f in found
    ), found


# --- round trip ----------------------------------------------------------------------


def test_export_and_import_keep_the_corrections_and_their_money_exactly(
    sample_db: Database, target: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from backorder_cli.cli import app
    from backorder_cli.storage.schema import open_database

    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    corrections.close_order(sample_db, 2402, ["SWITCH-1"], reason="not wanted")
    stock_service.adjust_stock(sample_db, "BOX-68", D(290), reason="counted")
    backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    corrections.cancel_orders(sample_db, [2403])  # a backorder canceled whole
    corrections.close_order(sample_db, 2399)  # closed after invoicing
    corrections.edit_order(sample_db, 2396, items=[Item("CABLE-25", D(7), D("0.333"))])
    fulfilment.ship(sample_db, 2396, [Item("CABLE-25", D(3))])
    corrections.close_order(sample_db, 2396, ["CABLE-25"])  # 3 of 7 at 0.333: cents split
    corrections.cancel_orders(sample_db, [2397])
    clean(sample_db)
    exported = CliRunner().invoke(app, ["--db", target, "orders", "export", "--all"])
    assert exported.exit_code == 0, exported.output
    copy_path = tmp_path / "copy.db"
    assert CliRunner().invoke(app, ["--db", str(copy_path), "init"]).exit_code == 0
    imported = CliRunner().invoke(
        app, ["--db", str(copy_path), "import", "-"], input=exported.stdout
    )
    assert imported.exit_code == 0, imported.output
    copy = open_database(str(copy_path))

    def seen(database: Database) -> dict[int, tuple]:  # type: ignore[type-arg]
        found = {}
        for summary in orders.iter_orders(database, archived=Archived.ALL):
            order = orders.get_order(database, summary.number)
            found[order.number] = (
                order.status,
                order.archived,
                order.total,
                [(ln.sku, ln.quantity, ln.shipped, ln.invoiced, ln.canceled) for ln in order.lines],
                [i.total for i in order.invoices],
            )
        return found

    try:
        assert seen(copy) == seen(sample_db)
        again = {o["number"]: o for o in iter_export(copy)}
        first = {o["number"]: o for o in iter_export(sample_db)}
        for number in (2396, 2397, 2399, 2402, 2403):
            assert [
                (ln["sku"], ln["canceled"], ln["closed"], ln["canceled_with_order"])
                for ln in again[number]["lines"]
            ] == [
                (ln["sku"], ln["canceled"], ln["closed"], ln["canceled_with_order"])
                for ln in first[number]["lines"]
            ]
        assert [str(v) for v in check_database(copy)] == []
        # The reasons survive: each order's history comes back (then "imported").
        history = orders.get_order(copy, 2402).history
        assert ("closed", "closed short (not wanted): 12 x SWITCH-1 canceled") in [
            (h.event, h.detail) for h in history
        ]
        assert [(h.at, h.user, h.event, h.detail) for h in history][:-1] == [
            (h.at, h.user, h.event, h.detail) for h in orders.get_order(sample_db, 2402).history
        ]
        assert [
            (c.sku, c.before, c.counted, c.difference, c.reason)
            for c in stock_service.stock_counts(copy)
        ] == [("BOX-68", D(300), D(290), D(-10), "counted")]
    finally:
        copy.dispose()


def test_undo_refuses_a_backorder_closed_short_in_part(sample_db: Database, target: str) -> None:
    from backorder_cli.services import undo

    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    corrections.close_order(sample_db, 2402, ["SWITCH-1"])
    refused(
        sample_db,
        target,
        lambda: undo.undo_backorder(sample_db, 2402),
        "backorder #2402 was closed short in part - a closed backorder cannot be undone",
    )


def test_an_undone_backorder_is_canceled_with_the_order(sample_db: Database) -> None:
    from backorder_cli.services import undo

    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    undo.undo_backorder(sample_db, 2402)
    exported = {o["number"]: o for o in iter_export(sample_db, archived="all")}  # type: ignore[arg-type]
    assert [
        (ln["canceled"], ln["closed"], ln["canceled_with_order"]) for ln in exported[2402]["lines"]
    ] == [(D(150), D(0), D(150)), (D(12), D(0), D(12))]
    clean(sample_db)


def test_check_reports_money_left_with_nothing_canceled(db_path, sample_db: Database) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE order_lines SET canceled_amount = 500 WHERE sku = 'BOX-68'")
    found = [str(v) for v in check_database(sample_db)]
    assert found and all(
        "canceled amount is 5.00 but nothing was closed or canceled with the order" in f
        for f in found
    ), found


def test_an_import_refuses_history_and_stock_counts_it_cannot_read(
    db: Database, target: str
) -> None:
    import json

    from backorder_cli.services import transfer

    document = {
        "products": [{"sku": "BOX-68", "name": "Box", "price": "1", "stock": "5"}],
        "orders": [
            {
                "number": 5001,
                "customer": "A",
                "lines": [{"sku": "BOX-68", "quantity": "1"}],
                "history": [{"at": "yesterday", "user": "ann", "event": "created", "detail": ""}],
            }
        ],
        "stock_counts": [{"sku": "NOPE-1", "at": "2026-11-02T09:30:00Z", "user": "", "reason": ""}],
    }
    before = snapshot(target)
    with pytest.raises(BackorderError) as refused_:
        transfer.import_text(db, json.dumps(document), source="bad.json", kind="json")
    details = "\n".join(refused_.value.details)
    assert "orders[0].history[0].at: must be an ISO date and time" in details
    assert "stock_counts[0].sku: unknown SKU NOPE-1" in details
    assert "stock_counts[0].reason: reason must not be empty" in details
    assert snapshot(target) == before


def test_the_upgrade_to_schema_4_says_why_existing_units_were_canceled(
    sample_db: Database, target: str
) -> None:
    """An undone backorder's units (the only ones the tool canceled outside backorders
    before schema 4) become canceled with the order; others on an open order closed."""
    from alembic import command
    from alembic.config import Config

    from backorder_cli.services import undo
    from backorder_cli.storage.schema import MIGRATIONS, open_database

    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    undo.undo_backorder(sample_db, 2402)
    corrections.close_order(sample_db, 2398, ["SOCKET-2"])
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sample_db.dispose()
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    # As the migrations run: without SQLite's foreign key enforcement (tables are copied).
    engine = create_engine(target if "://" in target else f"sqlite:///{target}", poolclass=NullPool)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    engine.dispose()
    upgraded = open_database(target)
    try:
        exported = {o["number"]: o for o in iter_export(upgraded, archived="all")}  # type: ignore[arg-type]
        assert [(ln["closed"], ln["canceled_with_order"]) for ln in exported[2402]["lines"]] == [
            (D(0), D(150)),
            (D(0), D(12)),
        ]
        assert [(ln["sku"], ln["closed"]) for ln in exported[2398]["lines"]] == [
            ("LED-9W", D(0)),
            ("SOCKET-2", D(4)),
        ]
        assert [str(v) for v in check_database(upgraded)] == []
    finally:
        upgraded.dispose()
