"""The trigram index behind `orders list --search` and `--customer` (schema 10): it finds
exactly what the scan of every order finds, on hostile and Unicode text, on both
backends; the import keeps it right; `check` notices when it disagrees; and the log's
filters walk indexes."""

# ruff: noqa: RUF001 - look-alike letters are what these tests are about

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import or_, select

from backorder_cli.domain.orders import Archived
from backorder_cli.domain.values import Item
from backorder_cli.services import integrity, reports
from backorder_cli.services import orders as orders_service
from backorder_cli.services import transfer as transfer_service
from backorder_cli.services.search import contains_folded, newest_first
from backorder_cli.services.steps import ORDERS
from backorder_cli.storage.database import Database

# (customer, comment): what people and pasted text put there.
HOSTILE = [
    ("Straße GmbH", "Lieferung STRASSE 5"),
    ("STRAẞE AG", ""),
    ("ﬁnanceﬂow Ltd", "ligatures ﬀ ﬃ"),
    ("ΣΊΣΥΦΟΣ Α.Ε.", "τελικός σ: ς"),
    ("İstanbul Ticaret", "dotted İ and ı"),
    ("Ǆemal d.o.o.", "titlecase ǅ"),
    ("100% _off_ sale", "50% off, a_b"),
    ("a*b?[c] Tools", "glob [*] chars ?"),
    ('Quote "Co"', "it's 'single'"),
    ("Tab\tand\nnewline", "multi\nline comment"),
    ("\u202eevil override", "zero\u200bwidth"),
    ("Emoji 👍🏽 Shop", "🏳️‍🌈 flag"),
    ("Cherokee ꭰꭱ Ꭰ", "Kelvin \u212a sign"),
    ("Micro µ and Μ", "long ſ s"),
    ("Customer 0123 ApS", "Backorder from order #100013"),
]
SEARCHES = [
    "ss",
    "strasse",
    "STRAẞE",
    "straße",
    "fin",
    "ﬁnance",
    "FLOW",
    "σίσυ",
    "ΣΊΣ",
    "ς:",
    "istanbul",
    "i̇st",
    "ǆem",
    "ǅEM",
    "% _",
    "_off_",
    "a_b",
    "*b?",
    "[c]",
    "[*]",
    '"co"',
    "'single'",
    "\tand",
    "e\nl",
    "\u202eevil",
    "👍🏽 s",
    "🏳️‍🌈",
    "ꭰꭱ",
    "Ꭰ",
    "kelvin k",
    "µ and μ",
    "ſ s",
    "0123",
    "#100013",
    "rom or",
    "ab",
    "x",
    "nothing like it",
]


@pytest.fixture
def hostile(sample_db: Database) -> list[int]:
    sku = "BOX-68"
    return [
        orders_service.add_order(
            sample_db, customer=customer, comment=comment, items=[Item(sku, Decimal(1))]
        )
        for customer, comment in HOSTILE
    ]


def scanned(db: Database, *, search: str | None = None, customer: str | None = None) -> set[int]:
    """The orders the scan keeps: the search's rule on every order, no index."""
    conditions = []
    if customer:
        conditions.append(contains_folded(ORDERS.c.customer, customer))
    if search:
        text = search.strip()
        match = [
            contains_folded(ORDERS.c.customer, text),
            contains_folded(ORDERS.c.comment, text),
        ]
        if text.lstrip("#").isdigit():
            match.append(ORDERS.c.number == int(text.lstrip("#")))
        conditions.append(or_(*match))
    with db.read() as session:
        rows = session.connection().execute(select(ORDERS.c.number).where(*conditions))
        return {number for (number,) in rows}


def listed(db: Database, **filters: str) -> set[int]:
    return {o.number for o in orders_service.iter_orders(db, archived=Archived.ALL, **filters)}


def test_indexed_search_finds_exactly_what_the_scan_finds(
    sample_db: Database, hostile: list[int]
) -> None:
    found_any = 0
    for text in SEARCHES:
        expected = scanned(sample_db, search=text)
        assert listed(sample_db, search=text) == expected, text
        assert listed(sample_db, customer=text) == scanned(sample_db, customer=text), text
        found_any += bool(expected & set(hostile))
    # The comparison means something: most searches find some of the hostile orders.
    assert found_any >= len(SEARCHES) // 2


def test_a_search_matches_across_case_and_folding(sample_db: Database, hostile: list[int]) -> None:
    straße, strasse_ag = hostile[0], hostile[1]
    assert {straße, strasse_ag} <= listed(sample_db, search="STRASSE")
    assert listed(sample_db, customer="FINANCEFLOW") == {hostile[2]}
    assert listed(sample_db, search="*b?") == {hostile[7]}  # glob characters are plain
    assert listed(sample_db, search="% _") == {hostile[6]}  # and so are LIKE's


def test_a_changed_customer_is_found_by_its_new_name_only(
    sample_db: Database, hostile: list[int], target: str
) -> None:
    from tests.conftest import run_sql

    number = hostile[-1]
    # Another program's write, through our own engine (SQLite: triggers call casefold).
    with sample_db.write() as session:
        session.connection().execute(
            ORDERS.update().where(ORDERS.c.number == number).values(customer="Renamed Ørsted")
        )
    assert listed(sample_db, search="ørsted") == {number}
    assert number not in listed(sample_db, search="customer 0123")
    where = f"order_id IN (SELECT id FROM orders WHERE number = {number})"
    run_sql(
        target,
        f"DELETE FROM history WHERE {where}",
        f"DELETE FROM order_lines WHERE {where}",
        f"DELETE FROM orders WHERE number = {number}",
    )
    assert listed(sample_db, search="ørsted") == set()
    assert list(integrity.check_database(sample_db)) == []


