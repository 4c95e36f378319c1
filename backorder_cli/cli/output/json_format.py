"""JSON for scripts: numbers written straight from Decimals (`2.5`, `1234.50`), never
through a float, so a script reads back exactly what was stored; listings streamed
element by element.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ...domain.values import format_quantity
from .text import held_interrupt

# The C string encoder behind json.dumps(ensure_ascii=False), without its per-call setup.
_c_quote = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
# What that encoder leaves raw but a terminal acts on or reorders: DEL, C1 controls, bidi
# marks and overrides, line separators, lone surrogates. JSON gets them as \u escapes,
# so JSON on a terminal is safe too and still reads back as the exact text.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _safe(text: str) -> str:
    """JSON text with the characters of `_JSON_UNSAFE` escaped."""
    # ASCII without DEL has none of them: checked at a twentieth of the pattern's cost.
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)


def _quote(text: str) -> str:
    return _safe(_c_quote(text))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):  # a calendar day (an expected date, an ETA)
        return value.isoformat()
    return value


def _encode(value: Any, indent: int, level: int) -> str:
    if isinstance(value, Decimal):
        return format_quantity(value)  # plain, exact, no exponent: 2.5, 1234.5, 100
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        items = [
            f"{inner}{json.dumps(k)}: {_encode(v, indent, level + 1)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        return (
            "[\n"
            + ",\n".join(inner + _encode(v, indent, level + 1) for v in value)
            + "\n"
            + pad
            + "]"
        )
    return _quote(value) if isinstance(value, str) else json.dumps(value)


def to_json(value: Any) -> str:
    """Indented JSON with Decimals as exact JSON numbers."""
    return _encode(_plain(value), 2, 0)


def _compact(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return _quote(value) if isinstance(value, str) else json.dumps(value)


def to_json_line(value: Any) -> str:
    """One JSON value on one line (JSON lines: `log --follow -f json`), numbers exact,
    text escaped as in every JSON the tool writes."""
    return _compact(_plain(value))


def print_json(value: Any) -> None:
    sys.stdout.write(to_json(value) + "\n")


_SCALARS = (str, int, Decimal, type(None), date)  # a datetime is a date


def _utc_text(value: datetime) -> str:
    """A time as `_plain` writes it, quoted: `"2026-01-02T03:04:05Z"`."""
    if value.tzinfo is UTC and value.year >= 1000:
        # What strftime writes, at half its cost (a read UTC time is already in UTC; a
        # year below 1000 is written unpadded by some C libraries' strftime).
        return f'"{value.isoformat()[:19]}Z"'
    return f'"{value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}"'


def _scalar(value: Any) -> str:
    """One JSON scalar, the way `_encode` writes it, without its generality."""
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):  # a calendar day (an ETA)
        return f'"{value.isoformat()}"'
    return str(value)


# The writer of each scalar type, by exact type (a subclass, an enum say, takes `_scalar`).
# Text is only quoted here: the unsafe characters are escaped on the whole element at
# once (`_FlatWriter.element`): the same text, since keys, numbers and times have none.
_SCALAR_WRITERS: dict[type, Callable[[Any], str]] = {
    str: _c_quote,
    int: int.__repr__,
    type(None): lambda _value: "null",
    bool: lambda value: "true" if value else "false",
    Decimal: format_quantity,
    datetime: _utc_text,
    date: lambda value: f'"{value.isoformat()}"',
}


class _FlatWriter:
    """The elements of one dataclass, written with their keys encoded once: a template
    with a slot per field, and each value's writer picked by its type."""

    def __init__(self, kind: type) -> None:
        names = [f.name for f in dataclasses.fields(kind)]
        self.kind = kind
        get = operator.attrgetter(*names)
        self.values = get if len(names) > 1 else lambda item: (get(item),)
        keys = (json.dumps(name).replace("%", "%%") for name in names)
        self.template = "{\n" + ",\n".join(f"    {key}: %s" for key in keys) + "\n  }"

    def element(self, item: Any) -> str | None:
        """The element's text, or None when a value is not a flat scalar."""
        values = self.values(item)
        try:
            texts = tuple([_SCALAR_WRITERS[type(v)](v) for v in values])
        except KeyError:
            if not all(isinstance(v, _SCALARS) for v in values):
                return None
            texts = tuple(_scalar(v) for v in values)
        return _safe(self.template % texts)


def print_json_stream(
    items: Iterable[Any],
    *,
    flush: bool = False,
    begun: list[bool] | None = None,
    written: Callable[[Any], None] | None = None,
) -> None:
    """A JSON array written element by element as the items arrive: a listing of a
    million orders starts at once and never sits in memory whole. Flat records (every
    field a string, number, time or null) take a fast path with their keys encoded once; the
    text is the same as `to_json` writes. With `flush`, each element is written through
    before the next item is asked for (a bulk run stops at a failing output). `begun`
    gets an entry once this function has taken charge of closing the list on Ctrl-C
    (before that, the caller closes it). `written` is called with each item once its
    element is written, before a Ctrl-C can land (`held_interrupt`): a bulk run counts
    exactly the elements on stdout."""
    first = True
    try:
        if begun is not None:
            begun.append(True)
        out = sys.stdout
        flat: _FlatWriter | None = None
        for item in items:
            if flat is None or type(item) is not flat.kind:
                is_record = dataclasses.is_dataclass(item) and not isinstance(item, type)
                flat = _FlatWriter(type(item)) if is_record and dataclasses.fields(item) else None
            text = flat.element(item) if flat is not None else None
            if text is None:
                text = _encode(_plain(item), 2, 1)
            # One write per element: an interrupt lands between elements, never inside.
            element = ("[\n  " if first else ",\n  ") + text
            # Held only where a run installed it: a Ctrl-C meanwhile is raised at its end.
            with held_interrupt:
                out.write(element)
                first = False
                if flush:
                    out.flush()
                if written is not None:
                    written(item)
    except KeyboardInterrupt:
        # Ctrl-C: what was written stays valid JSON; the caller says what was done.
        sys.stdout.write("[]\n" if first else "\n]\n")
        raise
    out.write("[]\n" if first else "\n]\n")


def print_export(header: dict[str, Any], orders: Iterable[dict[str, Any]]) -> None:
    """The export document: the header's keys, then "orders" streamed one by one."""
    out = sys.stdout
    out.write("{\n")
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {_encode(_plain(value), 2, 1)},\n")
    out.write('  "orders": ')
    first = True
    for order in orders:
        out.write("[\n    " if first else ",\n    ")
        out.write(_encode(_plain(order), 2, 2))
        first = False
    out.write("[]\n}\n" if first else "\n  ]\n}\n")
