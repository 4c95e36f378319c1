"""The JSON listing's fast path for flat records writes exactly what the general encoder
writes, on the values that stress it: decimals with trailing zeros and exponents, big
and negative numbers, unicode, control characters, bidi overrides, quotes, backslashes,
booleans, times in any zone (UTC's own object too, and years before 1000), days, None,
subclasses of the scalar types, values that are not scalars, and records of several
kinds in one listing."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backorder_cli.cli.output.json_format import print_json_stream, to_json


@dataclasses.dataclass(frozen=True)
class Flat:
    text: Any
    number: Any
    other: Any


@dataclasses.dataclass(frozen=True)
class One:
    only: Any


@dataclasses.dataclass(frozen=True)
class Empty:
    pass


class Kind(StrEnum):
    INVOICE = "invoice"


class Rank(IntEnum):
    FIRST = 1


def written(items: list[Any]) -> str:
    out = io.StringIO()
    real, sys.stdout = sys.stdout, out
    try:
        print_json_stream(items)
    finally:
        sys.stdout = real
    return out.getvalue()


def general(items: list[Any]) -> str:
    """The same array through the general encoder, element by element."""
    if not items:
        return "[]\n"
    body = ",\n".join("  " + to_json(item).replace("\n", "\n  ") for item in items)
    return "[\n" + body + "\n]\n"


STRESS = [
    Flat("", Decimal("1.500"), None),
    Flat('Ærø \u202e\x1b[31m\x00\x7f\x9b "q" \\ /', Decimal("-0.000"), True),
    Flat("東京 🚚 \u2028\u2029", Decimal("1E+3"), False),
    Flat("x" * 300, Decimal("999999999999.9999"), 0),
    Flat("\ud800", 10**18, Decimal("0.001")),
    Flat("at", datetime(2026, 11, 26, 23, 30, tzinfo=timezone(timedelta(hours=-2))), None),
    Flat("utc", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 1),
    Flat("utc, microseconds", datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 1),
    Flat("year 999", datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), date(999, 1, 2)),
    Flat("day", date(2026, 12, 24), Decimal("-1234.50")),
    Flat(Kind.INVOICE, Rank.FIRST, "\x7f"),
    Flat("not flat", [1, Decimal("2.50")], {"a": None}),
]

# Records of other kinds in the same listing, one field or none.
MIXED = [*STRESS[:2], One("\u202e"), One(Decimal("0.10")), Empty(), STRESS[2], Empty()]

texts = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
    texts,
    st.datetimes(timezones=st.timezones() | st.just(UTC)),
    st.dates(),
)


def test_the_fast_path_writes_what_the_general_encoder_writes_on_hard_values() -> None:
    assert written(STRESS) == general(STRESS)
    assert json.loads(written(STRESS[:4]))[1]["text"] == STRESS[1].text


def test_the_fast_path_writes_records_of_several_kinds_as_the_general_encoder_does() -> None:
    assert written(MIXED) == general(MIXED)
    assert json.loads(written(MIXED))[2:5] == [{"only": "\u202e"}, {"only": 0.1}, {}]


@given(st.lists(st.builds(Flat, scalars, scalars, scalars), max_size=5))
def test_the_fast_path_writes_what_the_general_encoder_writes(items: list[Flat]) -> None:
    assert written(items) == general(items)


def test_json_escapes_what_a_terminal_acts_on_and_reads_back_the_same_text() -> None:
    unsafe = "\x7f\x80\x9b\u061c\u200e\u200f\u202a\u202e\u2066\u2069\u2028\u2029"
    items = [Flat(f"a{unsafe}b", "1", None), One(unsafe), One("DEL \x7f, ASCII but unsafe")]
    text = written(items)
    assert not any(ch in text for ch in unsafe)
    assert "\\u007f" in text and "\\u202e" in text
    assert json.loads(text) == [
        {"text": f"a{unsafe}b", "number": "1", "other": None},
        {"only": unsafe},
        {"only": "DEL \x7f, ASCII but unsafe"},
    ]
