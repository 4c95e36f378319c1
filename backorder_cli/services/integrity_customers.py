"""What `check` verifies of the customer register (schema 8): each customer is filed
under its name's case fold with a known policy, and each order carries its customer's
registered name and priority (both copied onto orders: the allocation sorts on orders
alone) and a known policy or none (`domain.customers`)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, text

from ..domain.customers import Policy, customer_violations, order_customer_violations
from ..domain.invariants import Violation

_POLICIES = ", ".join(f"'{p.value}'" for p in Policy)
# Orders whose copy of their customer differs, that name none, or with an unknown
# policy: few rows, each then judged by the domain's rule.
_SUSPECT_ORDERS = text(
    "SELECT o.number, o.customer, o.policy, o.priority, c.name, c.priority "
    "FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
    "WHERE c.id IS NULL OR o.customer <> c.name OR o.priority <> c.priority "
    f"OR o.policy NOT IN ({_POLICIES}) ORDER BY o.number"
)


def check_customers(conn: Connection) -> Iterator[Violation]:
    for name, key, policy, priority in conn.execute(
        text("SELECT name, name_key, policy, priority FROM customers ORDER BY name_key")
    ):
        for problem in customer_violations(name, key, policy, priority):
            yield Violation(f"customer {name!r} {problem}")
    for number, customer, policy, priority, name, wanted in conn.execute(_SUSPECT_ORDERS):
        registered = None if name is None else (name, wanted)
        for problem in order_customer_violations(customer, policy, priority, registered):
            yield Violation(problem, number)
