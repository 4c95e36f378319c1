"""Customers: the register (list, show, add, edit) and the look-up every order makes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, update
from sqlalchemy import select as core_select

from ..domain.customers import (
    DEFAULT_POLICY,
    name_key,
    near_miss,
    parse_details,
    parse_name,
)
from ..domain.orders import Status
from ..domain.values import ZERO, close_match
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import Customer
from .correcting import run_correction
from .results import CustomerChange, CustomerDetail, CustomerSummary, OpenOrder, OwedLine
from .steps import ORDERS, _record_about, _table

CUSTOMERS = _table(Customer)

_CUSTOMER_BY_KEY = core_select(CUSTOMERS).where(CUSTOMERS.c.name_key == bindparam("key"))
_INSERT_CUSTOMER = insert(CUSTOMERS).returning(CUSTOMERS.c.id)


@dataclass(frozen=True)
class CustomerRow:
    """A customer as an order needs it: who, where to deliver, how to fulfil."""

    id: int
    name: str
    email: str | None
    address: str | None
    policy: str
    priority: int


def _customer_by_name(conn: Connection, name: str) -> CustomerRow | None:
    row = conn.execute(_CUSTOMER_BY_KEY, {"key": name_key(name)}).first()
    if row is None:
        return None
    return CustomerRow(row.id, row.name, row.email, row.address, row.policy, row.priority)


def customer_for_order(
    conn: Connection,
    text: str,
    *,
    create: bool = True,
    new_customer: bool = False,
    dry_run: bool = False,
) -> tuple[CustomerRow, bool]:
    """The customer an order names (`orders add --customer`, `orders edit --customer`),
    found casefolded, and whether it was registered just now: an unknown name is
    registered (unless not `create`), but a near miss of a registered name (accents,
    spaces, one letter) is refused with the name meant, unless `new_customer`. A dry
    run registers nothing: the customer it would register has id 0."""
    name = parse_name(text)
    found = _customer_by_name(conn, name)
    if found is not None:
        return found, False
    if not new_customer:
        meant = near_miss(name, conn.execute(core_select(CUSTOMERS.c.name)).scalars())
        if meant is not None:
            raise NotAllowed(
                f"unknown customer {name!r} - did you mean {meant!r}? (give that name, or "
                "--new-customer to register a new customer by this name)",
                code="customer_near_miss",
            )
    if not create:
        raise NotAllowed(
            f"unknown customer {name!r} - add it with `backorder customers add`",
            code="unknown_customer",
        )
    if dry_run:
        return CustomerRow(0, name, None, None, DEFAULT_POLICY.value, 0), True
    new_id = conn.execute(
        _INSERT_CUSTOMER,
        {"name": name, "name_key": name_key(name), "policy": DEFAULT_POLICY.value, "priority": 0},
    ).scalar_one()
    return CustomerRow(new_id, name, None, None, DEFAULT_POLICY.value, 0), True


# --- the register: list, show, add, edit -------------------------------------------


_WAITING = (Status.BOOKED.value, Status.PARTIALLY_SHIPPED.value)
_OPEN_ORDERS = (
    core_select(ORDERS)
    .where(
        ORDERS.c.customer_id == bindparam("customer_id"),
        ORDERS.c.status.in_(_WAITING),
        ORDERS.c.archived.is_(False),
    )
    .order_by(ORDERS.c.number)
)


def _not_found(name: str) -> NotFound:
    return NotFound(
        f"customer {name!r} not found - list them with `backorder customers list`",
        code="unknown_customer",
    )


def _owed(conn: Connection, orders: list[Any]) -> list[OwedLine]:
    from ..domain.money import split_amount
    from ..domain.orders import remaining
    from .steps import LINES

    owed = []
    for order in orders:
        for line in conn.execute(
            core_select(LINES).where(LINES.c.order_id == order.id).order_by(LINES.c.position)
        ):
            left = remaining(line)
            if left > 0:
                owed.append(OwedLine(order.number, line.sku, left, split_amount(line, left)[1]))
    return owed


def _summary(conn: Connection, row: Any) -> CustomerDetail:
    orders = list(conn.execute(_OPEN_ORDERS, {"customer_id": row.id}).all())
    owed = _owed(conn, orders)
    summary = CustomerSummary(
        row.name,
        row.email,
        row.address,
        row.policy,
        row.priority,
        len(orders),
        sum((o.value for o in owed), ZERO),
    )
    return CustomerDetail(
        summary,
        [
            OpenOrder(
                o.number,
                o.status,
                o.backorder_of,
                o.address,
                o.reference,
                o.policy or row.policy,
                o.total,
            )
            for o in orders
        ],
        owed,
    )


def list_customers(db: Database) -> Iterator[CustomerSummary]:
    """Every customer, by name (casefolded), with its waiting orders and what they owe:
    three queries whatever the number of customers (the open lines are summed as they
    stream)."""
    from ..domain.money import split_amount
    from ..domain.orders import remaining
    from .steps import LINES

    waiting = (ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False))
    with db.read() as session:
        conn = session.connection()
        counts: dict[int, int] = dict(
            conn.execute(
                core_select(ORDERS.c.customer_id, func.count())
                .where(*waiting)
                .group_by(ORDERS.c.customer_id)
            ).all()
        )
        owed: dict[int, Decimal] = {}
        for line in conn.execute(
            core_select(ORDERS.c.customer_id, LINES)
            .join(LINES, LINES.c.order_id == ORDERS.c.id)
            .where(*waiting)
        ):
            left = remaining(line)
            if left > 0:
                value = split_amount(line, left)[1]
                owed[line.customer_id] = owed.get(line.customer_id, ZERO) + value
        for row in conn.execute(core_select(CUSTOMERS).order_by(CUSTOMERS.c.name_key)).all():
            yield CustomerSummary(
                row.name,
                row.email,
                row.address,
                row.policy,
                row.priority,
                counts.get(row.id, 0),
                owed.get(row.id, ZERO),
            )


def customer_names(db: Database) -> list[str]:
    """The registered names (completion)."""
    with db.read() as session:
        return list(
            session.connection()
            .execute(core_select(CUSTOMERS.c.name).order_by(CUSTOMERS.c.name_key))
            .scalars()
        )


def _find(conn: Connection, name: str, *, lock: bool = False) -> Any:
    query = _CUSTOMER_BY_KEY.with_for_update() if lock else _CUSTOMER_BY_KEY
    row = conn.execute(query, {"key": name_key(parse_name(name))}).first()
    if row is None:
        known = conn.execute(core_select(CUSTOMERS.c.name)).scalars().all()
        meant = near_miss(name, known) or close_match(name, known)
        if meant is not None:
            raise NotFound(
                f"customer {name!r} not found - did you mean {meant!r}? "
                "(see `backorder customers list`)",
                code="unknown_customer",
            )
        raise _not_found(name)
    return row


def show_customer(db: Database, name: str) -> CustomerDetail:
    """One customer (found casefolded): details, waiting orders, every line still owed."""
    with db.read() as session:
        conn = session.connection()
        return _summary(conn, _find(conn, name))


def _run(db: Database, work: Any, *, dry_run: bool, expected: Any) -> CustomerChange:
    """`work(conn, write)` as every correction runs (`correcting.run_correction`)."""

    def changed() -> NotAllowed:
        name = expected.name if expected is not None else "?"
        return NotAllowed(
            f"customer {name!r} changed while you were answering - run the command again",
            code="changed",
        )

    result: CustomerChange = run_correction(
        db,
        lambda session, write: work(session.connection(), write),
        dry_run=dry_run,
        expected=expected,
        changed=changed,
    )
    return result


def add_customer(
    db: Database,
    name: str,
    *,
    email: str | None = None,
    address: str | None = None,
    policy: str | None = None,
    priority: int = 0,
    dry_run: bool = False,
    expected: CustomerChange | None = None,
) -> CustomerChange:
    """Register a customer; a name already registered (casefolded) is refused."""
    name = parse_name(name)
    fields = parse_details(email=email, address=address, policy=policy, priority=priority)

    def work(conn: Connection, write: bool) -> CustomerChange:
        held = _customer_by_name(conn, name)
        if held is not None:
            raise NotAllowed(
                f"customer {held.name!r} is already registered - change it with "
                "`backorder customers edit`",
                code="customer_exists",
            )
        values = {"policy": DEFAULT_POLICY.value, "priority": 0} | {
            k: v for k, v in fields.items() if v is not None
        }
        shown = [f"{k} {v}" for k, v in values.items()]
        if write:
            conn.execute(_INSERT_CUSTOMER, {"name": name, "name_key": name_key(name), **values})
            _record_about(conn, name, "customer added", f"{name}: {', '.join(shown)}")
        return CustomerChange(name, True, shown, 0)

    return _run(db, work, dry_run=dry_run, expected=expected)


def edit_customer(
    db: Database,
    name: str,
    *,
    new_name: str | None = None,
    email: str | None = None,
    address: str | None = None,
    policy: str | None = None,
    priority: int | None = None,
    dry_run: bool = False,
    expected: CustomerChange | None = None,
) -> CustomerChange:
    """Change a customer. A rename keeps the history (an entry with both names) and
    renames the customer on every order (orders carry its registered name); a new
    priority is copied onto every order of the customer, in the same transaction.
    Orders keep the address and policy they were given. An empty --email or --address
    removes it."""
    new_name = None if new_name is None else parse_name(new_name)
    fields = parse_details(email=email, address=address, policy=policy, priority=priority)
    if new_name is None and all(v is None for v in fields.values()):
        raise InvalidInput(
            "nothing to change - give --name, --email, --address, --policy or --priority"
        )

    def work(conn: Connection, write: bool) -> CustomerChange:
        row = _find(conn, name, lock=write)
        changes: list[str] = []
        values: dict[str, Any] = {}
        if new_name is not None and new_name != row.name:
            other = _customer_by_name(conn, new_name)
            if other is not None and other.id != row.id:
                raise NotAllowed(
                    f"customer {other.name!r} is already registered - pick another name",
                    code="customer_exists",
                )
            changes.append(f"name '{row.name}' -> '{new_name}'")
            values |= {"name": new_name, "name_key": name_key(new_name)}
        for key, value in fields.items():
            if value is None:
                continue
            stored = value or None if key in ("email", "address") else value
            if stored != getattr(row, key):
                before = getattr(row, key)
                changes.append(f"{key} {'-' if before is None else before} -> {stored or '-'}")
                values[key] = stored
        if not changes:
            raise NotAllowed(f"customer {row.name!r} already is as given - nothing to change")
        updated = 0
        copied = {k: values[k] for k in ("name", "priority") if k in values}
        if copied:
            orders = {"customer" if k == "name" else k: v for k, v in copied.items()}
            count = core_select(func.count()).where(ORDERS.c.customer_id == row.id)
            updated = conn.execute(count).scalar_one()
            if write:
                conn.execute(update(ORDERS).where(ORDERS.c.customer_id == row.id).values(orders))
        shown = values.get("name", row.name)
        if write:
            conn.execute(update(CUSTOMERS).where(CUSTOMERS.c.id == row.id).values(values))
            _record_about(conn, shown, "customer changed", f"{row.name}: {'; '.join(changes)}")
        return CustomerChange(shown, False, changes, updated)

    return _run(db, work, dry_run=dry_run, expected=expected)
