"""`casefold()` in SQL: Python's casefold on SQLite, lower() plus the folds it lacks on
PostgreSQL, so a search finds the same orders on both backends.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def _casefold_text(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    return value.casefold() if isinstance(value, str) else value


class casefold(FunctionElement[str]):
    """Python's `str.casefold` in SQL, for searches that ignore case in every script.

    SQLite: a deterministic function registered on every connection (SQLite's own
    lower() and LIKE fold ASCII only). PostgreSQL: lower() (Unicode with a UTF-8
    locale such as C.UTF-8; ASCII only in the plain C locale), then the foldings
    lower() does not do: ß and ẞ -> ss, the Latin ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ, and the
    one-letter foldings (final sigma, long s, micro sign, Greek symbol forms, Cherokee).
    Still different from casefold on PostgreSQL: İ (lower() gives i, casefold i +
    combining dot), ŉ, ǰ, ẖ ẗ ẘ ẙ ẚ, Armenian ligatures (և ﬓ-ﬗ) and Greek letters with
    ypogegrammeni or several accents (ᾀ-ῷ, ΐ, ΰ), which casefold turns into two letters.
    """

    type = String()
    inherit_cache = True
    name = "casefold"


# lower() -> casefold for single letters (the test regenerates this from Python's tables).
_FOLD_FROM = (
    "\xb5\u017f\u0345\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5"
    + "".join(map(chr, range(0xAB70, 0xABC0)))
    + "".join(map(chr, range(0x13F8, 0x13FE)))
    + "".join(map(chr, range(0x1C80, 0x1C89)))
    + "\u1e9b\u1fbe"
)
_FOLD_TO = (
    "\u03bcs\u03b9\u03c3\u03b2\u03b8\u03c6\u03c0\u03ba\u03c1\u03b5"
    + "".join(map(chr, range(0x13A0, 0x13F0)))
    + "".join(map(chr, range(0x13F0, 0x13F6)))
    + "\u0432\u0434\u043e\u0441\u0442\u0442\u044a\u0463\ua64b"
    + "\u1e61\u03b9"
)
_FOLD_REPLACE = [
    ("\u00df", "ss"),
    ("\ufb00", "ff"),
    ("\ufb01", "fi"),
    ("\ufb02", "fl"),
    ("\ufb03", "ffi"),
    ("\ufb04", "ffl"),
    ("\ufb05", "st"),
    ("\ufb06", "st"),
]


@compiles(casefold)
def _casefold_sqlite(element: casefold, compiler: Any, **kw: Any) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "postgresql")
def _casefold_postgresql(element: casefold, compiler: Any, **kw: Any) -> str:
    text = f"lower({compiler.process(element.clauses, **kw)})"
    for old, new in _FOLD_REPLACE:
        text = f"replace({text}, '{old}', '{new}')"
    return f"translate({text}, '{_FOLD_FROM}', '{_FOLD_TO}')"
