"""The letters' rendering on plain values (no database): the wording for one line or
many, hostile text in every format, the email's headers and parts."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import html
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backorder_cli.cli.output.text import safe_text
from backorder_cli.errors import InvalidInput, NotAllowed
from backorder_cli.letters import eml, layout, words
from backorder_cli.letters import notice as notice_render
from backorder_cli.letters import statement as statement_render
from backorder_cli.services.letters import Case, Customer, ItemLine, Notice, Statement

WHO = Customer("Nordlys ApS", "indkob@nordlys.dk", "Havnegade 1\n5000 Odense C")
ALPHA = ItemLine("A-1", "Alpha", "pcs", Decimal(4), eta=date(2026, 12, 5), eta_source="purchase #1")
BETA = ItemLine("B-2", "Beta cable", "m", Decimal("7.5"))
SENT = ItemLine("A-1", "Alpha", "pcs", Decimal(6))


def a_notice(**changes: object) -> Notice:
    base = Notice(
        number=101,
        split_from=100,
        chain=[100, 101],
        customer=WHO,
        reference="PO-77",
        address=WHO.address,
        date=date(2026, 11, 26),
        delivered=[SENT],
        follows=[ALPHA, BETA],
        not_delivered=[],
        eta=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_one_line_is_said_in_the_singular_and_many_in_the_plural() -> None:
    one = words.opening(a_notice(follows=[ALPHA], eta=ALPHA.eta))
    assert "the item below was sent to you" in one
    assert (
        "The item we could not deliver yet is on backorder #101 and follows as soon as it is" in one
    )
    assert words.when(a_notice(follows=[ALPHA], eta=ALPHA.eta)) == (
        "We expect to deliver it by 2026-12-05."
    )
    many = words.opening(a_notice(delivered=[SENT, BETA]))
    assert "the 2 items below were sent to you" in many
    assert (
        "The 2 items we could not deliver yet are on backorder #101 and follow as soon as" in many
    )
    assert words.when(a_notice(follows=[ALPHA, ALPHA], eta=ALPHA.eta)) == (
        "We expect to deliver them by 2026-12-05."
    )


def test_a_date_not_known_is_to_be_confirmed() -> None:
    text = notice_render.text(a_notice(), safe_text)
    assert "B-2  Beta cable  date to be confirmed" in text
    assert "A-1  Alpha       expected 2026-12-05" in text
    assert 'the items marked "date to be confirmed"' in text
    nothing_known = a_notice(follows=[BETA])
    assert words.when(nothing_known) == "We will confirm the delivery date as soon as we know it."


def test_a_partial_shipment_not_split_yet_and_a_chain_with_nothing_left() -> None:
    unsplit = a_notice(number=100, split_from=None, chain=[100])
    assert words.subject(unsplit) == "Your order #100: part delivered, the rest follows"
    assert "still open on order #100" in words.opening(unsplit)
    done = a_notice(follows=[], not_delivered=[BETA])
    assert words.subject(done) == "Your order #100: what was delivered"
    text = notice_render.text(done, safe_text)
    assert "Nothing more follows on this order." in text
    assert "The item below was canceled and will not be delivered:" in text


HOSTILE = "Evil\x1b[31m\u202e <script>alert(1)</script> *x* [red]r[/red] & | `c`\n#head"


def hostile_notice() -> Notice:
    who = Customer(HOSTILE, "a@example.com", HOSTILE)
    item = ItemLine(HOSTILE, HOSTILE, "<u>", Decimal(1))
    return a_notice(
        customer=who, reference=HOSTILE, address=HOSTILE, delivered=[item], follows=[item]
    )


def test_hostile_text_in_a_text_letter_is_escaped_for_a_terminal() -> None:
    for text in (
        notice_render.text(hostile_notice(), safe_text),
        statement_render.text(hostile_statement(), safe_text),
    ):
        assert "\x1b" not in text and "\u202e" not in text
        assert "Evil\\x1b[31m\\u202e <script>" in text
        assert "\\n#head" in text  # a line break in a name stays on its line


def test_hostile_text_in_html_is_escaped_everywhere() -> None:
    for page in (
        notice_render.html_document(hostile_notice(), safe_text),
        statement_render.html_document(hostile_statement(), safe_text),
    ):
        assert "<script>" not in page and "<u>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "\x1b" not in page and "\u202e" not in page
        assert html.unescape(page).count("<script>") >= 1  # shown, as text


def test_hostile_text_in_markdown_is_shown_as_typed() -> None:
    for page in (
        notice_render.markdown(hostile_notice(), safe_text),
        statement_render.markdown(hostile_statement(), safe_text),
    ):
        assert "<script>" not in page and "*x*" not in page and "`c`" not in page
        assert "\\<script\\>alert(1)\\</script\\>" in page
        assert "\\*x\\* \\[red\\]r\\[/red\\] \\& \\| \\`c\\`" in page
        assert "\x1b" not in page and "\u202e" not in page
    # An address line that would start a heading or a list is escaped at its start.
    assert layout.md_line("# not a heading") == "\\# not a heading"
    assert layout.md_line("1. floor") == "1\\. floor"
    assert layout.md_line("- x") == "\\- x"
    assert layout.md_line("Vestergade 12") == "Vestergade 12"


def test_hostile_text_in_an_email_cannot_add_a_header() -> None:
    message = eml.message(
        hostile_notice(),
        safe_text,
        sender="shop@example.com",
        now=datetime(2026, 11, 26, tzinfo=UTC),
    )
    parsed = email.message_from_string(eml.as_text(message), policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == "a@example.com"
    assert (
        parsed["To"].addresses[0].display_name
        == "Evil 31m script alert 1 /script x red r /red & c head"
    )
    assert "\n" not in str(parsed["Subject"]) and "\x1b" not in str(parsed["Subject"])
    assert parsed["head"] is None  # the name's "\n#head" made no header
    body = parsed.get_body(("plain",))
    assert body is not None and "\x1b" not in body.get_content()
    page = parsed.get_body(("html",))
    assert page is not None and "<script>" not in page.get_content()


def test_an_email_needs_the_customers_address_and_says_how_to_add_it() -> None:
    without = a_notice(customer=Customer("Hansen & Søn VVS", None, ""))
    with pytest.raises(NotAllowed) as refused:
        eml.message(without, safe_text, sender="shop@example.com", now=datetime.now(UTC))
    assert refused.value.code == "no_email"
    assert refused.value.message == (
        "customer 'Hansen & Søn VVS' has no email address - add one with "
        "`backorder customers edit 'Hansen & Søn VVS' --email ADDRESS`, or print the letter "
        "with --format text"
    )
    broken = a_notice(customer=Customer("Nordlys", "not an address", ""))
    with pytest.raises(NotAllowed, match="customers edit Nordlys --email"):
        eml.message(broken, safe_text, sender="shop@example.com", now=datetime.now(UTC))


@pytest.mark.parametrize(
    "sender", ["", "shop", "a@b.c, d@e.f", "x@example.com\nBcc: victim@example.com", "<>"]
)
def test_a_sender_that_is_not_one_address_is_refused(sender: str) -> None:
    with pytest.raises(InvalidInput, match="is not an email address"):
        eml.address(sender, what="--from")


def test_a_sender_with_a_name_is_kept() -> None:
    found = eml.address("Nordlys Shop <orders@example.com>", what="--from")
    assert (found.display_name, found.addr_spec) == ("Nordlys Shop", "orders@example.com")


def hostile_statement() -> Statement:
    item = ItemLine(HOSTILE, HOSTILE, "<u>", Decimal(1), Decimal("1.00"), Decimal(1), 101)
    case = Case(
        orders=[100, 101],
        ordered_at=datetime(2026, 11, 1, tzinfo=UTC),
        reference=HOSTILE,
        address=HOSTILE,
        owed=[item],
        shipped=[dataclasses.replace(item, order=None, unit_price=None)],
        owed_value=Decimal("1.00"),
        shipped_value=Decimal("1.00"),
        invoiced=Decimal(0),
        eta=None,
    )
    who = Customer(HOSTILE, HOSTILE, HOSTILE)
    return Statement(who, date(2026, 11, 26), [case], Decimal(1), Decimal(1), Decimal(0), 1)
