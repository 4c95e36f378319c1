"""What the customer is told, from the database: a statement's figures against a
company computed by hand, the notice's golden files (text, Markdown, HTML, email),
the email parsed back, and the refusals."""

from __future__ import annotations

import email
import email.policy
import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from backorder_cli.cli.output.text import safe_text
from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed, NotFound
from backorder_cli.letters import eml
from backorder_cli.letters import notice as notice_render
from backorder_cli.letters import statement as statement_render
from backorder_cli.services import (
    backorders,
    corrections,
    fulfilment,
    integrity,
    letters,
    purchases,
    transfer,
)
from backorder_cli.storage.database import Database

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "letters"
TODAY = date(2026, 11, 26)

# Alpha 2.50; Beta 1.333 a metre; Gamma 10.00; Delta 0.333.
COMPANY = {
    "products": [
        {"sku": "A-1", "name": "Alpha", "price": "2.50", "stock": 2},
        {"sku": "B-2", "name": "Beta cable", "unit": "m", "price": "1.333", "stock": 0},
        {"sku": "C-3", "name": "Gamma", "price": "10.00", "stock": 3},
        {"sku": "D-4", "name": "Delta", "price": "0.333", "stock": 1},
    ],
    "orders": [
        # Nordlys: #2001 partially shipped (4 of 10 Alpha, invoiced), to be backordered.
        {
            "number": 2001,
            "customer": "Nordlys ApS",
            "created_at": "2026-11-01T09:00:00Z",
            "lines": [
                {"sku": "A-1", "quantity": 10, "shipped": 4, "invoiced": 4},
                {"sku": "B-2", "quantity": "7.5"},
            ],
        },
        # Another customer, waiting longer for Gamma: stock goes to it first.
        {
            "number": 2003,
            "customer": "Other A/S",
            "created_at": "2026-10-01T09:00:00Z",
            "lines": [{"sku": "C-3", "quantity": 2}],
        },
        {
            "number": 2002,
            "customer": "NORDLYS APS",
            "created_at": "2026-11-05T09:00:00Z",
            "lines": [{"sku": "C-3", "quantity": 3}, {"sku": "D-4", "quantity": 3}],
        },
        # A customer owed nothing: delivered and invoiced in full.
        {
            "number": 1999,
            "customer": "Done ApS",
            "created_at": "2026-10-02T09:00:00Z",
            "lines": [{"sku": "C-3", "quantity": 1, "shipped": 1, "invoiced": 1}],
        },
        # Not owed: a draft, and an order delivered and invoiced in full.
        {
            "number": 2004,
            "customer": "Nordlys ApS",
            "status": "draft",
            "created_at": "2026-11-06T09:00:00Z",
            "lines": [{"sku": "C-3", "quantity": 1}],
        },
        {
            "number": 2005,
            "customer": "Nordlys ApS",
            "created_at": "2026-11-07T09:00:00Z",
            "lines": [{"sku": "C-3", "quantity": 1, "shipped": 1, "invoiced": 1}],
        },
    ],
}


def build_company(db: Database) -> None:
    transfer.import_text(db, json.dumps(COMPANY), source="test")
    assert backorders.create_backorder(db, 2001).backorder == 2006  #: 6 Alpha, 7.5 m Beta
    fulfilment.ship(db, 2006, [Item("A-1", Decimal(2))])
    fulfilment.invoice_order(db, 2006)
    fulfilment.ship(db, 2002, [Item("D-4", Decimal(1))])
    purchases.add_purchase(
        db, supplier="S", expected=date(2026, 12, 5), items=[Item("A-1", Decimal(10))]
    )
    purchases.add_purchase(
        db, supplier="S", expected=date(2026, 12, 10), items=[Item("C-3", Decimal(5))]
    )


@pytest.fixture
def company(db: Database) -> Database:
    build_company(db)
    set_contact(db)
    assert list(integrity.check_database(db)) == []  # a company the rules allow
    return db


