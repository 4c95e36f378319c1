"""Credit notes against both backends: what a credit writes, the money it gives back,
the refusals (database unchanged), and `check` clean after every credit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.orders import Status
from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError, InvalidInput, NotAllowed, NotFound
from backorder_cli.services import catalogue, fulfilment, integrity, invoices, orders
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot


def clean(db: Database) -> None:
    assert [str(v) for v in integrity.check_database(db)] == []


def invoiced_order(db: Database, items: list[Item], ship: list[Item] | None = None) -> tuple:
    """An order with the given lines, shipped (all, or `ship`) and invoiced: (order
    number, invoice number)."""
    for item in items:
        if item.sku not in {p.sku for p in catalogue.list_products(db)}:
            catalogue.add_product(db, item.sku, name=f"{item.sku} thing", price="1", stock="1000")
    number = orders.add_order(db, customer="Nordic Cables", comment="", items=items, draft=False)
    fulfilment.ship(db, number, ship or [Item(i.sku, i.quantity) for i in items])
    return number, fulfilment.invoice_order(db, number).number


def invoiced(db: Database, number: int) -> dict[str, D]:
    return {ln.sku: ln.invoiced for ln in orders.get_order(db, number).lines}


def test_crediting_all_of_an_invoice_gives_back_every_line(db: Database) -> None:
    order, invoice = invoiced_order(
        db, [Item("CABLE", D(10), D("1.40")), Item("PLUG", D(3), D("4.95"))]
    )
    result = invoices.credit_invoice(db, invoice, reason="goods returned")

    assert result.invoice == invoice
    assert result.number == invoice + 1  # next in the invoice series
    assert result.total == D("-28.85")
    assert result.lines == [("CABLE", D(-10), D("-14.00")), ("PLUG", D(-3), D("-14.85"))]
    assert result.order_status == Status.SHIPPED  # shipped, no longer invoiced
    assert invoiced(db, order) == {"CABLE": 0, "PLUG": 0}
    note = invoices.get_invoice(db, result.number)
    assert (note.kind, note.credit_of, note.reason, note.total) == (
        "credit",
        invoice,
        "goods returned",
        D("-28.85"),
    )
    shown = invoices.get_invoice(db, invoice)
    assert shown.credit_notes == [result.number]
    assert shown.net == 0
    history = orders.get_order(db, order).history[-1]
    assert history.event == "credited"
    assert history.detail == (
        f"credit note #{result.number} for invoice #{invoice}: 10 x CABLE, 3 x PLUG, "
        "total -28.85; goods returned"
    )
    clean(db)


def test_crediting_part_of_a_line_takes_its_share(db: Database) -> None:
    order, invoice = invoiced_order(db, [Item("CABLE", D(3), D("0.10"))])  # 0.30
    first = invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))])
    assert first.total == D("-0.10")
    assert invoiced(db, order) == {"CABLE": D(2)}
    clean(db)


def test_crediting_a_line_in_parts_gives_back_exactly_its_amount(db: Database) -> None:
    # 3 x 0.3333 = 1.00 (rounded once): thirds of it are 0.33, 0.34 (cumulative), 0.33.
    order, invoice = invoiced_order(db, [Item("CABLE", D(3), D("0.3333"))])
    totals = [invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))]).total for _ in range(3)]
    assert totals == [D("-0.33"), D("-0.34"), D("-0.33")]
    assert sum(totals) == D("-1.00")
    assert invoices.get_invoice(db, invoice).net == 0
    assert invoiced(db, order) == {"CABLE": 0}
    clean(db)


def test_a_credited_line_invoiced_again_bills_the_line_amount_in_total(db: Database) -> None:
    order, invoice = invoiced_order(db, [Item("CABLE", D(3), D("0.3333"))])
    invoices.credit_invoice(db, invoice, [Item("CABLE", D(2))])
    again = fulfilment.invoice_order(db, order)
    assert again.total == D("0.67")  # what the credit gave back
    assert orders.get_order(db, order).status == Status.INVOICED
    clean(db)


def test_a_canceled_order_can_be_credited_and_stays_canceled(db: Database, target: str) -> None:
    order, invoice = invoiced_order(db, [Item("CABLE", D(4))], ship=[Item("CABLE", D(2))])
    run_sql(target, f"UPDATE orders SET status = 'canceled' WHERE number = {order}")
    result = invoices.credit_invoice(db, invoice)
    assert result.order_status == Status.CANCELED
    assert invoiced(db, order) == {"CABLE": 0}


def refused(db: Database, target: str, match: str, *args, **kw) -> None:
    before = snapshot(target)
    with pytest.raises((NotAllowed, NotFound), match=match):
        invoices.credit_invoice(db, *args, **kw)
    assert snapshot(target) == before


def test_crediting_more_than_was_billed_is_refused(db: Database, target: str) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    refused(db, target, "billed 5 x CABLE not yet credited", invoice, [Item("CABLE", D(6))])


def test_crediting_more_than_is_left_after_earlier_credits_is_refused(
    db: Database, target: str
) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    invoices.credit_invoice(db, invoice, [Item("CABLE", D("3.5"))])
    refused(db, target, "credit at most 1.5", invoice, [Item("CABLE", D(2))])
    refused(db, target, "credited in full already", invoices.credit_invoice(db, invoice).invoice)
    clean(db)


def test_crediting_a_line_credited_in_full_says_nothing_of_it_is_left(
    db: Database, target: str
) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5)), Item("PLUG", D(2))])
    invoices.credit_invoice(db, invoice, [Item("CABLE", D(5))])
    before = snapshot(target)
    with pytest.raises(NotAllowed) as caught:
        invoices.credit_invoice(db, invoice, [Item("CABLE", D("0.001"))])
    assert caught.value.message == (
        f"nothing of CABLE is left to credit on invoice #{invoice} - "
        "see its credit notes with `backorder invoices list`"
    )
    assert snapshot(target) == before
    clean(db)


def test_a_sku_not_on_the_invoice_an_unknown_invoice_and_a_credit_note_are_refused(
    db: Database, target: str
) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    refused(db, target, "PLUG is not on invoice", invoice, [Item("PLUG", D(1))])
    refused(db, target, "invoice #999 not found", 999)
    before = snapshot(target)
    with pytest.raises(InvalidInput, match="nothing to credit"):
        invoices.credit_invoice(db, invoice, [])
    assert snapshot(target) == before
    note = invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))]).number
    refused(db, target, f"#{note} is a credit note .*backorder credit {invoice}", note)


def test_a_credit_confirmed_on_a_plan_that_changed_is_refused(db: Database, target: str) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    shown = invoices.preview_credit(db, invoice, None)
    assert shown.lines == [("CABLE", D(5), D("5.00"))]
    assert shown.next_number == invoice + 1
    invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))])
    refused(db, target, "changed while you were answering", invoice, None, expected=shown)


def test_a_credit_whose_number_was_taken_meanwhile_is_refused(db: Database, target: str) -> None:
    """The plan shows the credit note's number: another invoice taking it while the
    question waits means the credit is not what was confirmed."""
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    _other, other_invoice = invoiced_order(db, [Item("CABLE", D(2))])
    shown = invoices.preview_credit(db, invoice, [Item("CABLE", D(1))])
    invoices.credit_invoice(db, other_invoice, [Item("CABLE", D(1))])  # takes the number
    before = snapshot(target)
    with pytest.raises(BackorderError, match="changed while you were answering") as refusal:
        invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))], expected=shown)
    assert refusal.value.code == "changed"
    assert snapshot(target) == before
    clean(db)


def test_a_credit_made_impossible_meanwhile_is_refused_as_changed(
    db: Database, target: str
) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    shown = invoices.preview_credit(db, invoice, None)
    invoices.credit_invoice(db, invoice)  # all of it, by someone else
    refused(db, target, "changed while you were answering", invoice, None, expected=shown)


def test_invoices_list_filters_by_order_and_customer(db: Database) -> None:
    first, invoice = invoiced_order(db, [Item("CABLE", D(5))])
    note = invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))], reason="broken").number
    catalogue.add_product(db, "PLUG", name="Plug", price="2", stock="9")
    other = orders.add_order(
        db, customer="Ørsted", comment="", items=[Item("PLUG", D(1))], draft=False
    )
    fulfilment.ship(db, other, [Item("PLUG", D(1))])
    third = fulfilment.invoice_order(db, other).number

    everything = list(invoices.iter_invoices(db))
    assert [(i.number, i.kind, i.order, i.credit_of, i.total) for i in everything] == [
        (third, "invoice", other, None, D("2.00")),
        (note, "credit", first, invoice, D("-1.00")),
        (invoice, "invoice", first, None, D("5.00")),
    ]
    assert [i.number for i in invoices.iter_invoices(db, order=first)] == [note, invoice]
    assert [i.number for i in invoices.iter_invoices(db, customer="ØRSTED")] == [third]
    assert list(invoices.iter_invoices(db, order=424242)) == []


# ---------------------------------------------------------------- export and import


def money_of(db: Database) -> list[tuple]:
    documents = []
    for summary in invoices.iter_invoices(db):
        shown = invoices.get_invoice(db, summary.number)
        documents.append(
            (
                shown.number,
                shown.kind,
                shown.order,
                shown.credit_of,
                shown.reason,
                shown.total,
                [(ln.sku, ln.quantity, ln.amount) for ln in shown.lines],
            )
        )
    return documents


def test_credit_notes_and_reasons_survive_export_and_import_to_the_cent(
    db: Database, cli, tmp_path
) -> None:
    order, invoice = invoiced_order(
        db, [Item("CABLE", D(3), D("0.3333")), Item("PLUG", D(7), D("1.11"))]
    )
    invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))], reason="damaged")
    invoices.credit_invoice(db, invoice, [Item("CABLE", D(1)), Item("PLUG", D("2.5"))])
    fulfilment.invoice_order(db, order)  # bills again what was credited
    exported = cli("orders", "export", "--all")
    assert exported.exit_code == 0, exported.output
    document = tmp_path / "export.json"
    document.write_text(exported.stdout)

    copy = tmp_path / "copy.db"
    assert cli("init", db=copy).exit_code == 0
    imported = cli("import", str(document), db=copy)
    assert imported.exit_code == 0, imported.output
    from backorder_cli.storage.schema import open_database

    other = open_database(str(copy))
    try:
        assert money_of(other) == money_of(db)
        assert money_of(other)[-2][4] == "damaged"
        assert invoiced(other, order) == invoiced(db, order)
        clean(other)
    finally:
        other.dispose()


def test_an_import_refuses_a_credit_note_that_gives_back_more_than_its_invoice(
    db: Database, target: str
) -> None:
    from backorder_cli.services import transfer

    catalogue.add_product(db, "CAB", name="Cable", price="2", stock="0")
    order = {
        "number": 10,
        "customer": "A",
        "status": "shipped",
        "lines": [{"sku": "CAB", "quantity": 5, "shipped": 5}],
        "invoices": [
            {"number": 1, "lines": [{"sku": "CAB", "quantity": 5}]},
            {"number": 2, "credit_of": 1, "reason": "x", "lines": [{"sku": "CAB", "quantity": -3}]},
            {"number": 3, "credit_of": 1, "lines": [{"sku": "CAB", "quantity": -3}]},
            {"number": 4, "credit_of": 2, "lines": [{"sku": "CAB", "quantity": -1}]},
            {"number": 5, "credit_of": 1, "lines": [{"sku": "CAB", "quantity": 1}]},
        ],
    }
    import json

    before = snapshot(target)
    with pytest.raises(InvalidInput) as refusal:
        transfer.import_text(db, json.dumps({"orders": [order]}), source="f.json")
    details = "\n".join(refusal.value.details)
    assert "gives back 3 of CAB, but invoice #1 billed 2 not yet credited" in details
    assert "#2 is no invoice of this order listed before this credit note" in details
    assert "on a credit note must be below zero" in details
    assert snapshot(target) == before


# ---------------------------------------------------------------- check


def problems(db: Database) -> list[str]:
    return [str(v) for v in integrity.check_database(db)]


def test_check_finds_a_credit_note_that_gives_back_more_than_its_invoice_billed(
    db: Database, target: str
) -> None:
    order, invoice = invoiced_order(db, [Item("CABLE", D(5), D("2"))])
    note = invoices.credit_invoice(db, invoice, [Item("CABLE", D(2))]).number
    # Edited by hand: the note gives back 6 units and 12.00, and the line follows it.
    run_sql(
        target,
        "UPDATE invoice_lines SET quantity = -6000, amount = -1200 WHERE invoice_id = "
        f"(SELECT id FROM invoices WHERE number = {note})",
        f"UPDATE invoices SET total = -1200 WHERE number = {note}",
    )
    found = problems(db)
    assert (
        f"order #{order}: invoice #{invoice}: its credit notes give back 6 x CABLE but it billed 5"
        in found
    )
    assert (
        f"order #{order}: invoice #{invoice}: its credit notes give back 12.00 for CABLE "
        "but it billed 10.00" in found
    )


def test_check_finds_the_invoiced_quantity_off_its_invoices_less_its_credits(
    db: Database, target: str
) -> None:
    _order, invoice = invoiced_order(db, [Item("CABLE", D(5), D("2"))])
    invoices.credit_invoice(db, invoice, [Item("CABLE", D(2))])
    clean(db)
    run_sql(target, "UPDATE order_lines SET invoiced = 5000")  # the credit forgotten
    assert any("invoiced 5 but its invoices bill 3" in p for p in problems(db)), problems(db)


def test_check_finds_credit_notes_of_the_wrong_kind_sign_or_order(
    db: Database, target: str
) -> None:
    order, invoice = invoiced_order(db, [Item("CABLE", D(5), D("2"))])
    note = invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))]).number
    _other, other_invoice = invoiced_order(db, [Item("CABLE", D(1), D("2"))])
    second = invoices.credit_invoice(db, invoice, [Item("CABLE", D(1))]).number
    run_sql(
        target,
        f"UPDATE invoices SET credit_of = (SELECT id FROM invoices WHERE number = {note}) "
        f"WHERE number = {second}",
        f"UPDATE invoice_lines SET quantity = 1000, amount = 200 WHERE invoice_id = "
        f"(SELECT id FROM invoices WHERE number = {note})",
        f"UPDATE invoices SET total = 200 WHERE number = {note}",
    )
    found = problems(db)
    assert f"order #{order}: #{note} is a credit note with positive lines" in found
    assert f"order #{order}: credit note #{second} credits #{note}, itself a credit note" in found
    run_sql(
        target,
        f"UPDATE invoices SET credit_of = (SELECT id FROM invoices WHERE number = {other_invoice})"
        f" WHERE number = {second}",
    )
    assert (
        f"order #{order}: credit note #{second} credits invoice #{other_invoice} of another order"
        in problems(db)
    )


def test_an_order_canceled_by_its_backorder_can_be_credited_and_check_stays_clean(
    db: Database,
) -> None:
    from backorder_cli.services import backorders

    order, invoice = invoiced_order(
        db,
        [Item("CABLE", D(10), D("1.40")), Item("PLUG", D(4), D("4.95"))],
        ship=[Item("CABLE", D(6))],
    )
    backorder = backorders.create_backorder(db, order).backorder
    result = invoices.credit_invoice(db, invoice, [Item("CABLE", D(2))], reason="short length")
    assert result.total == D("-2.80")
    shown = orders.get_order(db, order)
    assert (shown.status, shown.archived) == (Status.CANCELED, True)
    assert invoiced(db, order) == {"CABLE": D(4), "PLUG": 0}
    assert orders.get_order(db, backorder).status == Status.BOOKED
    clean(db)
