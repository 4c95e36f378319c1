"""`backorder check` sees line money edited by hand: a line's parts (amount, backordered
amount, canceled amount) that do not add up to its value, and credit notes that give
back other than their share of what the invoice line billed. Each is placed at its order
and line, on both backends; the commands that write leave it clean."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.values import Item, format_money, format_quantity
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, corrections, fulfilment, integrity, invoices
from backorder_cli.services import orders as orders_service
from backorder_cli.storage.database import Database
from tests.conftest import snapshot
from tests.integration.test_check import tamper


def found(db: Database) -> list[str]:
    return [str(v) for v in integrity.check_database(db)]


def money_of(db: Database, number: int, sku: str) -> tuple[D, D, D, D]:
    """A line's (quantity, unit price, amount, canceled amount), as stored."""
    from sqlalchemy import text

    with db.read() as session:
        row = (
            session.connection()
            .execute(
                text(
                    "SELECT l.quantity, l.unit_price, l.amount, l.canceled_amount "
                    "FROM order_lines l JOIN orders o ON o.id = l.order_id "
                    "WHERE o.number = :n AND l.sku = :sku"
                ),
                {"n": number, "sku": sku},
            )
            .one()
        )
    return (
        D(row[0]).scaleb(-3),
        D(row[1]).scaleb(-4),
        D(row[2]).scaleb(-2),
        D(row[3]).scaleb(-2),
    )


def line_of(number: int, sku: str) -> str:
    return (
        "(SELECT l.id FROM order_lines l JOIN orders o ON o.id = l.order_id "
        f"WHERE o.number = {number} AND l.sku = '{sku}')"
    )


def test_a_closed_line_whose_canceled_amount_was_edited(sample_db: Database, target: str) -> None:
    corrections.close_order(sample_db, 2399)
    assert found(sample_db) == []
    lines = orders_service.get_order(sample_db, 2399).lines
    position, sku = next((i, ln.sku) for i, ln in enumerate(lines, 1) if ln.canceled > 0)
    quantity, price, amount, gone = money_of(sample_db, 2399, sku)
    assert gone > 0
    tamper(
        target,
        "UPDATE order_lines SET canceled_amount = canceled_amount - 340 "
        f"WHERE id = {line_of(2399, sku)}",
    )
    before = snapshot(target)
    problems = found(sample_db)
    m = format_money
    assert problems == [
        f"order #2399, line {position} ({sku}): amount {m(amount)} + backordered amount 0.00 "
        f"+ canceled amount {m(gone - D('3.40'))} is {m(amount + gone - D('3.40'))}, but "
        f"{format_quantity(quantity)} at {m(price)} is worth {m(amount + gone)}"
    ], problems
    assert snapshot(target) == before  # read-only


def test_a_plain_line_whose_amount_and_total_were_edited(sample_db: Database, target: str) -> None:
    tamper(
        target,
        f"UPDATE order_lines SET amount = amount + 100 WHERE id = {line_of(2396, 'CABLE-25')}",
        "UPDATE orders SET total = total + 100 WHERE number = 2396",
    )
    problems = found(sample_db)
    assert len(problems) == 1, problems
    assert problems[0].startswith("order #2396, line 1 (CABLE-25): amount "), problems
    assert "+ backordered amount 0.00 + canceled amount 0.00 is " in problems[0]


def test_an_origin_whose_backordered_amount_and_backorder_moved_together(
    sample_db: Database, target: str
) -> None:
    """The backorder holds what the origin says it moved, but the origin's parts no
    longer add up to its value: only the new rule sees it."""
    backorders_service.create_backorder(sample_db, 2401, invoice_first=True)
    assert found(sample_db) == []
    origin = orders_service.get_order(sample_db, 2401)
    moved = next(ln for ln in origin.lines if ln.canceled > 0)
    (backorder,) = origin.backorders
    tamper(
        target,
        "UPDATE order_lines SET backordered_amount = backordered_amount + 1 "
        f"WHERE id = {line_of(2401, moved.sku)}",
        f"UPDATE order_lines SET amount = amount + 1 WHERE id = {line_of(backorder, moved.sku)}",
        f"UPDATE orders SET total = total + 1 WHERE number = {backorder}",
    )
    problems = found(sample_db)
    position = origin.lines.index(moved) + 1
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"order #2401, line {position} ({moved.sku}): amount "), problems


@pytest.mark.parametrize(
    ("credited", "expected"),
    [
        # one unit billed 8.90 (of 2 billed 17.80) given back as 9.00
        (
            -900,
            "give back 9.00 for 1 x SWITCH-1, but the invoice billed 17.80 for 2, so they "
            "give back 8.90",
        ),
        # less than the rule gives is just as wrong
        (-889, "give back 8.89 for 1 x SWITCH-1"),
    ],
)
def test_a_credit_note_that_breaks_the_share_rule(
    sample_db: Database, target: str, credited: int, expected: str
) -> None:
    catalogue.receive_stock(sample_db, "SWITCH-1", "10")
    catalogue.receive_stock(sample_db, "CABLE-25", "10")
    number = orders_service.add_order(
        sample_db, customer="Nordic Cables", comment="", items=[Item("SWITCH-1", D(2), D("8.90"))]
    )
    fulfilment.ship(sample_db, number, None)
    invoice = fulfilment.invoice_order(sample_db, number).number
    credit = invoices.credit_invoice(
        sample_db, invoice, [Item("SWITCH-1", D(1))], reason="broken on arrival"
    ).number
    assert found(sample_db) == []
    tamper(
        target,
        f"UPDATE invoice_lines SET amount = {credited} WHERE invoice_id = "
        f"(SELECT id FROM invoices WHERE number = {credit})",
        f"UPDATE invoices SET total = {credited} WHERE number = {credit}",
    )
    problems = found(sample_db)
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        f"order #{number}, line 1 (SWITCH-1): the credit notes of invoice #{invoice} "
    ), problems
    assert expected in problems[0], problems


