"""Import and the sample company: a document checked whole, then written in one
transaction.

Why one module past 400 lines: the import is one use case in three steps that share the
plan's data (what check would find broken, the settled money, the batched writes);
splitting them would pass the same half-written state between modules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    bindparam,
    func,
    insert,
)
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ..domain.chains import backorder_loop
from ..domain.corrections import settle_canceled
from ..domain.customers import DEFAULT_POLICY, Spelling, name_key, register_from_spellings
from ..domain.invariants import (
    backorder_link_violations,
    backorder_violations,
    loop_violation,
    order_violations,
    unmade_backorder_violations,
)
from ..domain.money import LineFacts, LineMoney, settle_money
from ..domain.orders import NEXT_ORDER_NUMBER, order_status, order_total
from ..domain.values import ZERO, Item, check_order_value
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import (
    Invoice,
    Order,
    Product,
    Purchase,
    Setting,
    StockAdjustment,
    utcnow,
)
from ..transfer.csv_format import parse_csv
from ..transfer.document import (
    ImportPlan,
    InvoiceRow,
    LineRow,
    OrderRow,
    Places,
    ProductRow,
    load_json,
    parse_document,
    refusal,
)
from .billing import _write_invoice
from .customers import CUSTOMERS, CustomerRow
from .invoices import import_credit
from .results import ImportResult
from .steps import (
    _BATCH,
    _INSERT_HISTORY,
    _INSERT_LINES,
    _ORIGIN_OF,
    COUNTER,
    LINES,
    ORDERS,
    _Line,
    _raise_counter,
    _record,
    _rows_in,
    _table,
)


def _existing_numbers(session: Session, kind: str, numbers: list[int]) -> set[int]:
    table: type[Order] | type[Invoice] | type[Purchase] = (
        Order if kind == "order" else Purchase if kind == "purchase" else Invoice
    )
    found: set[int] = set()
    for start in range(0, len(numbers), _BATCH):
        chunk = numbers[start : start + _BATCH]
        found.update(session.exec(select(table.number).where(col(table.number).in_(chunk))))
    return found


# How an import document is written.
DocumentKind = Literal["json", "csv"]


def import_text(
    db: Database,
    text: str,
    *,
    source: str,
    kind: DocumentKind = "json",
    only_if_empty: bool = False,
) -> ImportResult:
    """Load products, orders and settings from an import document (`kind` 'json' or
    'csv'): all or nothing.

    `only_if_empty` refuses when the database already holds orders (for the sample).
    """
    if kind == "csv":
        data, places, earlier = parse_csv(text, source=source)
    else:
        data, places, earlier = load_json(text, source=source), Places(), []
    with db.write() as session:
        if only_if_empty:
            # The order counter's row lock first: two loads at once (`init --sample` in
            # two processes on a server) take turns, and the second counts the first's
            # orders instead of colliding with them.
            session.connection().execute(
                select(COUNTER.c.value).where(COUNTER.c.name == "order").with_for_update()
            )
            count = session.exec(select(func.count()).select_from(Order)).one()
            if count:
                raise NotAllowed(
                    f"the database already holds {count} order{'s' if count != 1 else ''} - "
                    "load the sample into a new database: `backorder --db sample.db init --sample`",
                    code="not_empty",
                )
        known = {
            p.sku: ProductRow(p.sku, p.name, p.unit, p.price, p.stock)
            for p in session.exec(select(Product))
        }
        plan = parse_document(
            data,
            source=source,
            known_products=known,
            existing=lambda kind, numbers: _existing_numbers(session, kind, numbers),
            places=places,
            earlier=earlier,
        )
        money = _settle(plan)
        broken = _import_violations(session.connection(), plan, money)
        if broken:
            raise refusal(source, broken)
        invoices = _apply_import(session, plan, money, source=source)
        return ImportResult(len(plan.products), len(plan.orders), invoices, plan.settings)


def _settle(plan: ImportPlan) -> dict[int, list[LineMoney]]:
    """The money of every imported line by the tool's own rule, each backorder taking
    its part of its origin's (the invoices then bill it); units closed or canceled with
    the order take their share out of the line's amount (`settle_canceled`)."""
    money = settle_money(
        {
            row.number: (
                row.backorder_of,
                [LineFacts(r.sku, r.quantity, r.canceled, r.unit_price) for r in row.lines],
            )
            for row in plan.orders
        }
    )
    in_file = {row.number for row in plan.orders}
    for row in plan.orders:
        settled = []
        for r, m in zip(row.lines, money[row.number], strict=True):
            why = canceled_for(row.status, r, m.backordered)
            amount, gone = settle_canceled(
                r.quantity,
                r.unit_price,
                why["closed"] + why["canceled_with_order"],
                m.backordered,
                m.amount,
                from_origin=row.backorder_of in in_file,
            )
            settled.append(dataclasses.replace(m, amount=amount, canceled_amount=gone))
        money[row.number] = settled
    return money


