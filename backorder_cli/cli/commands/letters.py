"""`statement` and `notice`: what the customer is told. The figures come from
`services.letters`, the words from `backorder_cli.letters`; this only picks the format
and writes it."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import StrEnum
from functools import partial
from typing import Annotated

import typer

from ...domain.customers import parse_name
from ...domain.values import parse_day
from ..app import database
from ..options import NumberArgument, choice, cli_value
from ..output.text import safe_text

SENDER_VAR = "BACKORDER_MAIL_FROM"


class StatementFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


class NoticeFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    eml = "eml"


DateOption = Annotated[
    date | None,
    typer.Option(
        "--date",
        parser=cli_value(partial(parse_day, what="")),
        metavar="DATE",
        help="The date written on the letter (YYYY-MM-DD, UTC); what stock covers is "
        "expected on it. Default: today.",
        show_default=False,
    ),
]


def statement(
    ctx: typer.Context,
    customer: Annotated[
        str,
        typer.Argument(
            parser=cli_value(parse_name),
            metavar="CUSTOMER",
            help="The customer's name, in any case (as `customers list` shows it).",
            show_default=False,
        ),
    ],
    format_: Annotated[
        StatementFormat,
        typer.Option(
            "--format",
            "-f",
            parser=choice(StatementFormat),
            help="text, json (the figures, exact), markdown or html.",
        ),
    ] = StatementFormat.text,
    on: DateOption = None,
) -> None:
    """Print a customer's statement: everything still owed across all their orders and
    backorder chains, with quantities, values and expected dates (ETA, or "date to be
    confirmed"), what was delivered and invoiced on each, and the totals.

    Example: backorder statement "Hansen & Søn VVS" --format html > statement.html
    """
    from ...letters import statement as render
    from ...services import letters

    figures = letters.statement(database(ctx), customer, today=on)
    if format_ == StatementFormat.json:
        from ..output.json_format import print_json

        print_json(figures)
        return
    sys.stdout.write(render.FORMATS[format_.value](figures, safe_text))


def notice(
    ctx: typer.Context,
    number: NumberArgument,
    format_: Annotated[
        NoticeFormat,
        typer.Option(
            "--format",
            "-f",
            parser=choice(NoticeFormat),
            help="text, markdown, html, or eml: an email to the customer (text and HTML) "
            "for `sendmail -t`.",
        ),
    ] = NoticeFormat.text,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="ADDRESS",
            help=f"With --format eml: the sender, e.g. 'Shop <orders@example.com>'. "
            f"Default: ${SENDER_VAR}.",
            show_default=False,
        ),
    ] = None,
    on: DateOption = None,
) -> None:
    """Print the letter for a backorder (or a split): what was delivered, what follows
    and when (ETA, or "date to be confirmed"), and the references: the customer's
    reference, the orders of the chain and the delivery address. NUMBER may be the
    backorder or the order it came from.

    --format eml writes a complete email to the customer's address (From: --from or
    $BACKORDER_MAIL_FROM), e.g. `backorder notice 2402 -f eml | sendmail -t`.

    Example: backorder notice 2402 --format eml --from "Shop <orders@example.com>"
    """
    from ...services import letters

    given = sender if sender is not None else os.environ.get(SENDER_VAR, "")
    if format_ == NoticeFormat.eml:
        from ...letters import eml
        from ..options import usage_error

        if not given.strip():
            raise typer.BadParameter(
                f"an email needs a sender - pass --from orders@example.com or set ${SENDER_VAR}",
                param_hint="'--from'",
            )
        usage_error(partial(eml.address, what="--from"), given, hint="'--from'")
    elif sender is not None:
        raise typer.BadParameter("only goes with --format eml", param_hint="'--from'")
    letter = letters.notice(database(ctx), number, today=on)
    if format_ == NoticeFormat.eml:
        from datetime import UTC, datetime

        from ...letters import eml

        message = eml.message(letter, safe_text, sender=given, now=datetime.now(UTC))
        sys.stdout.write(eml.as_text(message))
        return
    from ...letters import notice as render

    sys.stdout.write(render.FORMATS[format_.value](letter, safe_text))


def register(app: typer.Typer) -> None:
    app.command()(statement)
    app.command()(notice)
