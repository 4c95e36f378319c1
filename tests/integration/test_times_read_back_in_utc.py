"""Times go in aware, in any zone, and come back as the same instant in UTC (the very
`datetime.UTC` object the JSON writer checks for), to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from backorder_cli.storage.types import UtcDateTime

TIMES = Table(
    "times", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime)
)
ENGINE = create_engine("sqlite://")
TIMES.metadata.create_all(ENGINE)

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=-2)), timezone(timedelta(minutes=330))])
AWARE = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES)


def read_back(at: datetime | None) -> datetime | None:
    with ENGINE.begin() as conn:
        conn.execute(TIMES.delete())
        conn.execute(insert(TIMES).values(id=1, at=at))
        return conn.execute(select(TIMES.c.at)).scalar_one()


@given(AWARE)
def test_a_time_reads_back_as_the_same_instant_in_utc(at: datetime) -> None:
    got = read_back(at)
    assert got == at
    assert got is not None and got.tzinfo is UTC
    assert got.replace(tzinfo=None) == at.astimezone(UTC).replace(tzinfo=None)


def test_a_missing_time_reads_back_as_none() -> None:
    assert read_back(None) is None
