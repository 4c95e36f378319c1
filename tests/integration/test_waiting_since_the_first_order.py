"""A backorder waits since its chain's first order: `ready` shows that date and
allocates stock by it, `report` counts ages from it, and a report as of a day leaves out
the backorders made after that day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from backorder_cli.domain.backorders import ReportBy
from backorder_cli.domain.values import Item
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, integrity, reports
from backorder_cli.storage.database import Database

ORDERED_2399 = datetime(2026, 11, 12, 12, 0, tzinfo=UTC)  # sample_data/company.json
ORDERED_2401 = datetime(2026, 11, 20, 8, 5, tzinfo=UTC)
LATER = date(2100, 1, 1)


def backorder_2401_then_2399(db: Database) -> tuple[int, int]:
    """#2401 is backordered first, so its backorder is the older one; but #2399's
    customer ordered earlier."""
    first = backorders_service.create_backorder(db, 2401).backorder
    second = backorders_service.create_backorder(db, 2399).backorder
    assert first is not None and second is not None
    return first, second


def test_ready_shows_and_allocates_by_the_chains_first_order(sample_db: Database) -> None:
    of_2401, of_2399 = backorder_2401_then_2399(sample_db)
    # 12 switches: #2401's backorder wants 12, #2399's 6. The customer who ordered first
    # (#2399) is served first, although #2401's backorder was made first.
    catalogue.receive_stock(sample_db, "SWITCH-1", "12")
    ready = {a.number: a for a in fulfilment.ready_orders(sample_db)}
    assert [sku for _p, sku, _q in ready[of_2399].ship] == ["SWITCH-1"]
    assert of_2401 not in ready  # its 12 no longer fit after #2399's 6
    assert ready[of_2399].created_at == ORDERED_2399  # shown as "Waiting since"


def test_a_backorder_of_a_backorder_waits_since_the_first_order(sample_db: Database) -> None:
    first = backorders_service.create_backorder(sample_db, 2401).backorder  # 2401 -> 2402
    assert first is not None
    catalogue.receive_stock(sample_db, "SWITCH-1", "12")
    fulfilment.ship(sample_db, first, [Item("SWITCH-1", D(12))])
    fulfilment.invoice_order(sample_db, first)
    second = backorders_service.create_backorder(sample_db, first).backorder  # -> 2403
    assert second is not None
    catalogue.receive_stock(sample_db, "CABLE-15", "150")
    ready = {a.number: a for a in fulfilment.ready_orders(sample_db)}
    assert ready[second].created_at == ORDERED_2401
    rows = reports.backorder_report(sample_db, by=ReportBy.CUSTOMER, today=LATER)
    oldest = {r.key: r.oldest_days for r in rows}
    assert oldest["Hansen & Søn VVS"] == (LATER - ORDERED_2401.date()).days
    assert list(integrity.check_database(sample_db)) == []


def test_report_ages_count_from_the_chains_first_order(sample_db: Database) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    as_of = date(2100, 1, 1)
    by_age = reports.backorder_report(sample_db, by=ReportBy.AGE, today=as_of)
    assert [(r.key, r.orders) for r in by_age] == [
        ("0-7 days", 0),
        ("8-30 days", 0),
        ("31-90 days", 0),
        ("over 90 days", 1),
    ]


def test_a_report_as_of_a_day_leaves_out_what_did_not_exist_yet(sample_db: Database) -> None:
    backorders_service.create_backorder(sample_db, 2401)  # made today
    for by in ReportBy:
        rows = reports.backorder_report(sample_db, by=by, today=date(2020, 1, 1))
        assert all(r.orders == 0 for r in rows), by
    today = reports.backorder_report(sample_db, by=ReportBy.AGE)
    assert sum(r.orders for r in today) == 1