def _import_violations(
    conn: Connection, plan: ImportPlan, money: dict[int, list[LineMoney]]
) -> list[str]:
    """What `check` would find broken once the plan is written, placed in the file: the
    domain's rules of each order, each backorder holding what its origin canceled
    (origins and backorders in the file or already in the database), and no loop of
    backorder links. Read-only, so a refusal writes nothing."""
    problems: list[str] = []
    in_file = {order.number: order for order in plan.orders}
    lines_of: dict[int, list[_Line]] = {}
    for order in plan.orders:
        lines = lines_of[order.number] = [
            _Line(
                r.sku,
                r.name,
                r.unit,
                r.quantity,
                r.shipped,
                r.invoiced,
                r.canceled,
                r.unit_price,
                m.amount,
                m.backordered,
                m.backordered_amount,
            )
            for r, m in zip(order.lines, money[order.number], strict=True)
        ]
        total = order_total(lines)
        for v in order_violations(order.number, order.status.value, total, lines):
            problems.append(f"{order.where}: {v}")

    # Backorders against their origins, SKU by SKU, as `check` compares them.
    links = {o.number: o.backorder_of for o in plan.orders if o.backorder_of is not None}
    # Stored orders that already name an imported number as their origin.
    # (and those of the stored origins the file names, so a second backorder is seen).
    stored_links = dict(_rows_in(conn, _LINKS_TO, sorted(set(in_file) | set(links.values()))))
    origins = set(links.values()) | set(stored_links.values())
    canceled: dict[int, dict[str, Decimal]] = {n: {} for n in origins}
    held: dict[int, dict[str, Decimal]] = {n: {} for n in origins}
    for order in plan.orders:
        for line in lines_of[order.number]:
            # What was canceled into backorders (not what was canceled before).
            if order.number in origins and line.backordered:
                side = canceled[order.number]
                side[line.sku] = side.get(line.sku, ZERO) + line.backordered
            if order.backorder_of is not None:
                side = held[order.backorder_of]
                side[line.sku] = side.get(line.sku, ZERO) + line.quantity
    stored_origins = sorted(origins - set(in_file))
    for number, sku, quantity in _rows_in(conn, _CANCELED_ON, stored_origins):
        canceled[number][sku] = canceled[number].get(sku, ZERO) + quantity
    for origin, sku, quantity in _rows_in(conn, _HELD_FOR, sorted(origins)):
        held[origin][sku] = held[origin].get(sku, ZERO) + quantity

    def place(origin: int) -> str:
        """A backorder in the file that names this origin, else the origin itself."""
        for number, above in links.items():
            if above == origin:
                return f"{in_file[number].where}.backorder_of"
        return in_file[origin].where

    for origin in sorted(origins):
        for v in backorder_violations(origin, canceled[origin], held[origin]):
            problems.append(f"{place(origin)}: {v}")

    # One backorder per origin, which is canceled and archived and shipped something;
    # a backorder is never a draft.
    backorders_of: dict[int, list[int]] = {n: [] for n in origins}
    for number, origin in [*links.items(), *stored_links.items()]:
        backorders_of[origin].append(number)
    state = {n: (o.status.value, o.archived) for n, o in in_file.items() if n in origins}
    shipped = {n for n in state if any(line.shipped > 0 for line in lines_of[n])}
    for number, status, archived, most in _rows_in(conn, _STATE_OF, sorted(origins - set(in_file))):
        state[number] = (status, bool(archived))
        if most > 0:
            shipped.add(number)
    for origin in sorted(origins):
        if origin not in state:
            continue  # a missing origin is refused on its own
        ours = [n for n in backorders_of[origin] if n in in_file]
        # At the file's last backorder of the origin, else at the origin.
        at = f"{in_file[max(ours)].where}.backorder_of" if ours else in_file[origin].where
        for v in backorder_link_violations(origin, *state[origin], backorders_of[origin]):
            problems.append(f"{at}: {v}")
    for number, origin in sorted(links.items()):
        if origin not in state:
            continue
        for v in unmade_backorder_violations(
            number, in_file[number].status.value, origin, origin in shipped
        ):
            problems.append(f"{in_file[number].where}: {v}")

    # Loops: walk up from each imported backorder, through the file and the database.
    stored: dict[int, int | None] = {}

    def origin_of(number: int) -> int | None:
        if number in in_file:
            return in_file[number].backorder_of
        if number not in stored:
            stored[number] = conn.execute(_ORIGIN_OF, {"number": number}).scalar()
        return stored[number]

    looped: set[int] = set()
    for number in sorted(links):
        loop = backorder_loop(number, origin_of)
        if loop is not None and not looped & set(loop):
            looped.update(loop)
            where = min((n for n in loop if n in in_file), default=number)
            problems.append(f"{in_file[where].where}.backorder_of: {loop_violation(loop)}")
    return problems


