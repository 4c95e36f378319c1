"""The one SKU rule: no control, invisible or bidi characters, no surrounding spaces,
no look-alikes (NFKC-unstable forms, mixed Latin/Cyrillic/Greek). And `-0` shows as 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backorder_cli.domain.values import format_money, format_quantity, parse_sku
from backorder_cli.errors import InvalidInput

REFUSED = {
    "escape": ("EVIL\x1b[2J", "control"),
    "c1-csi": ("A\x9b31m", "control"),
    "del": ("A\x7fB", "control"),
    "bel": ("A\x07", "control"),
    "nul": ("A\x00B", "control"),
    "bidi-override": ("ABC\u202eFDP", "bidi"),
    "bidi-isolate": ("A\u2066B\u2069", "bidi"),
    "rtl-mark": ("A\u200fB", "bidi"),
    "arabic-mark": ("A\u061cB", "bidi"),
    "zero-width-space": ("CA\u200bBLE", "invisible"),
    "zero-width-joiner": ("CA\u200dBLE", "invisible"),
    "bom": ("\ufeffCABLE", "invisible"),
    "soft-hyphen": ("CA\u00adBLE", "invisible"),
    "fullwidth": ("\uff23\uff21\uff22\uff2c\uff25-25", "write it as 'CABLE-25'"),
    "ligature": ("\ufb01LTER", "write it as 'fiLTER'"),
    "superscript": ("CABLE-\u00b2", "write it as 'CABLE-2'"),
    "cyrillic-c": ("\u0421ABLE-25", "mixes Cyrillic and Latin letters"),
    "greek-o": ("B\u039fX-68", "mixes Greek and Latin letters"),
    "leading-space": (" CABLE-25", "must not start or end with spaces"),
    "trailing-space": ("CABLE-25 ", "must not start or end with spaces"),
    "trailing-nbsp": ("CABLE-25\u00a0", "must not start or end with spaces"),
    "next-line": ("CABLE-25\x85", "must not start or end with spaces"),
}


@pytest.mark.parametrize(("sku", "why"), REFUSED.values(), ids=list(REFUSED))
def test_a_sku_that_could_hide_or_pass_for_another_is_refused(sku: str, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_sku(sku)
    assert why in refused.value.message


@pytest.mark.parametrize(
    "sku",
    ["CABLE-25", "\u00c4RM-1", "\u041a\u0410\u0411\u0415\u041b\u042c-1", "ABC-\u30b1", "A\\B"],
)
def test_skus_in_any_one_alphabet_are_accepted_as_typed(sku: str) -> None:
    assert parse_sku(sku) == sku


def test_negative_zero_is_shown_as_zero() -> None:
    assert format_quantity(Decimal("-0")) == "0"
    assert format_quantity(Decimal("-0.000")) == "0"
    assert format_money(Decimal("-0.00")) == "0.00"
