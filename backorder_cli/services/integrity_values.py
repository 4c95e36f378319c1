"""Stored values as `check` reads them: raw, so a value edited by hand is reported,
not fatal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _scaled(value: Any, places: int) -> Decimal:
    """A stored scaled integer read raw, so a hand-edited value is reported, not fatal.
    (A server's SUM of integers comes back as a whole Decimal: that is one too.)"""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number of {10**-places} units")
    return Decimal(value).scaleb(-places)