_LINKS_TO = select(ORDERS.c.number, ORDERS.c.backorder_of).where(
    ORDERS.c.backorder_of.in_(bindparam("numbers", expanding=True))
)
_STATE_OF = (  # a stored origin's status, archived flag and largest shipped quantity
    select(ORDERS.c.number, ORDERS.c.status, ORDERS.c.archived, func.max(LINES.c.shipped))
    .join(LINES, LINES.c.order_id == ORDERS.c.id)
    .where(ORDERS.c.number.in_(bindparam("numbers", expanding=True)))
    .group_by(ORDERS.c.id, ORDERS.c.number, ORDERS.c.status, ORDERS.c.archived)
)
_CANCELED_ON = (  # canceled into backorders
    select(ORDERS.c.number, LINES.c.sku, LINES.c.backordered)
    .join(LINES, LINES.c.order_id == ORDERS.c.id)
    .where(ORDERS.c.number.in_(bindparam("numbers", expanding=True)), LINES.c.backordered > 0)
)
_HELD_FOR = (
    select(ORDERS.c.backorder_of, LINES.c.sku, LINES.c.quantity)
    .join(LINES, LINES.c.order_id == ORDERS.c.id)
    .where(ORDERS.c.backorder_of.in_(bindparam("numbers", expanding=True)))
)


def _import_with_credits(
    conn: Connection, order_id: int, documents: list[InvoiceRow], by_sku: dict[str, Any]
) -> int:
    """An order's invoices and credit notes, in the file's order (their numbers'): each
    billed or given back by the rule the tool applied when it was made, so the money
    comes back to the cent."""
    for doc in documents:
        if doc.credit_of is None:
            bill = [(by_sku[sku], q) for sku, q in doc.lines]
            _write_invoice(conn, order_id, bill, number=doc.number, at=doc.created_at)
            for line, quantity in bill:
                line.invoiced += quantity
        else:
            items = [Item(sku, -q) for sku, q in doc.lines]
            plan = import_credit(
                conn,
                order_id,
                doc.credit_of,
                items,
                number=doc.number,
                reason=doc.reason,
                at=doc.created_at,
            )
            for credit in plan:
                line = next(ln for ln in by_sku.values() if ln.id == credit.line_id)
                line.invoiced -= credit.quantity
    return len(documents)


