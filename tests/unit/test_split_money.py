"""Money keeps its sum when a line is split: a line's amount is rounded once, and its
invoices, what it moves to backorders and what it keeps are cut from that amount so the
parts add up to exactly the whole, to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from backorder_cli.domain.money import given_back_amount, invoice_amount, line_amount, split_amount


@dataclass
class Line:
    """A line as the tool keeps it (the services do these steps on stored lines)."""

    quantity: D
    unit_price: D
    amount: D
    shipped: D = D(0)
    invoiced: D = D(0)
    canceled: D = D(0)
    backordered: D = D(0)
    backordered_amount: D = D(0)
    sku: str = "A"
    name: str = "thing"
    unit: str = "pcs"

    @property
    def remaining(self) -> D:
        return self.quantity - self.shipped - self.canceled


def new_line(quantity: D, price: D) -> Line:
    return Line(quantity, price, line_amount(quantity, price))


def invoice(line: Line, quantity: D, billed: list[D]) -> D:
    """Ship and invoice `quantity` more; returns the invoice line's amount."""
    line.shipped += quantity
    amount = invoice_amount(line, quantity, sum(billed, D(0)))
    line.invoiced += quantity
    billed.append(amount)
    return amount


def backorder(line: Line) -> Line:
    """Move what remains to a new line, as `create` does."""
    moved = line.remaining
    kept, leaving = split_amount(line, moved)
    line.canceled += moved
    line.backordered += moved
    line.amount = kept
    line.backordered_amount += leaving
    return Line(moved, line.unit_price, leaving)


def test_four_units_at_half_a_cent_bill_two_cents_in_one_unit_invoices() -> None:
    line = new_line(D(4), D("0.005"))
    assert line.amount == D("0.02")
    billed: list[D] = []
    amounts = [invoice(line, D(1), billed) for _ in range(4)]
    assert amounts == [D("0.01"), D("0.00"), D("0.01"), D("0.00")]
    assert sum(amounts[:3]) == D("0.02")  # three invoices no longer bill 0.03
    assert sum(amounts) == line.amount == D("0.02")


def test_sample_2398_splits_into_81_13_and_98_67() -> None:
    led = new_line(D(40), D("3.245"))
    socket = new_line(D(4), D("12.50"))
    assert led.amount + socket.amount == D("179.80")
    billed: list[D] = []
    assert invoice(led, D(25), billed) == D("81.13")
    new_led, new_socket = backorder(led), backorder(socket)
    assert led.amount + socket.amount == D("81.13")
    assert new_led.amount + new_socket.amount == D("98.67")


def test_an_undone_split_gives_back_exactly_what_left() -> None:
    line = new_line(D(7), D("0.333"))
    invoice(line, D(2), [])
    before = line.amount
    moved = backorder(line)
    back = given_back_amount(line, moved.quantity)
    assert back == moved.amount
    assert line.amount + back == before
    assert line.backordered_amount - back == 0


quantities = st.decimals(min_value=D("0.001"), max_value=D(1000), places=3)
prices = st.decimals(min_value=D(0), max_value=D(100), places=4)
# Each step: invoice this fraction of what remains (rounded to the unit's places), or
# split what remains off to a backorder (0) and go on with the backorder.
steps = st.lists(st.one_of(st.just(D(0)), st.decimals(D("0.01"), D(1), places=2)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(quantity=quantities, price=prices, plan=steps)
def test_any_sequence_of_invoices_and_splits_adds_up_to_the_line_amount(
    quantity: D, price: D, plan: list[D]
) -> None:
    first = new_line(quantity, price)
    original = first.amount
    chain = [first]
    billed: dict[int, list[D]] = {0: []}
    for step in plan:
        line = chain[-1]
        if line.remaining <= 0:
            break
        if step == 0:
            if line.shipped == 0:
                continue  # a backorder is made from a partially shipped line
            chain.append(backorder(line))
            billed[len(chain) - 1] = []
            continue
        part = (line.remaining * step).quantize(D("0.001"))
        if part > 0:
            invoice(line, part, billed[len(chain) - 1])
    # Bill the rest of the last line: the chain is then fully invoiced.
    last = chain[-1]
    if last.remaining > 0:
        invoice(last, last.remaining, billed[len(chain) - 1])
    for i, line in enumerate(chain):
        assert sum(billed[i], D(0)) == line.amount  # each line's invoices add up
        assert line.amount >= 0
        if i + 1 < len(chain):  # what it moved is what the backorder started with
            following = chain[i + 1]
            assert line.backordered_amount == following.amount + following.backordered_amount
    assert sum((line.amount for line in chain), D(0)) == original
    assert sum((sum(b, D(0)) for b in billed.values()), D(0)) == original


@given(
    quantity=st.integers(min_value=1, max_value=10**9),
    price=st.integers(min_value=0, max_value=10**9),
    part=st.integers(min_value=0, max_value=10**9),
)
def test_the_scaled_rule_the_bulk_writers_use_is_the_decimal_rule(
    quantity: int, price: int, part: int
) -> None:
    """bench/generate.py and bench/reference.py compute money on scaled integers: the
    same rule as the domain's Decimals, to the cent."""
    from decimal import Decimal

    from backorder_cli.domain.money import line_amount, scaled_line_amount, scaled_share, share

    q, p = Decimal(quantity) / 1000, Decimal(price) / 10000
    amount = scaled_line_amount(quantity, price)
    assert Decimal(amount) / 100 == line_amount(q, p)
    assert Decimal(scaled_share(amount, part, quantity)) / 100 == share(
        Decimal(amount) / 100, Decimal(part) / 1000, q
    )
