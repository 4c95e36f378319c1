"""CSV cells a spreadsheet would run as formulas, neutralised reversibly. Small on
purpose: every CSV listing imports it, and a listing must start fast."""

from __future__ import annotations

import re

# Spreadsheets run a cell that starts with one of these as a formula. CSV written by
# the tool puts a ' before such a text (and one more before a text that already starts
# with quotes and then one of these, so the rule reverses exactly); import removes it.
# Numbers, times and flags are never text cells: a negative number stays a number.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def csv_text(text: str) -> str:
    """A text cell as CSV output writes it: `=1+2` -> `'=1+2`, `'=x` -> `''=x`."""
    return "'" + text if _FORMULA_START.match(text) else text


def csv_text_read(cell: str) -> str:
    """`csv_text` reversed: the cell as the tool wrote it -> the text it holds."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell
