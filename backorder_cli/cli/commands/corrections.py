"""Corrections: `orders cancel`, `orders edit`, `close` and `unship` (and the flow
`products adjust` shares, in `stock`).

Each asks one question first (the change as a dry run computes it; `--yes` skips it),
then runs exactly what was shown; `--dry-run` shows it and changes nothing.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...domain.values import (
    Item,
    parse_item,
    parse_order_number,
    parse_sku,
    parse_text,
)
from .. import completion
from ..app import database
from ..options import (
    DryRunOption,
    NewCustomerOption,
    NumberArgument,
    OrderAddressOption,
    OrderPolicyOption,
    ReferenceOption,
    WriteFormat,
    WriteFormatOption,
    YesOption,
    check_items,
    cli_value,
)
from ..questions import ask_and_run

if TYPE_CHECKING:
    from ...services.results import Correction


ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason",
        parser=cli_value(partial(parse_text, what="reason", required=True, limit=200)),
        help="Why: recorded in the order's history.",
        show_default=False,
    ),
]


def _correction_json(c: Correction) -> dict[str, Any]:
    return {
        "number": c.number,
        "action": c.action,
        "status": c.status,
        "total": c.total,
        "lines": [{"sku": sku, "quantity": q} for sku, q in c.lines],
        "reason": c.reason,
        "changes": c.changes,
    }


def _correction_text(c: Correction, would: bool) -> list[str]:
    return [_correction_line(c, would)]


def _correction_line(c: Correction, would: bool) -> str:
    from ...domain.values import format_money, quantities_text
    from ..output.tables import status_label

    status = status_label(c.status)
    listed = quantities_text(c.lines)
    if c.action == "canceled":
        what = f" ({listed} canceled)" if listed else ""
        if would:
            return f"This will cancel order #{c.number}{what}."
        return f"Order #{c.number} is canceled{what}."
    if c.action == "closed":
        if would:
            return f"This will close order #{c.number} short: {listed} canceled (then {status})."
        return f"Order #{c.number} closed short: {listed} canceled (now {status})."
    if c.action == "unshipped":
        if would:
            return f"This will take back {listed} on order #{c.number} into stock (then {status})."
        return f"Took back {listed} on order #{c.number} into stock (now {status})."
    changes = "; ".join(c.changes)
    if would:
        return (
            f"This will change order #{c.number}: {changes} (then total {format_money(c.total)})."
        )
    return f"Order #{c.number} changed: {changes}; total {format_money(c.total)} (now {status})."


def cancel(
    ctx: typer.Context,
    numbers: Annotated[
        list[int],
        typer.Argument(
            parser=cli_value(parse_order_number),
            metavar="NUMBER",
            help="The orders to cancel, e.g. 2401 2402.",
            show_default=False,
            autocompletion=completion.order_numbers,
        ),
    ],
    reason: ReasonOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Cancel draft or booked orders with nothing shipped (they are not archived).

    All of them or none: one that cannot be canceled is refused and none is. A
    partially shipped order is refused: close the rest with `backorder close`, or move
    it to a backorder with `backorder create`. The canceled quantities are recorded on
    the lines and the reason in the history.

    Example: backorder orders cancel 2405 --reason "customer withdrew the order"
    """
    from ...services import corrections

    db = database(ctx)

    def run(**kw: Any) -> list[Correction]:
        return corrections.cancel_orders(db, numbers, reason=reason, **kw)

    def text(done: list[Correction], would: bool) -> list[str]:
        return [_correction_text(c, would)[0] for c in done]

    def show(done: list[Correction]) -> dict[str, Any]:
        return {"orders": [_correction_json(c) for c in done]}

    ask_and_run(run, yes=yes, dry_run=dry_run, show=show, text=text, format_=format_)


