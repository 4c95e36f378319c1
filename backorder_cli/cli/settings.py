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

SETTINGS_FIELDS = ["setting", "value"]


def settings_default(ctx: typer.Context) -> None:
    """Show or change settings (no subcommand: show them).

    Example: backorder settings
    """
    if ctx.invoked_subcommand is None:
        settings_show(ctx)


def settings_show(ctx: typer.Context, format_: FormatOption = None) -> None:
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
        render.write_csv(SETTINGS_FIELDS, rows)
    elif fmt == "plain":
        render.write_plain(SETTINGS_FIELDS, rows)
    else:
        render.settings_table(values)


def settings_set(
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


def register_settings(app: typer.Typer) -> None:
    settings = make_app(
        help="Show or change settings.", no_args_is_help=False, invoke_without_command=True
    )
    settings.callback()(settings_default)
    settings.command("show")(settings_show)
    settings.command("set")(settings_set)
    app.add_typer(settings, name="settings")