def _apply_import(
    session: Session,
    plan: ImportPlan,
    money: dict[int, list[LineMoney]],
    *,
    source: str,
) -> int:
    for key, value in plan.settings.items():
        if key == NEXT_ORDER_NUMBER:  # the series only goes up: never a number twice
            _raise_counter(session, "order", int(value) - 1)
            continue
        setting = session.get(Setting, key, with_for_update=True) or Setting(key=key, value=value)
        setting.value = value
        session.add(setting)
    for p in plan.products:
        session.add(
            Product(
                sku=p.sku,
                name=p.name,
                unit=p.unit,
                price=p.price,
                stock=p.stock,
                supplier=p.supplier,
                lead_time=p.lead_time,
            )
        )
    session.flush()
    _import_purchases(session, plan, source=source)
    if plan.orders:
        _raise_counter(session, "order", max(o.number for o in plan.orders))
    named = [inv.number for o in plan.orders for inv in o.invoices or []]
    if named:
        _raise_counter(session, "invoice", max(named))
    conn = session.connection()
    invoices = 0
    if plan.stock_counts:
        conn.execute(
            insert(_table(StockAdjustment)),
            [
                {
                    "sku": c.sku,
                    "at": c.at,
                    "user": c.user,
                    "before": c.before,
                    "counted": c.counted,
                    "difference": c.counted - c.before,
                    "reason": c.reason,
                }
                for c in plan.stock_counts
            ],
        )
    # The lines' money by the tool's own rule, each backorder taking its part of its
    # origin's (the invoices below then bill it).
    for row in plan.orders:
        try:
            check_order_value((r.quantity, r.unit_price) for r in row.lines)
        except InvalidInput as exc:
            raise InvalidInput(f"{source}: order #{row.number}: {exc.message}") from None
    if plan.customers:
        add_registered(conn, plan.customers, source=source)
    customers = _customers_of(conn, plan.orders)
    # Core statements, many rows each, in batches: the ORM took seconds per thousand
    # orders, and an export is imported back whole (a backup restored).
    for start in range(0, len(plan.orders), _BATCH):
        batch = plan.orders[start : start + _BATCH]
        invoices += _import_orders(conn, batch, money, customers, source=source)
    return invoices


_IDS_OF_NUMBERS = select(ORDERS.c.number, ORDERS.c.id).where(
    ORDERS.c.number.in_(bindparam("numbers", expanding=True))
)
_LINE_IDS_OF_ORDERS = (
    select(LINES.c.order_id, LINES.c.id)
    .where(LINES.c.order_id.in_(bindparam("ids", expanding=True)))
    .order_by(LINES.c.order_id, LINES.c.position)
)


def _import_purchases(session: Session, plan: ImportPlan, *, source: str) -> None:
    """The document's purchases, as they were (their status follows their lines)."""
    from ..domain.supply import purchase_status
    from ..storage.models import PurchaseHistory, PurchaseLine
    from .steps import _user

    for row in plan.purchases:
        purchase = Purchase(
            number=row.number,
            supplier=row.supplier,
            expected=row.expected,
            comment=row.comment,
            status=purchase_status(row.lines).value,
            **({"created_at": row.created_at} if row.created_at else {}),
        )
        session.add(purchase)
        session.flush()
        assert purchase.id is not None
        for position, line in enumerate(row.lines, 1):
            session.add(
                PurchaseLine(
                    purchase_id=purchase.id,
                    position=position,
                    sku=line.sku,
                    quantity=line.quantity,
                    received=line.received,
                    canceled=line.canceled,
                    unit_cost=line.unit_cost,
                )
            )
        session.add(
            PurchaseHistory(
                purchase_id=purchase.id, user=_user(), event="imported", detail=f"from {source}"
            )
        )
    if plan.purchases:
        _raise_counter(session, "purchase", max(p.number for p in plan.purchases))


def _customers_by_keys(conn: Connection, keys: list[str]) -> dict[str, CustomerRow]:
    found: dict[str, CustomerRow] = {}
    for start in range(0, len(keys), _BATCH):
        chunk = keys[start : start + _BATCH]
        for row in conn.execute(core_select(CUSTOMERS).where(CUSTOMERS.c.name_key.in_(chunk))):
            found[row.name_key] = CustomerRow(
                row.id, row.name, row.email, row.address, row.policy, row.priority
            )
    return found


def add_registered(conn: Connection, rows: list[Any], *, source: str) -> None:
    """The customers an import document brings (`customers`), with their details; one
    already in the register is refused (the import is all or nothing)."""
    held = _customers_by_keys(conn, [name_key(r.name) for r in rows])
    if held:
        names = ", ".join(repr(c.name) for c in held.values())
        raise NotAllowed(
            f"{source}: customers already registered: {names} - leave them out of "
            '"customers" (orders still find them by name) or change them with '
            "`backorder customers edit`",
            code="customer_exists",
        )
    conn.execute(
        insert(CUSTOMERS),
        [
            {
                "name": r.name,
                "name_key": name_key(r.name),
                "email": r.email,
                "address": r.address,
                "policy": r.policy,
                "priority": r.priority,
            }
            for r in rows
        ],
    )


