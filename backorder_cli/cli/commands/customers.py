"""`backorder customers ...`: the customer register (list, show, add, edit)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...domain.customers import parse_email, parse_name, parse_policy, parse_priority
from ...domain.values import parse_text
from .. import completion
from ..app import database, make_app
from ..options import (
    DryRunOption,
    FormatOption,
    NoPagerOption,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    cli_value,
    no_ids,
    read_format,
)
from ..questions import ask_and_run

if TYPE_CHECKING:
    from ...services.results import CustomerChange

CUSTOMER_FIELDS = ["name", "email", "address", "policy", "priority", "open_orders", "owed"]

NameArgument = Annotated[
    str,
    typer.Argument(
        parser=cli_value(parse_name),
        metavar="NAME",
        autocompletion=completion.customers,
        help="The customer's name (any case).",
        show_default=False,
    ),
]
EmailOption = Annotated[
    str | None,
    typer.Option(
        "--email",
        parser=cli_value(parse_email),
        help="Where letters go (`notice --format eml`); empty removes it.",
        show_default=False,
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        parser=cli_value(partial(parse_text, what="address")),
        help="Delivery address, the default of the customer's new orders; empty removes it.",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        parser=cli_value(lambda text: parse_policy(text).value),
        metavar="POLICY",
        help="What a partial shipment does: manual, backorder, cancel-rest or ship-complete.",
        show_default=False,
    ),
]
PriorityOption = Annotated[
    int | None,
    typer.Option(
        "--priority",
        parser=cli_value(parse_priority),
        metavar="N",
        help="Higher is served first when stock is allocated (default 0).",
        show_default=False,
    ),
]


def _change_json(change: CustomerChange) -> dict[str, Any]:
    return {
        "name": change.name,
        "added": change.added,
        "changes": change.changes,
        "orders_updated": change.orders_updated,
    }


def _change_text(change: CustomerChange, planned: bool) -> list[str]:
    if change.added:
        verb = "Would register" if planned else "Registered"
        return [f"{verb} customer {change.name!r}: {', '.join(change.changes)}."]
    verb = "Would change" if planned else "Changed"
    lines = [f"{verb} customer {change.name!r}: {'; '.join(change.changes)}."]
    if change.orders_updated:
        carry = "carries" if change.orders_updated == 1 else "carry"
        lines.append(f"{change.orders_updated} of its orders {carry} the change.")
    return lines


def customers_list(
    ctx: typer.Context, format_: FormatOption = None, no_pager: NoPagerOption = False
) -> None:
    """List the registered customers by name: email, delivery address, policy, priority,
    waiting orders and the value still owed to each.

    Example: backorder customers list -f csv
    """
    from ...services import customers
    from ..output import customer_tables, flat
    from ..output.pager import paged

    rows = customers.list_customers(database(ctx))
    with paged(enabled=not no_pager):
        flat.emit(
            rows, CUSTOMER_FIELDS, read_format(format_), table=customer_tables.customers_table
        )


def customers_show(
    ctx: typer.Context,
    name: NameArgument,
    format_: FormatOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Show one customer: details, waiting orders and every line still owed.

    Example: backorder customers show "hansen & søn vvs"
    """
    from ...services import customers
    from ..output import customer_tables, flat, json_format

    fmt = read_format(format_)
    no_ids(fmt)
    detail = customers.show_customer(database(ctx), name)
    if fmt == "json":
        json_format.print_json(detail)
    elif fmt in ("csv", "plain"):
        fields = ["order", "sku", "quantity", "value"]
        rows = flat.records(detail.owed, fields)
        (flat.write_csv if fmt == "csv" else flat.write_plain)(fields, rows)
    else:
        from ..output.pager import paged

        with paged(enabled=not no_pager):
            customer_tables.customer_detail(detail)


def customers_add(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            parser=cli_value(parse_name),
            metavar="NAME",
            help="The customer's name, as it is spelled.",
            show_default=False,
        ),
    ],
    email: EmailOption = None,
    address: AddressOption = None,
    policy: PolicyOption = None,
    priority: PriorityOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Register a customer. A name already registered (in any case) is refused.

    Example: backorder customers add "Elektro Syd" --email indkob@elektro-syd.dk --policy backorder
    """
    from ...services import customers

    db = database(ctx)

    def run(**kw: Any) -> CustomerChange:
        return customers.add_customer(
            db,
            name,
            email=email,
            address=address,
            policy=policy,
            priority=0 if priority is None else priority,
            **kw,
        )

    ask_and_run(
        run, yes=yes, dry_run=dry_run, show=_change_json, text=_change_text, format_=format_
    )


def customers_edit(
    ctx: typer.Context,
    name: NameArgument,
    new_name: Annotated[
        str | None,
        typer.Option(
            "--name",
            parser=cli_value(parse_name),
            help="A new name (its orders carry it too; the history keeps the old one).",
            show_default=False,
        ),
    ] = None,
    email: EmailOption = None,
    address: AddressOption = None,
    policy: PolicyOption = None,
    priority: PriorityOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Change a customer: name, email, address, policy, priority. A new priority is
    copied onto the customer's orders (the allocation order of `ready` and the ETAs);
    orders keep the address and policy they were given.

    Example: backorder customers edit "Hansen & Søn VVS" --priority 10
    """
    from ...services import customers

    if (
        new_name is None
        and email is None
        and address is None
        and policy is None
        and priority is None
    ):
        from typer._click.exceptions import UsageError

        raise UsageError(
            "nothing to change - give --name, --email, --address, --policy or --priority", ctx
        )
    db = database(ctx)

    def run(**kw: Any) -> CustomerChange:
        return customers.edit_customer(
            db,
            name,
            new_name=new_name,
            email=email,
            address=address,
            policy=policy,
            priority=priority,
            **kw,
        )

    ask_and_run(
        run, yes=yes, dry_run=dry_run, show=_change_json, text=_change_text, format_=format_
    )


def register(app: typer.Typer) -> None:
    group = make_app(
        help="Customers: the register, each with a delivery address, policy and priority."
    )
    group.command("list")(customers_list)
    group.command("show")(customers_show)
    group.command("add")(customers_add)
    group.command("edit")(customers_edit)
    app.add_typer(group, name="customers")