def test_the_statement_adds_up_to_the_figures_computed_by_hand(company: Database) -> None:
    found = letters.statement(company, "nordlys aps", today=TODAY)
    assert found.customer.name == "Nordlys ApS"
    assert [case.orders for case in found.cases] == [[2001, 2006], [2002]]
    chain, single = found.cases
    # #2006 holds 6 Alpha (15.00 moved from #2001's 25.00) and 7.5 m Beta (7.5 x 1.333 =
    # 9.9975 -> 10.00); 2 Alpha shipped are worth 15.00 x 2/6 = 5.00, so 4 owe 10.00.
    assert [(i.order, i.sku, i.quantity, i.value, i.eta) for i in chain.owed] == [
        (2006, "A-1", Decimal(4), Decimal("10.00"), date(2026, 12, 5)),
        (2006, "B-2", Decimal("7.5"), Decimal("10.00"), None),
    ]
    # Delivered on the chain: 4 Alpha on #2001 (10.00) and 2 on #2006 (5.00).
    assert [(i.sku, i.quantity, i.value) for i in chain.shipped] == [
        ("A-1", Decimal(6), Decimal("15.00"))
    ]
    assert (chain.owed_value, chain.shipped_value, chain.invoiced) == (
        Decimal("20.00"),
        Decimal("15.00"),
        Decimal("15.00"),
    )
    assert chain.eta is None  # Beta has no date
    assert chain.ordered_at == datetime(2026, 11, 1, 9, tzinfo=UTC)
    # #2002: Other A/S waits longer and takes 2 of the 3 Gamma in stock; the last one and
    # purchase #2 (2026-12-10) cover the 3. Delta: 3 x 0.333 = 0.999 -> 1.00, one shipped
    # is worth 0.33, the 2 owed 0.67, and no supply is known for them.
    assert [(i.order, i.sku, i.quantity, i.value, i.eta) for i in single.owed] == [
        (2002, "C-3", Decimal(3), Decimal("30.00"), date(2026, 12, 10)),
        (2002, "D-4", Decimal(2), Decimal("0.67"), None),
    ]
    assert [(i.sku, i.quantity, i.value) for i in single.shipped] == [
        ("D-4", Decimal(1), Decimal("0.33"))
    ]
    assert (single.owed_value, single.shipped_value, single.invoiced) == (
        Decimal("30.67"),
        Decimal("0.33"),
        Decimal(0),
    )
    # The draft #2004 and the delivered #2005 owe nothing; Other A/S is not Nordlys.
    assert (found.owed_value, found.shipped_value, found.invoiced, found.owed_lines) == (
        Decimal("50.67"),
        Decimal("15.33"),
        Decimal("15.00"),
        4,
    )


def test_a_statement_in_json_keeps_the_exact_figures(company: Database) -> None:
    from backorder_cli.cli.output.json_format import to_json

    document = json.loads(to_json(letters.statement(company, "Nordlys ApS", today=TODAY)))
    assert document["owed_value"] == 50.67 and document["date"] == "2026-11-26"
    assert document["cases"][1]["owed"][1]["value"] == 0.67
    assert document["customer"]["email"] == "indkob@nordlys.dk"


def test_a_statement_of_an_unknown_customer_names_the_nearest(company: Database) -> None:
    with pytest.raises(NotFound) as refused:
        letters.statement(company, "Nordlis ApS")
    assert refused.value.message == (
        "no customer 'Nordlis ApS' - did you mean 'Nordlys ApS'? (see `backorder customers list`)"
    )


def test_a_customer_who_is_owed_nothing_gets_a_statement_that_says_so(company: Database) -> None:
    found = letters.statement(company, "Other A/S", today=TODAY)
    assert [c.orders for c in found.cases] == [[2003]]  # waiting: stock covers it today
    assert found.cases[0].owed[0].eta == TODAY


def test_a_customer_owed_nothing_gets_a_statement_that_says_so(company: Database) -> None:
    found = letters.statement(company, "done aps", today=TODAY)
    assert (found.cases, found.owed_value, found.invoiced) == ([], Decimal(0), Decimal(0))
    text = statement_render.text(found, safe_text)
    assert "Nothing is owed: every order is delivered or closed." in text
    assert "Still owed  0.00" in text


def test_what_was_closed_short_is_said_not_to_come(company: Database) -> None:
    corrections.close_order(company, 2006, ["B-2"], reason="customer takes the rest")
    letter = letters.notice(company, 2006, today=TODAY)
    assert [(i.sku, i.quantity) for i in letter.follows] == [("A-1", Decimal(4))]
    assert [(i.sku, i.quantity) for i in letter.not_delivered] == [("B-2", Decimal("7.5"))]
    assert letter.eta == date(2026, 12, 5)
    assert list(integrity.check_database(company)) == []
    text = notice_render.text(letter, safe_text)
    assert "The item we could not deliver yet is on backorder #2006 and follows" in text
    assert "We expect to deliver it by 2026-12-05." in text
    assert "The item below was canceled and will not be delivered:" in text


@pytest.mark.parametrize("number", [2006, 2001])
def test_the_notice_of_a_backorder_or_its_origin_is_the_same_letter(
    company: Database, number: int
) -> None:
    letter = letters.notice(company, number, today=TODAY)
    assert (letter.number, letter.split_from, letter.chain) == (2006, 2001, [2001, 2006])
    assert [(i.sku, i.quantity) for i in letter.delivered] == [("A-1", Decimal(6))]
    assert [(i.sku, i.quantity, i.eta) for i in letter.follows] == [
        ("A-1", Decimal(4), date(2026, 12, 5)),
        ("B-2", Decimal("7.5"), None),
    ]
    assert letter.eta is None
    assert (letter.reference, letter.address) == ("PO-77", "Havnegade 1\n5000 Odense C")