def test_a_credit_of_everything_gives_back_exactly_what_was_billed(
    sample_db: Database, target: str
) -> None:
    """Three units billed 1.00 credited one by one: 0.33, 0.34 and 0.33 by the rule; a
    last part edited to 0.34 gives back 1.01 for all of it."""
    catalogue.receive_stock(sample_db, "SWITCH-1", "10")
    catalogue.receive_stock(sample_db, "CABLE-25", "10")
    number = orders_service.add_order(
        sample_db, customer="Nordic Cables", comment="", items=[Item("SWITCH-1", D(3), D("0.3333"))]
    )
    fulfilment.ship(sample_db, number, None)
    invoice = fulfilment.invoice_order(sample_db, number).number
    parts = [
        invoices.credit_invoice(sample_db, invoice, [Item("SWITCH-1", D(1))], reason="r")
        for _ in range(3)
    ]
    assert [p.total for p in parts] == [D("-0.33"), D("-0.34"), D("-0.33")]
    assert found(sample_db) == []
    last = parts[-1].number
    tamper(
        target,
        "UPDATE invoice_lines SET amount = -34 WHERE invoice_id = "
        f"(SELECT id FROM invoices WHERE number = {last})",
        f"UPDATE invoices SET total = -34 WHERE number = {last}",
    )
    problems = found(sample_db)
    assert problems == [
        f"order #{number}, line 1 (SWITCH-1): the credit notes of invoice #{invoice} give back "
        "1.01 for 3 x SWITCH-1, but the invoice billed 1.00 for 3, so they give back 1.00",
        # and more than was billed, which the older rule words
        f"order #{number}: invoice #{invoice}: its credit notes give back 1.01 for SWITCH-1 "
        "but it billed 1.00",
    ] or sorted(problems) == sorted(
        [
            f"order #{number}, line 1 (SWITCH-1): the credit notes of invoice #{invoice} give "
            "back 1.01 for 3 x SWITCH-1, but the invoice billed 1.00 for 3, so they give back "
            "1.00",
            f"order #{number}: invoice #{invoice}: its credit notes give back 1.01 for SWITCH-1 "
            "but it billed 1.00",
        ]
    ), problems


def test_every_correction_keeps_the_parts_adding_up(sample_db: Database) -> None:
    """close, cancel, edit (also of a closed line), unship, backorders and their undo:
    check stays clean, including at a price whose parts round."""
    catalogue.receive_stock(sample_db, "SWITCH-1", "10")
    catalogue.receive_stock(sample_db, "CABLE-25", "10")
    number = orders_service.add_order(
        sample_db,
        customer="Nordic Cables",
        comment="",
        items=[Item("SWITCH-1", D(3), D("0.3333")), Item("CABLE-25", D(7), D("0.1436"))],
    )
    fulfilment.ship(sample_db, number, [Item("SWITCH-1", D(1)), Item("CABLE-25", D(2))])
    corrections.close_order(sample_db, number, ["SWITCH-1"])
    assert found(sample_db) == []
    corrections.edit_order(sample_db, number, items=[Item("SWITCH-1", D(4))])
    assert found(sample_db) == []
    corrections.unship(sample_db, number, [Item("CABLE-25", D(1))])
    assert found(sample_db) == []
    backorder = backorders_service.create_backorder(sample_db, number, invoice_first=True).backorder
    assert found(sample_db) == []
    corrections.cancel_orders(sample_db, [backorder])
    assert found(sample_db) == []
    corrections.cancel_orders(sample_db, [2396])
    assert found(sample_db) == []


def test_an_upgraded_line_whose_canceled_units_carry_no_money(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Before schema 3 canceled units had no money; schema 6 closes them with a canceled
    amount of zero (migration 0006): such a line is worth what was not canceled, and
    check stays clean. An edit then re-cuts its parts from its whole value."""
    import shutil
    import sqlite3

    from backorder_cli.storage.schema import open_database
    from tests.integration.test_money_migration import FIRST_RELEASE

    path = tmp_path / "old.db"
    shutil.copy(FIRST_RELEASE, path)
    with sqlite3.connect(path) as conn:  # as an import of the first release left it
        conn.execute(
            f"UPDATE order_lines SET canceled = 2000 WHERE id = {line_of(2399, 'SWITCH-1')}"
        )
    db = open_database(str(path))
    try:
        quantity, _price, amount, gone = money_of(db, 2399, "SWITCH-1")
        assert (quantity, amount, gone) == (D(10), D("71.20"), D(0))  # 8 x 8.90
        assert found(db) == []
        catalogue.receive_stock(db, "SWITCH-1", "10")
        corrections.edit_order(db, 2399, items=[Item("SWITCH-1", D(12))])
        assert money_of(db, 2399, "SWITCH-1")[2:] == (D("89.00"), D("17.80"))  # 10 + 2
        assert found(db) == []
        with sqlite3.connect(path) as conn:  # a canceled amount edited by hand
            conn.execute(
                "UPDATE order_lines SET canceled_amount = 1000 "
                f"WHERE id = {line_of(2399, 'SWITCH-1')}"
            )
        assert found(db) == [
            "order #2399, line 2 (SWITCH-1): amount 89.00 + backordered amount 0.00 + "
            "canceled amount 10.00 is 99.00, but 12 at 8.90 is worth 106.80"
        ]
    finally:
        db.dispose()
