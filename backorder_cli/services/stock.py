"""Stock counts: set stock on hand to a counted quantity (`products adjust`), recorded
with the difference, why, when and by whom; one transaction, or a dry run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from ..domain.corrections import plan_adjust
from ..domain.values import format_quantity, parse_text
from ..errors import NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import StockAdjustment, utcnow
from .correcting import run_correction
from .results import LogEntry, StockCount
from .steps import _stock, _table, _unknown_sku, _user

ADJUSTMENTS = _table(StockAdjustment)


def adjust_stock(
    db: Database,
    sku: str,
    counted: Decimal,
    *,
    reason: str,
    dry_run: bool = False,
    expected: StockCount | None = None,
) -> StockCount:
    """Set stock on hand to a counted quantity, recorded with the difference, why, when
    and by whom (the stock_adjustments table)."""
    why = parse_text(reason, what="reason", required=True, limit=200)

    def work(session: Session, write: bool) -> StockCount:
        product = _stock(session, [sku], lock=write).get(sku)
        if product is None:
            raise NotFound(_unknown_sku(session, sku))
        before = product.stock
        difference = plan_adjust(sku, before, counted)
        if write:
            product.stock = counted
            session.add(product)
            session.flush()
            session.connection().execute(
                insert(ADJUSTMENTS),
                {
                    "sku": sku,
                    "at": utcnow(),
                    "user": _user(),
                    "before": before,
                    "counted": counted,
                    "difference": difference,
                    "reason": why,
                },
            )
        return StockCount(sku, product.unit, before, counted, difference, why)

    return run_correction(
        db,
        work,
        dry_run=dry_run,
        expected=expected,
        changed=lambda: NotAllowed(
            f"stock of {sku} changed while you were answering - run the command again"
        ),
    )


def stock_counts(db: Database, sku: str | None = None) -> list[StockCount]:
    """Every stock count, oldest first (one SKU's with `sku`)."""
    query = select(StockAdjustment).order_by(col(StockAdjustment.id))
    if sku is not None:
        query = query.where(StockAdjustment.sku == sku)
    with db.read() as session:
        return [
            StockCount(a.sku, "", a.before, a.counted, a.difference, a.reason)
            for a in session.exec(query)
        ]


def iter_stock_log(db: Database, *, since: date | None = None) -> Iterator[LogEntry]:
    """Every stock count as a log entry (of no order), oldest first, streamed."""
    query = select(StockAdjustment).order_by(col(StockAdjustment.id))
    if since is not None:
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        query = query.where(col(StockAdjustment.at) >= start)
    with db.read() as session:
        for a in session.exec(query.execution_options(yield_per=500)):
            yield stock_count_entry(a)


def stock_count_entry(a: Any) -> LogEntry:
    """A stock count (a row or a StockAdjustment) as a log entry of no order."""
    q = format_quantity
    sign = "+" if a.difference > 0 else ""
    return LogEntry(
        a.at,
        a.user,
        None,
        "stock counted",
        f"{a.sku}: {q(a.before)} -> {q(a.counted)} ({sign}{q(a.difference)}): {a.reason}",
    )
