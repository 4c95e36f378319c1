"""The wording of the letters, once for every format: plain sentences, right for one
line or many."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..domain.values import format_quantity

if TYPE_CHECKING:
    from ..services.letters import ItemLine, Notice

TO_BE_CONFIRMED = "date to be confirmed"


def items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def orders_text(chain: list[int]) -> str:
    return ", ".join(f"#{n}" for n in chain)


def quantity(item: ItemLine) -> str:
    return f"{format_quantity(item.quantity)} {item.unit}"


def expected(item: ItemLine) -> str:
    return f"expected {item.eta.isoformat()}" if item.eta else TO_BE_CONFIRMED


def day(value: date | None) -> str:
    return value.isoformat() if value else TO_BE_CONFIRMED


def subject(notice: Notice) -> str:
    """The letter's title and the email's Subject."""
    first = notice.chain[0]
    if notice.split_from is None:
        head = f"Your order #{notice.number}: part delivered, the rest follows"
    elif notice.follows:
        head = f"Backorder #{notice.number} for your order #{first}"
    else:
        head = f"Your order #{first}: what was delivered"
    return head


def opening(notice: Notice) -> str:
    """The paragraph of the letter before its lists (plain words; its only data are
    order numbers, which need no escaping)."""
    first = notice.chain[0]
    delivered = len(notice.delivered)
    said = [
        f"We have delivered part of your order #{first}: "
        + ("the item below was" if delivered == 1 else f"the {delivered} items below were")
        + " sent to you."
    ]
    count = len(notice.follows)
    if count:
        where = (
            f"on backorder #{notice.number}"
            if notice.split_from is not None
            else f"still open on order #{notice.number}"
        )
        if count == 1:
            said.append(
                f"The item we could not deliver yet is {where} and follows as soon as "
                "it is in stock."
            )
        else:
            said.append(
                f"The {count} items we could not deliver yet are {where} and follow as "
                "soon as they are in stock."
            )
    else:
        said.append("Nothing more follows on this order.")
    return " ".join(said)


def when(notice: Notice) -> str | None:
    """The sentence about the date of what follows (None when nothing follows)."""
    if not notice.follows:
        return None
    one = len(notice.follows) == 1
    if notice.eta is not None:
        return f"We expect to deliver {'it' if one else 'them'} by {notice.eta.isoformat()}."
    if any(item.eta for item in notice.follows):
        return (
            f'We will confirm the date of the items marked "{TO_BE_CONFIRMED}" as soon as '
            "we know it."
        )
    return "We will confirm the delivery date as soon as we know it."


def not_delivered(notice: Notice) -> str | None:
    count = len(notice.not_delivered)
    if not count:
        return None
    if count == 1:
        return "The item below was canceled and will not be delivered:"
    return f"The {count} items below were canceled and will not be delivered:"
