"""Customers: the register (list, show, add, edit) and the look-up every order makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert
from sqlalchemy import select as core_select

from ..domain.customers import (
    DEFAULT_POLICY,
    Spelling,
    name_key,
    near_miss,
    parse_name,
    register_from_spellings,
)
from ..errors import NotAllowed
from ..storage.models import Customer
from .steps import _BATCH, _table

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


def _customers_by_keys(conn: Connection, keys: list[str]) -> dict[str, CustomerRow]:
    found: dict[str, CustomerRow] = {}
    for start in range(0, len(keys), _BATCH):
        chunk = keys[start : start + _BATCH]
        for row in conn.execute(core_select(CUSTOMERS).where(CUSTOMERS.c.name_key.in_(chunk))):
            found[row.name_key] = CustomerRow(
                row.id, row.name, row.email, row.address, row.policy, row.priority
            )
    return found


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