def test_an_import_is_searchable_at_once(db: Database) -> None:
    products = [{"sku": "CAB", "name": "Cable", "unit": "m", "price": "1.95", "stock": 10}]
    orders = [
        {
            "number": 10 + i,
            "customer": customer,
            "comment": comment,
            "lines": [{"sku": "CAB", "quantity": 1}],
        }
        for i, (customer, comment) in enumerate(HOSTILE)
    ]
    transfer_service.import_text(
        db, json.dumps({"products": products, "orders": orders}), source="test.json"
    )
    assert listed(db, search="strasse") == {10, 11}
    assert listed(db, customer="ΣΊΣΥΦΟΣ") == {13}
    assert listed(db, search="#100013") == {24}  # in the comment; no order #100013
    for text in SEARCHES:
        assert listed(db, search=text) == scanned(db, search=text), text
    assert list(integrity.check_database(db)) == []


@pytest.mark.sqlite_only
def test_sqlite_search_walks_the_trigram_index_and_short_text_scans(sample_db: Database) -> None:
    def plan(**filters: str) -> str:
        query = orders_service._order_filter(
            orders_service._ORDER_SUMMARY, archived=Archived.ARCHIVED, **filters
        )
        with sample_db.read() as session:
            conn = session.connection()
            compiled = query.compile(dialect=conn.dialect)
            params = tuple(compiled.construct_params()[k] for k in compiled.positiontup or ())
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
        return "\n".join(row[3] for row in rows)

    assert "order_text VIRTUAL TABLE" in plan(search="Hansen")
    assert "order_text VIRTUAL TABLE" in plan(customer="100013")
    assert "order_text" not in plan(search="ss")  # under 3 characters: a scan


@pytest.mark.sqlite_only
def test_check_reports_a_search_index_that_disagrees(sample_db: Database, db_path: Path) -> None:
    first, second = sorted(listed(sample_db))[:2]
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE order_text SET customer = 'someone else' "
            "WHERE rowid = (SELECT id FROM orders WHERE number = ?)",
            (first,),
        )
        conn.execute(
            "DELETE FROM order_text WHERE rowid = (SELECT id FROM orders WHERE number = ?)",
            (second,),
        )
        conn.execute(
            "INSERT INTO order_text (rowid, customer, comment) VALUES (999999, 'ghost', '')"
        )
    found = [str(v) for v in integrity.check_database(sample_db)]
    assert found == [
        f"order #{first}: the search index does not hold its customer and comment as they "
        "are, so searches may miss it - the index was changed outside backorder",
        f"order #{second}: the search index does not hold its customer and comment as they "
        "are, so searches may miss it - the index was changed outside backorder",
        "the search index holds order id 999999, which does not exist",
    ]


def test_postgresql_search_can_use_the_trigram_indexes(sample_db: Database) -> None:
    """As `iter_orders` asks (newest first, a limit), for text and for digits (which
    must use the casefold form the indexes are built on)."""
    if sample_db.dialect != "postgresql":
        pytest.skip("the trigram indexes of a server")
    for search in ("Hansen", "2401"):
        query = (
            orders_service._order_filter(
                orders_service._ORDER_SUMMARY, archived=Archived.ALL, search=search
            )
            .order_by(newest_first(None, search))
            .limit(20)
        )
        with sample_db.read() as session:
            conn = session.connection()
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a tiny table: no scan
            compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled)))
        assert "ix_orders_customer_trigram" in plan, plan
        assert "ix_orders_comment_trigram" in plan, plan


@pytest.mark.sqlite_only
def test_the_log_filters_walk_indexes(sample_db: Database) -> None:
    from datetime import date

    def plan(query: object) -> str:
        with sample_db.read() as session:
            conn = session.connection()
            compiled = query.compile(dialect=conn.dialect)  # type: ignore[attr-defined]
            params = tuple(compiled.construct_params()[k] for k in compiled.positiontup or ())
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
        return "\n".join(row[3] for row in rows)

    since = plan(reports.log_query(since=date(2026, 1, 1)))
    assert "USING INDEX ix_history_at" in since, since
    one_order = plan(reports.log_query(order_id=1))
    assert "USING INDEX ix_history_order_id" in one_order, one_order
    assert "SCAN history" not in since + one_order


@pytest.mark.sqlite_only
def test_check_names_lines_whose_order_is_gone(sample_db: Database, db_path: Path) -> None:
    """The orphan-line pass looks each order id up once: every line of a missing order
    is still named, and only those."""
    with sqlite3.connect(db_path) as conn:  # foreign keys are off for another program
        ids = [row[0] for row in conn.execute("SELECT id FROM order_lines ORDER BY id LIMIT 3")]
        conn.execute("UPDATE order_lines SET order_id = 888888 WHERE id IN (?, ?)", ids[:2])
    found = [str(v) for v in integrity.check_database(sample_db)]
    orphans = [f for f in found if "belongs to no order" in f]
    assert orphans == [
        f"order line {ids[0]} belongs to no order (order id 888888)",
        f"order line {ids[1]} belongs to no order (order id 888888)",
    ]