def test_a_notice_needs_something_delivered(company: Database) -> None:
    with pytest.raises(NotAllowed) as refused:
        letters.notice(company, 2003)
    assert refused.value.code == "nothing_delivered"
    assert refused.value.message.startswith("order #2003 has nothing delivered yet")
    with pytest.raises(NotFound, match="#9999"):
        letters.notice(company, 9999)


def golden(name: str, text: str) -> None:
    """Compare with tests/data/letters/NAME; BACKORDER_GOLDEN=1 writes it instead."""
    path = GOLDEN / name
    if os.environ.get("BACKORDER_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs"


NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
MESSAGE_ID = "<notice-2006@example.com>"


def the_email(db: Database) -> str:
    letter = letters.notice(db, 2006, today=TODAY)
    message = eml.message(
        letter, safe_text, sender="Shop <orders@example.com>", now=NOW, message_id=MESSAGE_ID
    )
    return eml.as_text(message)


@pytest.mark.sqlite_only
def test_the_notice_reads_as_the_golden_files(company: Database) -> None:
    letter = letters.notice(company, 2006, today=TODAY)
    golden("notice.txt", notice_render.text(letter, safe_text))
    golden("notice.md", notice_render.markdown(letter, safe_text))
    golden("notice.html", notice_render.html_document(letter, safe_text))
    golden("notice.eml", the_email(company))
    found = letters.statement(company, "Nordlys ApS", today=TODAY)
    golden("statement.txt", statement_render.text(found, safe_text))
    golden("statement.md", statement_render.markdown(found, safe_text))
    golden("statement.html", statement_render.html_document(found, safe_text))


@pytest.mark.sqlite_only
def test_the_email_parses_back_with_its_headers_and_parts(company: Database) -> None:
    parsed = email.message_from_string(the_email(company), policy=email.policy.default)
    assert str(parsed["To"]) == "Nordlys ApS <indkob@nordlys.dk>"
    assert str(parsed["From"]) == "Shop <orders@example.com>"
    assert str(parsed["Subject"]) == "Backorder #2006 for your order #2001 (your reference PO-77)"
    assert parsed["Date"].datetime == NOW
    assert parsed["Message-ID"] == MESSAGE_ID
    assert parsed.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    plain = parsed.get_body(("plain",))
    page = parsed.get_body(("html",))
    assert plain is not None and page is not None
    letter = letters.notice(company, 2006, today=TODAY)
    assert plain.get_content() == notice_render.text(letter, safe_text)
    assert page.get_content() == notice_render.html_document(letter, safe_text)


def set_contact(db: Database) -> None:
    """Nordlys's email and address, and the customer's reference and the delivery
    address on its backorder chain (as `customers edit` and `orders edit` set them)."""
    from sqlalchemy import text

    with db.write() as session:
        conn = session.connection()
        conn.execute(
            text("UPDATE customers SET email = :email, address = :address WHERE name_key = :key"),
            {
                "email": "indkob@nordlys.dk",
                "address": "Postboks 9\n5100 Odense C",
                "key": "nordlys aps",
            },
        )
        conn.execute(
            text(
                "UPDATE orders SET reference = 'PO-77', address = :address "
                "WHERE number IN (2001, 2006)"
            ),
            {"address": "Havnegade 1\n5000 Odense C"},
        )


@pytest.mark.sqlite_only
def test_a_statement_of_a_customer_with_thousands_of_orders(db: Database) -> None:
    """One allocation for the ETAs, whatever the number of orders: 2,000 waiting orders
    (each partially shipped: 1 of 3 Alpha at 2.50 and 2 m Beta at 1.333) add up."""
    orders = [
        {
            "number": 5000 + n,
            "customer": "Big ApS",
            "lines": [
                {"sku": "A-1", "quantity": 3, "shipped": 1, "invoiced": 1},
                {"sku": "B-2", "quantity": 2},
            ],
        }
        for n in range(2000)
    ]
    document = {"products": COMPANY["products"], "orders": orders}
    transfer.import_text(db, json.dumps(document), source="test")
    found = letters.statement(db, "big aps", today=TODAY)
    assert len(found.cases) == 2000 and found.owed_lines == 4000
    # Each order: Alpha 7.50, one shipped is worth 2.50, 5.00 owed; Beta 2.666 -> 2.67.
    assert found.owed_value == Decimal("7.67") * 2000
    assert found.shipped_value == found.invoiced == Decimal("2.50") * 2000
    # Stock (2 Alpha) covers the 2 Alpha of the first order only; nothing else is known.
    assert [c.owed[0].eta for c in found.cases[:3]] == [TODAY, None, None]
    assert {c.owed[1].eta for c in found.cases} == {None}
