"""Shell completion: statuses, SKUs and the order numbers each command takes.

Pressing TAB only reads: the database is opened without upgrading (an older schema
offers nothing rather than being migrated), and any failure offers nothing, since
completion must never break the shell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from ..services.completion import Takes
    from ..storage.database import Database

T = TypeVar("T")


def _read_only(ctx: typer.Context, look_up: Callable[[Database], list[T]]) -> list[T]:
    try:
        from ..storage.schema import open_database

        # Never upgrade: pressing TAB must not migrate (or otherwise write) a database.
        db = open_database(ctx.find_root().params.get("db"), upgrade=False)
        try:
            return look_up(db)
        finally:
            db.dispose()
    except Exception:  # completion must never break the shell
        return []


def _takes(command: str | None) -> Takes:
    from ..services.completion import Takes

    return {
        "book": Takes.DRAFTS,
        "ship": Takes.SHIPPABLE,
        "invoice": Takes.UNINVOICED,
        "create": Takes.PARTIALLY_SHIPPED,
        "undo": Takes.UNDOABLE,
        "cancel": Takes.CANCELABLE,
        "edit": Takes.EDITABLE,
        "close": Takes.SHIPPABLE,  # booked or partially shipped: something to close
        "unship": Takes.UNINVOICED,  # shipped, not yet invoiced: something to take back
    }.get(command or "", Takes.ANY)


def order_numbers(ctx: typer.Context, incomplete: str) -> list[str]:
    """The orders this command can take (`ship`: booked or partially shipped ones, `undo`:
    backorders nothing was shipped from; `show`, `chain`: any), newest first."""
    from ..services import completion

    takes = _takes(ctx.info_name)
    numbers = _read_only(ctx, lambda db: completion.order_numbers(db, takes, incomplete))
    return [str(n) for n in numbers]


def invoice_numbers(ctx: typer.Context, incomplete: str) -> list[str]:
    """The invoices a command takes (`credit`: invoices, not credit notes), newest first."""
    from ..services import completion

    credit_notes = ctx.info_name != "credit"
    numbers = _read_only(
        ctx, lambda db: completion.invoice_numbers(db, incomplete, credit_notes=credit_notes)
    )
    return [str(n) for n in numbers]


def skus(ctx: typer.Context, incomplete: str) -> list[str]:
    """The catalogue's SKUs (`products receive`)."""
    from ..services import completion

    return _read_only(ctx, lambda db: completion.skus(db, incomplete))


def customers(ctx: typer.Context, incomplete: str) -> list[str]:
    """The registered customers' names (`--customer`, `customers show/edit`)."""
    from ..services import completion

    return _read_only(ctx, lambda db: completion.customer_names(db, incomplete))


def items_to_ship(ctx: typer.Context, incomplete: str) -> list[str]:
    """`ship N <TAB>`: what remains on order N, as SKU=QTY (the whole remaining
    quantity), leaving out the SKUs already given."""
    from ..services import completion

    number = ctx.params.get("number")
    if not isinstance(number, int):
        return []
    given = {getattr(item, "sku", None) for item in ctx.params.get("items") or []}
    items = _read_only(ctx, lambda db: completion.remaining_items(db, number))
    return [
        item
        for item in items
        if item.partition("=")[0] not in given and item.startswith(incomplete)
    ]


def statuses(incomplete: str) -> list[str]:
    """`--status <TAB>`: every status, as it is typed."""
    from ..domain.orders import Status

    names = [s.value.replace("_", "-") for s in Status]
    return [name for name in names if name.startswith(incomplete.lower())]
