"""What every correction shares (`services.corrections`, `stock`, `catalogue`,
`customers`): the one-transaction runner with its dry run and the "changed while you
were answering" refusal, the reason given, and the result a correction of an order
reports. A leaf: it imports no other use case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session

from ..domain.values import parse_text
from ..errors import NotAllowed
from ..storage.database import Database
from ..storage.models import Order, OrderLine
from .billing import _BILLED
from .results import Correction

R = TypeVar("R")


def _reason(reason: str | None) -> str:
    return "" if reason is None else parse_text(reason, what="reason", limit=200)


def _why(reason: str) -> str:
    return f" ({reason})" if reason else ""


def run_correction(
    db: Database,
    work: Callable[[Session, bool], R],
    *,
    dry_run: bool,
    expected: R | None,
    changed: Callable[[], NotAllowed],
) -> R:
    """`work(session, write)` in one write transaction, or in a dry run a read one whose
    changes to loaded rows are never flushed (nothing is written)."""
    if dry_run:
        with db.read() as session, session.no_autoflush:
            return work(session, False)
    with db.write() as session:
        result = work(session, True)
        if expected is not None and result != expected:
            raise changed()
        return result


def _billed(session: Session, lines: Sequence[OrderLine]) -> dict[int, Decimal]:
    ids = [line.id for line in lines if line.id is not None]
    if not ids:
        return {}
    return {
        line_id: amount for line_id, amount in session.connection().execute(_BILLED, {"lines": ids})
    }


def _correction(
    order: Order, action: str, plan: list[tuple[OrderLine, Decimal]], reason: str
) -> Correction:
    return Correction(
        order.number,
        action,
        order.status,
        order.total,
        [(line.sku, q) for line, q in plan],
        reason,
    )