def register_names(conn: Connection, spellings: Iterable[Spelling]) -> dict[str, CustomerRow]:
    """The customers of these names, by name_key: those in the register, and the others
    registered now, each under its most used spelling (as the migration did)."""
    wanted = register_from_spellings(spellings)
    found = _customers_by_keys(conn, sorted(wanted))
    missing = [{"name": name, "name_key": key} for key, name in wanted.items() if key not in found]
    if missing:
        conn.execute(
            insert(CUSTOMERS),
            [
                {**row, "policy": DEFAULT_POLICY.value, "priority": 0}
                for row in sorted(missing, key=lambda r: r["name_key"])
            ],
        )
        found.update(_customers_by_keys(conn, [row["name_key"] for row in missing]))
    return found


def _customers_of(conn: Connection, orders: list[OrderRow]) -> dict[str, CustomerRow]:
    """The customer of every imported order by its casefolded name: found in the
    register, or registered under the spelling most of the document's orders use."""
    spellings: dict[str, tuple[int, int]] = {}
    for row in orders:
        count, first = spellings.get(row.customer, (0, row.number))
        spellings[row.customer] = (count + 1, min(first, row.number))
    return register_names(
        conn, (Spelling(name, count, first) for name, (count, first) in spellings.items())
    )


def _import_orders(
    conn: Connection,
    rows: list[OrderRow],
    money: dict[int, list[LineMoney]],
    customers: dict[str, CustomerRow],
    *,
    source: str,
) -> int:
    """Write a batch of checked orders with their lines (and their money, settled by
    the domain's rule), history and invoices: plain many-row inserts, the ids read back
    after (INSERT ... RETURNING of many rows costs a server driver more than the
    inserts)."""
    now = utcnow()
    conn.execute(
        insert(ORDERS),
        [
            {
                "number": row.number,
                "customer": customers[name_key(row.customer)].name,
                "customer_id": customers[name_key(row.customer)].id,
                "priority": customers[name_key(row.customer)].priority,
                "address": row.address,
                "reference": row.reference,
                "policy": row.policy,
                "comment": row.comment,
                "status": order_status(row.status, row.lines).value,
                "archived": row.archived,
                "backorder_of": row.backorder_of,
                "total": sum((m.amount for m in money[row.number]), ZERO),
                "created_at": row.created_at or now,
                "updated_at": now,
            }
            for row in rows
        ],
    )
    id_of: dict[int, int] = dict(
        conn.execute(_IDS_OF_NUMBERS, {"numbers": [row.number for row in rows]}).all()
    )
    order_ids = [id_of[row.number] for row in rows]
    conn.execute(
        _INSERT_LINES,
        [
            {
                "order_id": order_id,
                "position": position,
                "sku": r.sku,
                "name": r.name,
                "unit": r.unit,
                "quantity": r.quantity,
                "unit_price": r.unit_price,
                "shipped": r.shipped,
                "invoiced": r.invoiced,
                "canceled": r.canceled,
                "amount": settled.amount,
                "backordered": settled.backordered,
                "backordered_amount": settled.backordered_amount,
                **canceled_for(row.status, r, settled.backordered),
                "canceled_amount": settled.canceled_amount,
            }
            for order_id, row in zip(order_ids, rows, strict=True)
            for position, (r, settled) in enumerate(
                zip(row.lines, money[row.number], strict=True), start=1
            )
        ],
    )
    kept = [  # the history the file brings (`orders export` writes it): who, when, why
        {"order_id": order_id, "at": h.at, "user": h.user, "event": h.event, "detail": h.detail}
        for order_id, row in zip(order_ids, rows, strict=True)
        for h in row.history
    ]
    if kept:
        conn.execute(_INSERT_HISTORY, kept)
    _record(conn, *((order_id, "imported", f"from {source}") for order_id in order_ids))
    billed_orders = [
        (order_id, row)
        for order_id, row in zip(order_ids, rows, strict=True)
        if row.invoices or any(r.invoiced > 0 for r in row.lines)
    ]
    line_ids: dict[int, list[int]] = {}
    if billed_orders:
        for order_id, line_id in conn.execute(
            _LINE_IDS_OF_ORDERS, {"ids": [order_id for order_id, _row in billed_orders]}
        ):
            line_ids.setdefault(order_id, []).append(line_id)
    invoices = 0
    for order_id, row in billed_orders:
        # The lines as invoicing sees them: invoiced so far, counted up invoice by invoice.
        lines = [
            _ImportedLine(
                r.sku,
                r.name,
                r.unit,
                r.quantity,
                r.shipped,
                ZERO,
                r.canceled,
                r.unit_price,
                settled.amount,
                settled.backordered,
                settled.backordered_amount,
                id=i,
            )
            for r, i, settled in zip(row.lines, line_ids[order_id], money[row.number], strict=True)
        ]
        if row.invoices is not None:
            by_sku = {line.sku: line for line in lines}
            credits = [inv for inv in row.invoices if inv.credit_of is not None]
            bills = [
                [(by_sku[sku], q) for sku, q in inv.lines]
                for inv in row.invoices
                if inv.credit_of is None
            ]
            named: list[tuple[int | None, datetime | None]] = [
                (inv.number, inv.created_at) for inv in row.invoices if inv.credit_of is None
            ]
            if credits:  # in number order with the invoices: credit notes replay their money
                invoices += _import_with_credits(conn, order_id, row.invoices, by_sku)
                continue
        else:
            # Invoiced quantities without invoices in the file get one invoice of their
            # own, so every invoiced quantity belongs to an invoice with a number.
            bills = [
                [(ln, r.invoiced) for ln, r in zip(lines, row.lines, strict=True) if r.invoiced > 0]
            ]
            named = [(None, None)]
        for bill, (number, at) in zip(bills, named, strict=True):
            _write_invoice(conn, order_id, bill, number=number, at=at)
            for line, quantity in bill:
                line.invoiced += quantity
            invoices += 1
    return invoices


