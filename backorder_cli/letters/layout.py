"""Layout shared by the letters: columns of plain text, Markdown's escaping and tables."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence

Escape = Callable[[str], str]

# Markdown characters that act anywhere in a line: emphasis, code, links, raw HTML and
# entities, table cells, strikethrough. CommonMark takes a backslash before any ASCII
# punctuation as the character itself.
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>|~&])")
# ... and at the start of a line: headings, quotes, lists, rules, setext underlines.
_MD_LINE_START = re.compile(r"^(\s*)([#>=+-]|\d+(?=[.)]))")


def width(text: str) -> int:
    """Columns a text takes in a fixed-width font (wide East Asian letters take two,
    combining marks none)."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def aligned(rows: Sequence[Sequence[str]], *, right: Collection[int] = ()) -> list[str]:
    """Rows as lines of columns two spaces apart, padded to the widest cell; the
    columns in `right` aligned right; no trailing blanks."""
    if not rows:
        return []
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def wrap(paragraph: str, columns: int = 76) -> str:
    """A paragraph of plain text in lines of at most `columns` (words never split)."""
    import textwrap

    return textwrap.fill(paragraph, columns, break_long_words=False, break_on_hyphens=False)


def md_cell(text: str) -> str:
    """Data text inside a Markdown line (a table cell, after a label): shown as typed."""
    return _MD_ANYWHERE.sub(r"\\\1", text)


def md_line(text: str) -> str:
    """Data text that may start a Markdown line (an address line)."""
    escaped = md_cell(text)
    match = _MD_LINE_START.match(escaped)
    if match:
        lead, what = match.group(1), match.group(2)
        if what.isdigit():  # `1. floor`: the number would start a list
            rest = escaped[match.end() :]
            return f"{lead}{what}\\{rest}"
        return f"{lead}\\{escaped[len(lead) :]}"
    return escaped


def md_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Collection[int] = ()
) -> list[str]:
    """A GitHub/CommonMark table; the cells must be escaped already (`md_cell`)."""
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    return [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(rule) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
