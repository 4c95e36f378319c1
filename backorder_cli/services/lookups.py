"""The look-ups the read paths share (`orders show`, the chain, batches of numbers),
on the Core tables of `storage.tables`: importing them builds no table class. `steps`
re-exports them for the use cases that write.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func
from sqlalchemy import select as core_select

from ..domain.chains import chain_of
from ..errors import NotFound
from ..storage.tables import ORDERS

# SQLite accepts many bound parameters, but not unboundedly many: look numbers up in
# batches of this size.
_BATCH = 500


def _order_not_found(number: int) -> NotFound:
    return NotFound(f"order #{number} not found - list orders with `backorder orders list --all`")


_ORIGIN_OF = core_select(ORDERS.c.backorder_of).where(ORDERS.c.number == bindparam("number"))
_FIRST_BACKORDER = core_select(func.min(ORDERS.c.number)).where(
    ORDERS.c.backorder_of == bindparam("number")
)


def _chain_numbers(conn: Connection, number: int) -> list[int]:
    """The chain `number` belongs to (`domain.chain_of`): a handful of indexed look-ups,
    whatever the size of the database."""
    return chain_of(
        number,
        origin=lambda n: conn.execute(_ORIGIN_OF, {"number": n}).scalar(),
        backorder=lambda n: conn.execute(_FIRST_BACKORDER, {"number": n}).scalar(),
    )