def close(
    ctx: typer.Context,
    number: NumberArgument,
    skus: Annotated[
        list[str] | None,
        typer.Argument(
            parser=cli_value(parse_sku),
            metavar="SKU",
            help="The lines to close (default: every line with something remaining).",
            show_default=False,
        ),
    ] = None,
    reason: ReasonOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Close an order short: cancel the remaining quantity of its lines, no backorder.

    Only the named lines, or every line when none is named, of a booked or partially
    shipped order. The status follows from the lines (shipped when all that is left
    was shipped); the money of the canceled units leaves the total.

    Example: backorder close 2401 CABLE-25 --reason "customer takes what was delivered"
    """
    from ...services import corrections

    db = database(ctx)

    def run(**kw: Any) -> Correction:
        return corrections.close_order(db, number, list(skus or []), reason=reason, **kw)

    ask_and_run(
        run, yes=yes, dry_run=dry_run, show=_correction_json, text=_correction_text, format_=format_
    )


def unship(
    ctx: typer.Context,
    number: NumberArgument,
    items: Annotated[
        list[Item],
        typer.Argument(
            parser=cli_value(partial(parse_item, with_price=False)),
            callback=check_items,
            metavar="SKU=QTY",
            help="What to take back, as SKU=QTY.",
            show_default=False,
        ),
    ],
    reason: ReasonOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Reverse a shipment recorded by mistake; stock on hand goes back up.

    Only shipped quantities not yet invoiced. The status follows. An order a backorder
    was made from since is refused: undo the backorder first.

    Example: backorder unship 2401 CABLE-25=20
    """
    from ...services import corrections

    db = database(ctx)

    def run(**kw: Any) -> Correction:
        return corrections.unship(db, number, items, reason=reason, **kw)

    ask_and_run(
        run, yes=yes, dry_run=dry_run, show=_correction_json, text=_correction_text, format_=format_
    )


NOTHING_TO_EDIT = (
    "nothing to change - give --customer, --comment, --address, --reference, --policy, "
    "SKU=QTY[@PRICE] or --remove SKU"
)


def edit(
    ctx: typer.Context,
    number: NumberArgument,
    items: Annotated[
        list[Item] | None,
        typer.Argument(
            parser=cli_value(parse_item),
            callback=check_items,
            metavar="SKU=QTY[@PRICE]",
            help="Set a line's quantity (and price), or add a line.",
            show_default=False,
        ),
    ] = None,
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer",
            "-c",
            parser=cli_value(partial(parse_text, what="customer", required=True, limit=200)),
            autocompletion=completion.customers,
            help="New customer (found in any case; a new name is registered).",
            show_default=False,
        ),
    ] = None,
    comment: Annotated[
        str | None,
        typer.Option(
            "--comment",
            parser=cli_value(partial(parse_text, what="comment")),
            help="New comment.",
            show_default=False,
        ),
    ] = None,
    address: OrderAddressOption = None,
    reference: ReferenceOption = None,
    policy: OrderPolicyOption = None,
    new_customer: NewCustomerOption = False,
    remove: Annotated[
        list[str] | None,
        typer.Option(
            "--remove",
            parser=cli_value(parse_sku),
            metavar="SKU",
            help="Remove this line (repeatable).",
            show_default=False,
        ),
    ] = None,
    reason: ReasonOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Change an order: customer, comment, a line's quantity or price, add or remove lines.

    A line's quantity never goes below what was shipped (and canceled); a shipped or
    invoiced line's price never changes; a line with shipments is never removed; a
    canceled or archived order is refused. Totals and the status follow.

    Example: backorder orders edit 2405 CABLE-25=80 PLUG-3=10@4.50 --remove SWITCH-1
    """
    from ...services import corrections

    given = (customer, comment, address, reference, policy)
    if all(v is None for v in given) and not items and not remove:
        from typer._click.exceptions import UsageError

        raise UsageError(NOTHING_TO_EDIT, ctx)  # a usage error: nothing was asked for
    both = sorted({i.sku for i in items or []} & set(remove or []))
    if both:
        raise typer.BadParameter(
            f"{both[0]} is both set and removed - give one or the other", param_hint="'--remove'"
        )
    db = database(ctx)

    def run(**kw: Any) -> Correction:
        return corrections.edit_order(
            db,
            number,
            customer=customer,
            new_customer=new_customer,
            comment=comment,
            address=address,
            reference=reference,
            policy=policy,
            items=list(items or []),
            remove=list(remove or []),
            reason=reason,
            **kw,
        )

    ask_and_run(
        run, yes=yes, dry_run=dry_run, show=_correction_json, text=_correction_text, format_=format_
    )


def register(app: typer.Typer) -> None:
    app.command()(close)
    app.command()(unship)


def register_orders(app: typer.Typer) -> None:
    app.command()(cancel)
    app.command()(edit)