def canceled_for(status: str, line: LineRow, backordered: Decimal) -> dict[str, Decimal]:
    """Why a line's canceled units that did not move to a backorder were canceled: as
    the document says when it says so and that adds up, else canceled with the order on
    a canceled order and closed short on any other."""
    other = line.canceled - backordered
    if line.closed is not None or line.canceled_with_order is not None:
        with_order = line.canceled_with_order
        closed = other - (with_order or ZERO) if line.closed is None else line.closed
        if ZERO <= closed <= other and with_order in (None, other - closed):
            return {"closed": closed, "canceled_with_order": other - closed}
    if status == "canceled":
        return {"closed": ZERO, "canceled_with_order": other}
    return {"closed": other, "canceled_with_order": ZERO}


@dataclass
class _ImportedLine(_Line):
    id: int = 0


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no file {path} - check the path") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder - give an import file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text - save it as UTF-8") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def import_file(db: Database, path: Path) -> ImportResult:
    """Import a .csv file as CSV, anything else as JSON."""
    kind: DocumentKind = "csv" if path.suffix.lower() == ".csv" else "json"
    return import_text(db, _read_text(path), source=path.name, kind=kind)


def import_stream(db: Database, data: bytes, *, source: str = "stdin") -> ImportResult:
    """Import a document read whole from a stream: CSV when it starts with a column
    name (a letter), else JSON (which starts with '{')."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source} is not UTF-8 text - send it as UTF-8") from None
    kind: DocumentKind = "csv" if text.lstrip("\ufeff \t\r\n")[:1].isalpha() else "json"
    return import_text(db, text, source=source, kind=kind)


def sample_path() -> Path:
    """The sample company: inside the installed package, or in the source checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "sample_data", package.parent / "sample_data"):
        if (candidate / "company.json").is_file():
            return candidate / "company.json"
    raise NotFound("the sample data is missing from this installation - reinstall backorder")


def load_sample(db: Database) -> ImportResult:
    """Load the sample company; refused when the database already holds orders."""
    path = sample_path()
    return import_text(db, _read_text(path), source=f"sample_data/{path.name}", only_if_empty=True)
