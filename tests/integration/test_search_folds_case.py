"""Searching orders ignores case in every script, and both backends find the same
orders (Python's casefold): Danish letters, ß and ẞ, Greek final sigma, ligatures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.services import catalogue, orders
from backorder_cli.storage.casefold import _FOLD_FROM, _FOLD_TO
from backorder_cli.storage.database import Database

CUSTOMERS = [
    "Hansen & Søn VVS",
    "SØRENSEN ÆRØ ÅS",
    "Großhandel Straße",
    "GROSSHANDEL STRASSE",
    "ΚΑΦΕΣ ΟΔΥΣΣΕΥΣ",
    "καφές οδυσσεύς",
    "Ǆemal ﬁnance",
    "100% _under/score",
]
QUERIES = [
    "SØN", "søn", "sØn", "ÆRØ", "ærø", "å", "ß", "ẞ", "SS", "straße", "STRAẞE", "strasse",
    "Σ", "ς", "\u03c3", "οδυσσευς", "ΚΑΦΕΣ", "ǆ", "ǅEMAL", "FINANCE", "%", "_", "/", "0% _",
]  # fmt: skip


@pytest.fixture
def shop(db: Database) -> dict[int, str]:
    catalogue.add_product(db, "P-1", name="Part", price="1", stock="0")
    # new_customer: the Greek names differ in accents, which `orders add` would refuse
    # as a near miss of one customer; here they are two.
    return {
        orders.add_order(db, customer=name, items=[Item("P-1", D(1))], new_customer=True): name
        for name in CUSTOMERS
    }


def test_a_search_finds_what_casefold_finds(shop: dict[int, str], db: Database) -> None:
    found, expected = {}, {}
    for query in QUERIES:
        expected[query] = sorted(
            (n for n, name in shop.items() if query.casefold() in name.casefold()), reverse=True
        )
        assert expected[query], query  # every query finds something
        by_customer = [o.number for o in orders.iter_orders(db, customer=query)]
        by_search = [o.number for o in orders.iter_orders(db, search=query)]
        assert by_customer == by_search
        found[query] = by_search
    assert found == expected


def test_søn_in_capitals_finds_the_three_sample_orders(sample_db: Database) -> None:
    lower = [o.number for o in orders.iter_orders(sample_db, search="søn", archived="all")]
    upper = [o.number for o in orders.iter_orders(sample_db, search="SØN", archived="all")]
    assert len(lower) == 3
    assert upper == lower
    assert orders.partially_shipped_numbers(sample_db, customer="SØN") == [2401]


def test_the_single_letter_foldings_are_pythons() -> None:
    """What lower() leaves and casefold folds to one letter: the PostgreSQL table."""
    table = {}
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        letter = chr(code)
        low, folded = letter.lower(), letter.casefold()
        if low != folded and len(low) == 1 and len(folded) == 1:
            table[low] = folded
    assert dict(zip(_FOLD_FROM, _FOLD_TO, strict=True)) == table


@pytest.mark.sqlite_only
def test_a_folded_search_still_walks_the_listing_index(db: Database) -> None:
    from sqlalchemy import select

    from backorder_cli.storage.tables import ORDERS

    query = orders._order_filter(select(ORDERS.c.number), search="SØN 2401")
    query = query.order_by(ORDERS.c.number.desc())
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    assert "USING INDEX ix_orders_archived_number" in plan[0][-1]
