"""Random sequences of everything a back office does (undo, credit notes, `ready --ship`
and the corrections too: cancel, close, unship, edit, adjust),
through the service layer on a real SQLite file, against a model of the expected
quantities kept beside it. After every step the invariants hold and the database agrees
with the model."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import (
    catalogue,
    corrections,
    fulfilment,
    integrity,
    invoices,
    supply,
)
from backorder_cli.services import orders as orders_service
from backorder_cli.services import purchases as purchases_service
from backorder_cli.services import stock as stock_service
from backorder_cli.services import undo as undo_service
from backorder_cli.storage.schema import init_database, open_database

SKUS = ["A", "B", "C"]
quantities = st.decimals(min_value=D("0.5"), max_value=D(12), places=1)


def cents(value: D) -> D:
    return value.quantize(D("0.01"), ROUND_HALF_UP)


def part(amount: D, k: D, n: D) -> D:
    """The money rule as the issue states it: the first k of n units of `amount`."""
    return amount if k >= n else cents(amount * k / n)


@dataclass
class Line:
    sku: str
    quantity: D
    shipped: D = D(0)
    invoiced: D = D(0)
    canceled: D = D(0)
    amount: D | None = None  # what it still stands for; a new line: quantity x price
    billed: D = D(0)  # what its invoices billed
    moved_amount: D = D(0)  # what left with its canceled units for a backorder

    def __post_init__(self) -> None:
        if self.amount is None:
            self.amount = cents(self.quantity * D("2.35"))

    def bill(self) -> D:
        """Invoice what is shipped and not invoiced; returns what that bills."""
        assert self.amount is not None
        amount = part(self.amount, self.shipped, self.quantity - self.canceled) - self.billed
        self.billed += amount
        self.invoiced = self.shipped
        return amount

    def bill_and_record(self, invoice: Invoice) -> D:
        quantity = self.shipped - self.invoiced
        amount = self.bill()
        invoice.lines[self.sku] = [quantity, amount, D(0), D(0)]
        return amount

    @property
    def remaining(self) -> D:
        return self.quantity - self.shipped - self.canceled


@dataclass
class Order:
    lines: list[Line]
    draft: bool = False
    canceled: bool = False
    archived: bool = False
    backorder_of: int | None = None

    def changeable(self) -> bool:
        return not (self.draft or self.canceled or self.archived)

    def status(self) -> str:
        """Written independently of the domain, from the rules as the issue states them."""
        if self.draft:
            return "draft"
        if self.canceled:
            return "canceled"
        shipped = any(ln.shipped for ln in self.lines)
        left = any(ln.remaining for ln in self.lines)
        if not shipped:
            return "booked"
        if left:
            return "partially_shipped"
        return "invoiced" if all(ln.invoiced == ln.shipped for ln in self.lines) else "shipped"


@dataclass
class Invoice:
    """An invoice as the model keeps it: per SKU (quantity, amount, credited quantity,
    credited amount)."""

    order: int
    lines: dict[str, list[D]] = field(default_factory=dict)


@dataclass
class Model:
    stock: dict[str, D] = field(default_factory=lambda: dict.fromkeys(SKUS, D(10)))
    orders: dict[int, Order] = field(default_factory=dict)
    inventory_on_invoicing: bool = False
    next_number: int = 1001
    # Purchases: number -> {sku: [ordered, received, canceled]}
    purchases: dict[int, dict[str, list[D]]] = field(default_factory=dict)
    invoices: dict[int, Invoice] = field(default_factory=dict)
    next_invoice: int = 1

    def new_invoice(self, order: int) -> Invoice:
        invoice = self.invoices[self.next_invoice] = Invoice(order)
        self.next_invoice += 1
        return invoice


class TemplateDatabase:
    """One initialised file with three products, copied for every example."""

    path: Path | None = None

    @classmethod
    def copy_to(cls, target: Path) -> None:
        if cls.path is None:
            folder = Path(tempfile.mkdtemp(prefix="backorder-template-"))
            atexit.register(shutil.rmtree, folder, True)
            cls.path = folder / "template.db"
            database, _ = init_database(str(cls.path))
            for sku in SKUS:
                catalogue.add_product(database, sku, name=f"Thing {sku}", price="2.35", stock="10")
            database.dispose()
        shutil.copy(cls.path, target)


class BackOffice(RuleBasedStateMachine):
    numbers = Bundle("numbers")
    backorders = Bundle("backorders")  # what create_backorder returned: undo's candidates

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="backorder-machine-"))
        TemplateDatabase.copy_to(self.folder / "db.sqlite")
        self.db = open_database(str(self.folder / "db.sqlite"))
        self.model = Model()

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    def expect(self, allowed: bool, call):  # type: ignore[no-untyped-def]
        """Run a use case the model says is allowed or refused, and check which it was."""
        if allowed:
            return call()
        with pytest.raises(NotAllowed):
            call()
        return None

    # ---------------------------------------------------------------- rules

    @initialize(target=numbers)
    def a_partially_shipped_order(self) -> int:
        """Every example starts with an order ready to be backordered (or shipped
        further), so backorders, their undoing and `ready` come up often."""
        number = self.add_order([("A", D(4)), ("B", D(2))], draft=False)
        fulfilment.ship(self.db, number, [Item("A", D(1))])
        fulfilment.invoice_order(self.db, number)
        order = self.model.orders[number]
        order.lines[0].shipped = D(1)
        order.lines[0].bill_and_record(self.model.new_invoice(number))
        self.model.stock["A"] -= 1
        return number

    @rule(
        target=numbers,
        items=st.lists(
            st.tuples(st.sampled_from(SKUS), quantities),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        draft=st.booleans(),
    )
    def add_order(self, items: list[tuple[str, D]], draft: bool) -> int:
        number = orders_service.add_order(
            self.db, customer="Model Ltd", items=[Item(s, q) for s, q in items], draft=draft
        )
        assert number == self.model.next_number
        self.model.next_number += 1
        self.model.orders[number] = Order([Line(s, q) for s, q in items], draft=draft)
        return number

    @rule(number=numbers)
    def book(self, number: int) -> None:
        order = self.model.orders[number]
        allowed = order.draft and not order.archived
        self.expect(allowed, lambda: orders_service.book_order(self.db, number))
        if allowed:
            order.draft = False

    @rule(sku=st.sampled_from(SKUS), qty=quantities)
    def receive(self, sku: str, qty: D) -> None:
        catalogue.receive_stock(self.db, sku, qty)
        self.model.stock[sku] += qty

    @rule(number=numbers, sku=st.sampled_from(SKUS), qty=quantities)
    def ship_some(self, number: int, sku: str, qty: D) -> None:
        order = self.model.orders[number]
        line = next((ln for ln in order.lines if ln.sku == sku), None)
        allowed = (
            order.changeable()
            and line is not None
            and qty <= line.remaining
            and qty <= self.model.stock[sku]
        )
        self.expect(allowed, lambda: fulfilment.ship(self.db, number, [Item(sku, qty)]))
        if allowed:
            assert line is not None
            line.shipped += qty
            self.model.stock[sku] -= qty

    @rule(number=numbers)
    def ship_available(self, number: int) -> None:
        order = self.model.orders[number]
        plan = []
        left = dict(self.model.stock)
        for line in order.lines:
            qty = min(line.remaining, left[line.sku])
            if qty > 0:
                plan.append((line, qty))
                left[line.sku] -= qty
        allowed = order.changeable() and bool(plan)
        self.expect(allowed, lambda: fulfilment.ship(self.db, number, None))
        if allowed:
            for line, qty in plan:
                line.shipped += qty
                self.model.stock[line.sku] -= qty

    @rule(number=numbers)
    def invoice(self, number: int) -> None:
        order = self.model.orders[number]
        allowed = order.changeable() and any(ln.shipped > ln.invoiced for ln in order.lines)
        result = self.expect(allowed, lambda: fulfilment.invoice_order(self.db, number))
        if allowed:
            assert result.number == self.model.next_invoice
            bill = self.model.new_invoice(number)
            expected = sum(
                (ln.bill_and_record(bill) for ln in order.lines if ln.shipped > ln.invoiced), D(0)
            )
            assert result.total == expected

    @rule(targets=(numbers, backorders), number=numbers, invoice_first=st.booleans())
    def create_backorder(self, number: int, invoice_first: bool) -> int:
        order = self.model.orders[number]
        uninvoiced = any(ln.shipped > ln.invoiced for ln in order.lines)
        allowed = (
            not self.model.inventory_on_invoicing
            and not order.canceled
            and not order.archived
            and order.status() == "partially_shipped"
            and (invoice_first or not uninvoiced)
        )
        result = self.expect(
            allowed,
            lambda: backorders_service.create_backorder(
                self.db, number, invoice_first=invoice_first
            ),
        )
        if not allowed:
            return number
        new = result.backorder
        assert new == self.model.next_number
        self.model.next_number += 1
        moved = []
        bill = None
        for ln in order.lines:
            if ln.shipped > ln.invoiced:
                bill = bill or self.model.new_invoice(number)
                ln.bill_and_record(bill)
            if ln.remaining:
                assert ln.amount is not None
                n = ln.quantity - ln.canceled
                kept = part(ln.amount, n - ln.remaining, n)
                moved.append(Line(ln.sku, ln.remaining, amount=ln.amount - kept))
                ln.moved_amount += ln.amount - kept
                ln.amount = kept
                ln.canceled += ln.remaining
        order.canceled = order.archived = True
        self.model.orders[new] = Order(moved, backorder_of=number)
        return new

    @rule(number=backorders)
    def undo(self, number: int) -> None:
        order = self.model.orders[number]
        origin = self.model.orders.get(order.backorder_of) if order.backorder_of else None
        allowed = (
            origin is not None
            and not order.canceled
            and not any(ln.shipped for ln in order.lines)
            and not any(ln.canceled for ln in order.lines)  # closed short in part
            and origin.canceled
        )
        self.expect(allowed, lambda: undo_service.undo_backorder(self.db, number))

        if not allowed:
            return
        assert origin is not None
        for line in order.lines:
            due = line.quantity - line.canceled
            for source in origin.lines:  # one price per SKU here: SKU decides
                if source.sku == line.sku and due:
                    back = min(due, source.canceled)
                    source.canceled -= back
                    due -= back
                    # One backorder at a time here: all it took comes back.
                    assert source.amount is not None and back == line.quantity
                    source.amount += source.moved_amount
                    source.moved_amount = D(0)
            line.canceled = line.quantity
            line.amount = D(0)
        origin.canceled = origin.archived = False
        order.canceled = order.archived = True
        order.backorder_of = None

    @precondition(lambda self: self.model.invoices)
    @rule(
        pick=st.integers(min_value=0),
        whole=st.booleans(),
        sku=st.sampled_from(SKUS),
        qty=quantities,
        reason=st.sampled_from(["", "damaged", "Øre «returned»"]),
    )
    def credit(self, pick: int, whole: bool, sku: str, qty: D, reason: str) -> None:
        """Credit all that is left of an invoice or SKU=QTY of it: the share of the
        invoice line (the issue's rule), whatever state its order is in."""
        numbers = sorted(self.model.invoices)
        number = numbers[pick % len(numbers)]
        invoice = self.model.invoices[number]
        if whole:
            plan = [(s, ln[0] - ln[2]) for s, ln in invoice.lines.items() if ln[0] > ln[2]]
        else:
            line = invoice.lines.get(sku)
            plan = [(sku, qty)] if line is not None and qty <= line[0] - line[2] else []
        items = None if whole else [Item(sku, qty)]
        result = self.expect(
            bool(plan),
            lambda: invoices.credit_invoice(self.db, number, items, reason=reason),
        )
        if not plan:
            return
        assert result.number == self.model.next_invoice
        self.model.next_invoice += 1
        order = self.model.orders[invoice.order]
        given_back = D(0)
        for credited_sku, quantity in plan:
            billed = invoice.lines[credited_sku]
            amount = part(billed[1], billed[2] + quantity, billed[0]) - billed[3]
            billed[2] += quantity
            billed[3] += amount
            given_back += amount
            line = next(ln for ln in order.lines if ln.sku == credited_sku)
            line.invoiced -= quantity
            line.billed -= amount
        assert result.total == -given_back
        assert result.order_status == order.status()

    @rule()
    def ready_ship(self) -> None:
        """Everything stock covers, as the issue states the rule: backorders first, then
        the oldest, a backorder as old as its chain's first order (numbers are taken in
        time order here), whole lines only."""

        def first(number: int) -> int:
            while (origin := self.model.orders[number].backorder_of) is not None:
                number = origin
            return number

        waiting = sorted(
            (
                (order.backorder_of is None, first(number), number)
                for number, order in self.model.orders.items()
                if order.status() in ("booked", "partially_shipped") and not order.archived
            )
        )
        left = dict(self.model.stock)
        expected = []
        for _, _first, number in waiting:
            covered = []
            for line in self.model.orders[number].lines:
                if line.remaining and left[line.sku] >= line.remaining:
                    left[line.sku] -= line.remaining
                    covered.append((line, line.remaining))
            if covered:
                expected.append((number, covered))
        outcomes = list(fulfilment.ship_ready(self.db, fulfilment.ready_orders(self.db)))
        assert [(o.order, o.ok, o.shipped) for o in outcomes] == [
            (number, True, [(ln.sku, q) for ln, q in covered]) for number, covered in expected
        ]
        for _number, covered in expected:
            for line, qty in covered:
                line.shipped += qty
                self.model.stock[line.sku] -= qty

    @rule(number=numbers)
    def cancel(self, number: int) -> None:
        order = self.model.orders[number]
        allowed = (
            not order.canceled and not order.archived and not any(ln.shipped for ln in order.lines)
        )
        self.expect(allowed, lambda: corrections.cancel_orders(self.db, [number]))
        if allowed:
            for line in order.lines:
                line.canceled += line.remaining
                line.amount = D(0)
            order.canceled, order.draft = True, False

    @rule(number=numbers, sku=st.one_of(st.none(), st.sampled_from(SKUS)))
    def close(self, number: int, sku: str | None) -> None:
        order = self.model.orders[number]
        closing = [ln for ln in order.lines if ln.remaining and sku in (None, ln.sku)]
        allowed = (
            order.changeable()
            and bool(closing)
            and (
                any(ln.shipped for ln in order.lines)
                or any(ln.remaining for ln in order.lines if ln not in closing)
            )
        )
        names = [] if sku is None else [sku]
        self.expect(allowed, lambda: corrections.close_order(self.db, number, names))
        if allowed:
            for line in closing:
                assert line.amount is not None
                n = line.quantity - line.canceled
                kept = part(line.amount, n - line.remaining, n)
                if line.invoiced and line.invoiced == n - line.remaining:
                    kept = min(line.billed, line.amount)
                line.amount = kept
                line.canceled += line.remaining

    @rule(number=numbers, sku=st.sampled_from(SKUS), qty=quantities)
    def unship(self, number: int, sku: str, qty: D) -> None:
        order = self.model.orders[number]
        line = next((ln for ln in order.lines if ln.sku == sku), None)
        has_backorder = any(o.backorder_of == number for o in self.model.orders.values())
        allowed = (
            not has_backorder
            and not order.canceled
            and not order.archived
            and not order.draft
            and line is not None
            and qty <= line.shipped - line.invoiced
        )
        self.expect(allowed, lambda: corrections.unship(self.db, number, [Item(sku, qty)]))
        if allowed:
            assert line is not None
            line.shipped -= qty
            self.model.stock[sku] += qty

    @rule(number=numbers, sku=st.sampled_from(SKUS), qty=quantities)
    def edit_quantity(self, number: int, sku: str, qty: D) -> None:
        """Set a line's quantity, or add the line (same price as the catalogue's)."""
        order = self.model.orders[number]
        line = next((ln for ln in order.lines if ln.sku == sku), None)
        allowed = (
            not order.canceled
            and not order.archived
            and order.backorder_of is None
            and (line is None or qty >= line.shipped + line.canceled)
            and (line is None or qty != line.quantity)
        )
        self.expect(
            allowed, lambda: corrections.edit_order(self.db, number, items=[Item(sku, qty)])
        )
        if not allowed:
            return
        if line is None:
            order.lines.append(Line(sku, qty))
            return
        kept = qty - line.canceled
        amount = part(cents(qty * D("2.35")), kept, qty)
        if line.invoiced and line.invoiced == kept:
            amount = line.billed
        line.amount = max(amount, line.billed)
        line.quantity = qty

    @rule(sku=st.sampled_from(SKUS), counted=st.decimals(min_value=D(0), max_value=D(20), places=1))
    def adjust(self, sku: str, counted: D) -> None:
        count = stock_service.adjust_stock(self.db, sku, counted, reason="count")
        assert count.difference == counted - self.model.stock[sku]
        self.model.stock[sku] = counted

    # ---------------------------------------------------------------- supply (issue 15)

    purchases = Bundle("purchases")

    @rule(
        target=purchases,
        items=st.dictionaries(st.sampled_from(SKUS), quantities, min_size=1, max_size=3),
        days=st.integers(min_value=0, max_value=60),
    )
    def buy(self, items: dict[str, D], days: int) -> int:
        number = purchases_service.add_purchase(
            self.db,
            supplier="S",
            expected=date(2027, 1, 1) + timedelta(days),
            items=[Item(sku, q) for sku, q in items.items()],
        )
        assert number == len(self.model.purchases) + 1
        self.model.purchases[number] = {sku: [q, D(0), D(0)] for sku, q in items.items()}
        return number

    @rule(number=purchases, sku=st.sampled_from(SKUS), qty=quantities)
    def receive_purchase(self, number: int, sku: str, qty: D) -> None:
        line = self.model.purchases[number].get(sku)
        open_ = line[0] - line[1] - line[2] if line else D(0)
        is_open = any(q - r - c > 0 for q, r, c in self.model.purchases[number].values())
        self.expect(
            is_open and line is not None and qty <= open_,
            lambda: purchases_service.receive_purchase(self.db, number, [Item(sku, qty)]),
        )
        if is_open and line is not None and qty <= open_:
            line[1] += qty
            self.model.stock[sku] += qty

    @rule(number=purchases)
    def cancel_purchase(self, number: int) -> None:
        lines = self.model.purchases[number]
        is_open = any(q - r - c > 0 for q, r, c in lines.values())
        self.expect(is_open, lambda: purchases_service.cancel_purchase(self.db, number, []))
        if is_open:
            for line in lines.values():
                line[2] = line[0] - line[1]

    @invariant()
    def promises_agree_with_ready_and_with_suggest(self) -> None:
        found = supply.promises(self.db)
        ready = {
            (a.number, sku) for a in fulfilment.ready_orders(self.db) for _p, sku, _q in a.ship
        }
        assert {(p.number, p.sku) for p in found if p.source == "stock"} == ready
        short: dict[str, D] = {}
        claimed: dict[str, D] = {}
        for p in found:
            short[p.sku] = short.get(p.sku, D(0)) + p.short
            claimed[p.sku] = claimed.get(p.sku, D(0)) + p.quantity
            assert (p.eta is None) == (p.short > 0)
        for sku in SKUS:
            incoming = sum(
                (q - r - c for lines in self.model.purchases.values()
                 for s, (q, r, c) in lines.items() if s == sku),
                D(0),
            )  # fmt: skip
            expected = max(D(0), claimed.get(sku, D(0)) - self.model.stock[sku] - incoming)
            assert short.get(sku, D(0)) == expected

    @rule(on=st.booleans())
    def setting(self, on: bool) -> None:
        catalogue.set_setting(self.db, "inventory-value-on-invoicing", "on" if on else "off")
        self.model.inventory_on_invoicing = on

    # ---------------------------------------------------------------- after every step

    @invariant()
    def invariants_hold(self) -> None:
        assert list(integrity.check_database(self.db)) == []

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        stock = {p.sku: p.stock for p in catalogue.list_products(self.db)}
        assert stock == self.model.stock
        summaries = {o.number: o for o in orders_service.iter_orders(self.db, archived="all")}
        assert set(summaries) == set(self.model.orders)
        for number, expected in self.model.orders.items():
            order = orders_service.get_order(self.db, number)
            assert order.status == expected.status()
            assert order.archived == expected.archived
            assert order.backorder_of == expected.backorder_of
            assert order.total == sum((ln.amount or D(0) for ln in expected.lines), D(0))
            assert sum((i.total for i in order.invoices), D(0)) == sum(
                (ln.billed for ln in expected.lines), D(0)
            )
        for number, invoice in self.model.invoices.items():
            shown = invoices.get_invoice(self.db, number)
            assert shown.order == invoice.order
            assert shown.net == sum((ln[1] - ln[3] for ln in invoice.lines.values()), D(0))
            assert [
                (ln.sku, ln.quantity, ln.shipped, ln.invoiced, ln.canceled) for ln in order.lines
            ] == [
                (ln.sku, ln.quantity, ln.shipped, ln.invoiced, ln.canceled) for ln in expected.lines
            ]


BackOffice.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestBackOffice = BackOffice.TestCase
