"""The column types every table shares: quantities and money as scaled integers
(`ScaledDecimal`), times in UTC (`UtcDateTime`). Apart from the table classes, so the Core
tables of the read paths (`tables`) use them without building those classes."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

from ..domain.values import MONEY_PLACES, PRICE_PLACES, QUANTITY_PLACES
from ..errors import DatabaseProblem


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of places, stored as an integer (2.5 -> 2500)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        if value is None:
            return None
        # Bulk writes send hundreds of thousands of these: no copy of a Decimal.
        scaled = (value if type(value) is Decimal else Decimal(value)).scaleb(self.places)
        whole = int(scaled)
        if scaled != whole:
            # Input parsing refuses such values first; this guards every other path.
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return whole

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).scaleb(-self.places)


Quantity = ScaledDecimal(QUANTITY_PLACES)
Price = ScaledDecimal(PRICE_PLACES)
Money = ScaledDecimal(MONEY_PLACES)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, stored as naive UTC (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("datetimes must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        # value.replace(tzinfo=UTC), built anew: replace() took four times as long (1.6
        # against 0.4 us, Python 3.11), a listing reads a million times.
        return datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            UTC,
            fold=value.fold,
        )

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """SQLite keeps dates as text, which another tool can edit into anything: a value
        that is not a date is a refusal naming it, not a crash."""
        process = super().result_processor(dialect, coltype)
        if process is None:  # pragma: no cover - every dialect converts dates
            return None

        def read(value: Any) -> datetime | None:
            try:
                return process(value)
            except (ValueError, TypeError, OverflowError):
                shown = repr(value if len(str(value)) <= 40 else f"{str(value)[:40]}...")
                raise DatabaseProblem(
                    f"a stored date {shown} cannot be read: the database was edited by hand - "
                    "find the rows with `backorder check`"
                ) from None

        return read


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
