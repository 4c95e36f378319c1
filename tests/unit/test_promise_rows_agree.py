"""The fast promise walk (`promise_rows`, on scaled integers or Decimals) gives exactly
the ETAs of the straightforward unit-by-unit rule (tests/helpers/promises.py), on
random small companies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from backorder_cli.domain.allocation import order_etas, promise_rows, promise_rows_of
from tests.helpers.promises import reference_order_etas, reference_promises

TODAY = date(2026, 11, 26)
SKUS = ("A", "B", "C")

lines = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 6)), min_size=1, max_size=3)
companies = st.tuples(
    st.lists(lines, min_size=1, max_size=8),
    st.dictionaries(st.sampled_from(SKUS), st.integers(0, 10)),
    # (days from today, purchase number, SKU, still to come): numbers and days repeat,
    # so ties in the expected date are broken by the number
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(1, 4), st.sampled_from(SKUS), st.integers(1, 6)),
        max_size=6,
    ),
)


def _company(drawn):  # type: ignore[no-untyped-def]
    raw_orders, stock, raw_purchases = drawn
    orders = [
        (1001 + i, [(p, sku, q) for p, (sku, q) in enumerate(order, start=1)])
        for i, order in enumerate(raw_orders)
    ]
    purchases = [(TODAY + timedelta(days), n, sku, q) for days, n, sku, q in raw_purchases]
    return orders, stock, purchases


@settings(max_examples=100, deadline=None)
@given(companies)
def test_the_fast_walk_gives_the_unit_by_unit_etas(drawn) -> None:  # type: ignore[no-untyped-def]
    orders, stock, purchases = _company(drawn)
    expected = reference_promises(orders, stock, purchases, TODAY)
    rows = list(promise_rows(orders, stock, purchases, TODAY))
    assert {(n, p): (eta, source, short) for n, p, _s, _q, eta, source, short in rows} == expected
    assert [(n, p) for n, p, *_rest in rows] == [(n, p) for n, ls in orders for p, _s, _q in ls]
    assert order_etas(orders, stock, purchases, TODAY) == reference_order_etas(expected)


@settings(max_examples=60, deadline=None)
@given(companies)
def test_decimals_and_scaled_integers_give_the_same_etas(drawn) -> None:  # type: ignore[no-untyped-def]
    # Quarters as Decimals (2.25 ...) against the same quantities as whole quarters.
    orders, stock, purchases = _company(drawn)
    quarter = D("0.25")
    as_decimals = list(
        promise_rows(
            [(n, [(p, s, q * quarter) for p, s, q in ls]) for n, ls in orders],
            {s: q * quarter for s, q in stock.items()},
            [(e, n, s, q * quarter) for e, n, s, q in purchases],
            TODAY,
        )
    )
    as_integers = list(promise_rows(orders, stock, purchases, TODAY))
    assert [row[:3] + row[4:6] + (row[6] / quarter,) for row in as_decimals] == [
        row[:3] + row[4:6] + (row[6],) for row in as_integers
    ]


@settings(max_examples=150, deadline=None)
@given(companies, st.booleans())
def test_one_orders_sums_give_the_walks_rows(drawn, in_quarters: bool) -> None:  # type: ignore[no-untyped-def]
    # `orders show` sums instead of walking: for every order, exactly the rows of the
    # full walk, on scaled integers and on Decimals alike.
    orders, stock, purchases = _company(drawn)
    if in_quarters:
        quarter = D("0.25")
        orders = [(n, [(p, s, q * quarter) for p, s, q in ls]) for n, ls in orders]
        stock = {s: q * quarter for s, q in stock.items()}
        purchases = [(e, n, s, q * quarter) for e, n, s, q in purchases]
    walked = list(promise_rows(orders, stock, purchases, TODAY))
    flat = [(n, p, s, q) for n, ls in orders for p, s, q in ls]
    for number, _lines in [*orders, (999, [])]:
        assert promise_rows_of(number, flat, stock, purchases, TODAY) == [
            row for row in walked if row[0] == number
        ]
