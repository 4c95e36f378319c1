"""The customers an import brings or names: the document's register added (one already
registered refuses the import), and every imported order's customer found casefolded or
registered under the spelling most of the document's orders use (as migration 0008 did).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy import select as core_select

from ..domain.customers import DEFAULT_POLICY, Spelling, name_key, register_from_spellings
from ..errors import NotAllowed
from ..transfer.document import OrderRow
from .customers import CUSTOMERS, CustomerRow
from .steps import _BATCH


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
