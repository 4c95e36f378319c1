"""The JSON listing's fast path for flat records writes exactly what the general encoder
writes, on the values that stress it: decimals with trailing zeros and exponents, big
and negative numbers, unicode, control characters, bidi overrides, quotes, backslashes,
booleans, times in any zone and None."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backorder_cli.cli.output.json_format import print_json_stream, to_json


@dataclasses.dataclass(frozen=True)
class Flat:
    text: Any
    number: Any
    other: Any


def written(items: list[Flat]) -> str:
    out = io.StringIO()
    real, sys.stdout = sys.stdout, out
    try:
        print_json_stream(items)
    finally:
        sys.stdout = real
    return out.getvalue()


def general(items: list[Flat]) -> str:
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
]

texts = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
    texts,
    st.datetimes(timezones=st.timezones()),
)


def test_the_fast_path_writes_what_the_general_encoder_writes_on_hard_values() -> None:
    assert written(STRESS) == general(STRESS)
    assert json.loads(written(STRESS[:4]))[1]["text"] == STRESS[1].text


@given(st.lists(st.builds(Flat, scalars, scalars, scalars), max_size=5))
def test_the_fast_path_writes_what_the_general_encoder_writes(items: list[Flat]) -> None:
    assert written(items) == general(items)
