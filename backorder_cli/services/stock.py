"""Stock counts: set stock on hand to a counted quantity (`products adjust`), recorded
with the difference, why, when and by whom; one transaction, or a dry run."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert
from sqlmodel import Session, col, select

from ..domain.corrections import plan_adjust
from ..domain.values import parse_text
from ..errors import NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import StockAdjustment, utcnow
from .corrections import run_correction
from .results import StockCount
from .steps import _stock, _table, _user

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
            raise NotFound(f"unknown SKU {sku} - see `backorder products list`")
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
