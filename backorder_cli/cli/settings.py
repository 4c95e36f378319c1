"""`backorder settings [show]` and `backorder settings set KEY VALUE`."""

from __future__ import annotations

from typing import Annotated

import typer

from ..domain.orders import SETTINGS, parse_setting
from .app import (
    FormatOption,
    WriteFormat,
    WriteFormatOption,
    database,
    make_app,
    no_ids,
    read_format,
    tell,
    usage_error,
)

app = make_app(help="Show or change settings.", no_args_is_help=False, invoke_without_command=True)

FIELDS = ["setting", "value"]


@app.callback()
def default(ctx: typer.Context) -> None:
    """Show or change settings (no subcommand: show them).

    Example: backorder settings
    """
    if ctx.invoked_subcommand is None:
        show(ctx)


@app.command()
def show(ctx: typer.Context, format_: FormatOption = None) -> None:
    """Show every setting and its value.

    Example: backorder settings show --format json
    """
    from ..services import catalogue
    from . import render

    fmt = read_format(format_)
    no_ids(fmt)
    values = catalogue.get_settings(database(ctx))
    if fmt == "json":
        render.print_json(values)
        return
    rows = [{"setting": key, "value": value} for key, value in values.items()]
    if fmt == "csv":
        render.write_csv(FIELDS, rows)
    elif fmt == "plain":
        render.write_plain(FIELDS, rows)
    else:
        render.settings_table(values)


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="inventory-value-on-invoicing", show_default=False)],
    value: Annotated[str, typer.Argument(help="on or off", show_default=False)],
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Change a setting.

    Example: backorder settings set inventory-value-on-invoicing off
    """
    from ..services import catalogue
    from . import render

    hint = "'VALUE'" if key in SETTINGS else "'KEY'"
    usage_error(parse_setting, key, value, hint=hint)  # the same rule as a parser's
    key, value = catalogue.set_setting(database(ctx), key, value)
    if format_ == WriteFormat.json:
        render.print_json({key: value})
    else:
        tell(f"{key} = {value}")
