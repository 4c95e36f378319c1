"""The document's JSON read exactly: numbers as Decimal (never float), and what JSON
allows but no import can use (deep nesting, repeated keys, lone surrogates) refused with
its place."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..errors import InvalidInput

# Deeper than the format ever goes (7 levels): anything nested more is refused before
# it is walked.
MAX_DEPTH = 32


def load_json(text: str, *, source: str) -> Any:
    """Parse JSON keeping every number exact (Decimal, never float). A UTF-8 byte order
    mark is allowed; nesting past MAX_DEPTH and text that is no character (a lone
    surrogate escape such as "\\ud800") are refused with their place."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text, parse_float=_json_decimal, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}) - "
            "fix the file and import it again"
        ) from None
    except RecursionError:
        raise InvalidInput(
            f"{source} nests lists and objects too deep - an import document goes "
            f"{MAX_DEPTH} levels deep at most"
        ) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InvalidInput(
            f"{source} is not a usable JSON document ({exc}) - fix the file"
        ) from None
    _check_json_values(data, source=source)
    return data


class _ExponentNumber:
    """A JSON number written with an exponent (`1e3`): kept as its text, so every field
    that reads a number refuses it as it refuses the same text in a string."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _json_decimal(text: str) -> Decimal | _ExponentNumber:
    """A JSON number with a fraction, exact (`2.5`); one with an exponent stays text."""
    return _ExponentNumber(text) if "e" in text.lower() else Decimal(text)


class _Repeated(dict[str, Any]):
    """A JSON object that names a key more than once (JSON allows it; Python would
    silently keep the last value): refused, with its place, by the walk below."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    keys = [key for key, _ in pairs]
    repeated = _Repeated(value)
    repeated.repeated = sorted({key for key in keys if keys.count(key) > 1})
    return repeated


def _check_json_values(data: Any, *, source: str) -> None:
    """Walk the parsed document (without recursion) for what JSON allows and no import
    can use: nesting past MAX_DEPTH, and strings that are not text."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"{source} nests lists and objects too deep at {where} - an import document "
                f"goes {MAX_DEPTH} levels deep at most"
            )
        if isinstance(value, _Repeated):
            names = ", ".join(json.dumps(key) for key in value.repeated)
            raise InvalidInput(
                f"{source} names {names} more than once in the object at {where or '$'} - "
                "keep one of each"
            )
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, source=source, where=where or "$")
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, source=source, where=where or "$")


def _check_text(text: str, *, source: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{source} has a \\u escape that is no character (a lone surrogate) at "
            f"{where.encode('utf-8', 'backslashreplace').decode()} - fix the text there"
        ) from None
