"""The options and arguments every command shares, and the one rule for their values: a
parser of the domain reads the text, and what it refuses is a usage error (exit 2) in
the domain's words.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import Annotated, Any, TypeVar, cast

import typer

from ..domain import values
from ..domain.values import parse_order_number
from ..errors import InvalidInput
from . import completion
from .output.text import is_terminal, say

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def cli_value(parse: Callable[[str], T]) -> Callable[[Any], T]:
    """The one rule for every option and argument value: a parser of the domain reads
    the text, and what it refuses (`InvalidInput`) is a usage error, exit 2, in the
    domain's words. Use it as `typer.Option(parser=cli_value(...))`."""

    def parser(value: Any) -> T:
        if not isinstance(value, str):  # a default, already a value
            return cast(T, value)
        return usage_error(parse, value)

    return parser


def usage_error(parse: Callable[..., T], *args: Any, hint: str | None = None) -> T:
    """`parse(*args)`, with the domain's refusal turned into a usage error (exit 2);
    `hint` names the parameter where Click cannot (e.g. "'KEY'")."""
    try:
        return parse(*args)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message, param_hint=hint) from None


def check_items(items: list[Any] | None) -> list[Any] | None:
    """The SKU=QTY[@PRICE] arguments together (each SKU once, within the limits): a
    parameter callback."""
    return usage_error(values.check_items, items) if items else items


def choice(kind: type[E]) -> Callable[[Any], E]:
    """One of an enum's values, refused in our words (not the library's)."""

    def parse(text: str) -> E:
        try:
            return kind(text.strip())
        except ValueError:
            names = ", ".join(kind)
            guess = values.close_match(text.strip(), [str(k) for k in kind])
            hint = f" - did you mean {guess}?" if guess else ""
            raise InvalidInput(f"{text!r} is not one of {names}{hint}") from None

    return cli_value(parse)


class Format(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"
    ids = "ids"


def read_format(fmt: Format | None) -> Format:
    """A Rich table for a person at a terminal; plain, stable columns when piped."""
    if fmt is not None:
        return fmt
    return Format.table if is_terminal() else Format.plain


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        parser=choice(Format),
        help="table (default at a terminal), plain (default when piped: tab-separated), json, "
        "csv, or ids (numbers only, lists only).",
        show_default=False,
    ),
]


class WriteFormat(StrEnum):
    text = "text"
    json = "json"


# Set in the invocation's shared `meta` when a writing command was asked for JSON: a
# refusal is then also a JSON object on stdout (`{"ok": false, "error", "code"}`), so
# a script reads the code of a refused command as it reads a result (cli/app.py).
JSON_RESULT = "backorder.json_result"


def _remember_json(ctx: typer.Context, value: WriteFormat | None) -> WriteFormat | None:
    if value == WriteFormat.json:
        ctx.meta[JSON_RESULT] = True
    return value


WriteFormatOption = Annotated[
    WriteFormat,
    typer.Option(
        "--format",
        "-f",
        parser=choice(WriteFormat),
        callback=_remember_json,
        help="text for people, or json: one result object (a refusal too: ok false, error, code).",
    ),
]


# The write commands that take several orders (create, invoice): one number gives one
# result object, a bulk run (several numbers, - or --all) an array of them.
BulkFormatOption = Annotated[
    WriteFormat,
    typer.Option(
        "--format",
        "-f",
        parser=choice(WriteFormat),
        callback=_remember_json,
        help="text for people, or json: one result object for one number; an array of "
        "them, one per order, for several numbers, - or --all.",
    ),
]


def no_ids(fmt: Format) -> None:
    if fmt == Format.ids:
        raise typer.BadParameter("ids is for lists only", param_hint="'--format'")


NumberArgument = Annotated[
    int,
    typer.Argument(
        parser=cli_value(parse_order_number),
        metavar="NUMBER",
        help="The order number, e.g. 2401 or #2401.",
        show_default=False,
        autocompletion=completion.order_numbers,
    ),
]

YesOption = Annotated[
    bool,
    typer.Option(
        "--yes", "-y", help="Do not ask for confirmation (needed when stdin is not a terminal)."
    ),
]


def _order_policy(text: str) -> str:
    """An order's policy as typed: one of the policies, or `customer` (its customer's)."""
    from ..domain.customers import parse_policy

    return "customer" if text.strip().casefold() == "customer" else parse_policy(text).value


def _reference(text: str) -> str:
    """The customer's reference as typed: one line (`domain.customers.parse_reference`)."""
    from ..domain.customers import parse_reference

    return parse_reference(text)


# The delivery fields of an order (schema 8), on `orders add` and `orders edit`.
OrderAddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        parser=cli_value(partial(values.parse_text, what="address")),
        help="Delivery address (default: the customer's; empty: none).",
        show_default=False,
    ),
]
ReferenceOption = Annotated[
    str | None,
    typer.Option(
        "--reference",
        parser=cli_value(_reference),
        help="The customer's reference (their PO number, a project; empty: none).",
        show_default=False,
    ),
]
OrderPolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        parser=cli_value(_order_policy),
        metavar="POLICY",
        help="This order's fulfilment policy: manual, backorder, cancel-rest, ship-complete, "
        "or customer (the customer's, the default).",
        show_default=False,
    ),
]
NewCustomerOption = Annotated[
    bool,
    typer.Option(
        "--new-customer",
        help="Register the customer's name even when it is close to a registered one.",
    ),
]

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
]

NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print straight to the terminal. Long output at a terminal otherwise goes "
        "through $BACKORDER_PAGER, else $PAGER, else `less -FRX` (an empty value or cat: "
        "no pager); never when piped.",
    ),
]


# `orders list` and `invoices list`: a person at a terminal sees the newest few, a
# script (piped) every row, unless --limit says otherwise.
TERMINAL_LIMIT = 50

LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        parser=cli_value(partial(values.parse_limit, what="the limit")),
        metavar="N",
        help=f"At most this many; 0 for all. Default: the newest {TERMINAL_LIMIT} at a "
        "terminal, all when piped.",
    ),
]


def rows_to_show(limit: int | None) -> int | None:
    """How many rows a listing shows: --limit as given (0: all), else the newest
    TERMINAL_LIMIT at a terminal and every row when piped (None: no limit)."""
    from .output import text  # looked up when called: tests stand in for the terminal

    return TERMINAL_LIMIT if limit is None and text.is_terminal() else limit or None


def say_more_rows(
    limit: int | None, shown: int | None, count: Callable[[], int], noun: str, which: str
) -> None:
    """After a listing cut at the terminal's default: say on stderr how many more rows
    there are and how to see them (`count` is asked only then)."""
    if limit is None and shown is not None:
        total = count()
        if total > shown:
            say(
                f"Showing the {which} {shown} of {total:,} {noun}; {total - shown:,} more "
                "- list them all with --limit 0, or pick a number with --limit N."
            )
