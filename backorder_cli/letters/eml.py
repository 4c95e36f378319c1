"""The notice as an email: a complete RFC 5322 message (the standard library's
`EmailMessage`), a text/plain part with an HTML alternative, ready for `sendmail -t`
(which reads the recipients from To)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from ..errors import InvalidInput, NotAllowed
from . import notice as render
from . import words
from .layout import Escape

if TYPE_CHECKING:
    from ..services.letters import Notice


def address(text: str, *, what: str) -> Address:
    """One email address (`orders@example.com`, or `Shop <orders@example.com>`),
    refused when it is not one (a header would be forged from a line break)."""
    from email.headerregistry import HeaderRegistry

    raw = text.strip()
    if not raw or any(ch in raw for ch in "\r\n") or "," in raw:
        raise InvalidInput(
            f"{what} {text!r} is not an email address - give one like orders@example.com"
        )
    try:
        header = HeaderRegistry()("to", raw)
        found = list(getattr(header, "addresses", ()))
    except (ValueError, IndexError, TypeError):
        found = []
    if len(found) != 1 or not found[0].username or not found[0].domain or header.defects:
        raise InvalidInput(
            f"{what} {text!r} is not an email address - give one like orders@example.com"
        )
    found_address: Address = found[0]
    return found_address


def message(
    notice: Notice,
    esc: Escape,
    *,
    sender: str,
    now: datetime,
    message_id: str | None = None,
) -> EmailMessage:
    """The notice to its customer's email. A customer without one is refused, saying
    how to add it."""
    email = notice.customer.email
    if not email:
        raise NotAllowed(
            f"customer {notice.customer.name!r} has no email address - add one with "
            f"`backorder customers edit {_shell_word(notice.customer.name)} --email ADDRESS`, "
            "or print the letter with --format text",
            code="no_email",
        )
    try:
        to = address(email, what=f"the email of customer {notice.customer.name!r}")
    except InvalidInput as exc:
        raise NotAllowed(
            exc.message.split(" - ")[0]
            + f" - fix it with `backorder customers edit {_shell_word(notice.customer.name)} "
            "--email ADDRESS`",
            code="no_email",
        ) from None
    frm = address(sender, what="the sender")
    msg = EmailMessage()
    # The display name is data: escaped (no line break can reach a header), and the
    # policy encodes what is not ASCII (RFC 2047).
    msg["To"] = Address(
        display_name=display_name(notice.customer.name), username=to.username, domain=to.domain
    )
    msg["From"] = Address(
        display_name=display_name(frm.display_name), username=frm.username, domain=frm.domain
    )
    msg["Subject"] = words.subject(notice) + (
        f" (your reference {esc(notice.reference)})" if notice.reference else ""
    )
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id or make_msgid(
        idstring=f"notice-{notice.number}", domain=frm.domain
    )
    msg.set_content(render.text(notice, esc))
    msg.add_alternative(render.html_document(notice, esc), subtype="html")
    # The same letter gives the same message: a boundary made from its Message-ID.
    digest = hashlib.sha256(str(msg["Message-ID"]).encode()).hexdigest()[:32]
    msg.set_boundary(f"=_notice_{digest}")
    return msg


def display_name(name: str) -> str:
    """A customer's name as the display name of an address: letters, digits, spaces
    and `. & ' / -` only (the rest become spaces). The standard library does not quote
    every name that needs it (a backslash breaks it), and a header is no place for data
    that could end it."""
    return " ".join(re.sub(r"[^\w .&'/-]", " ", name).split())


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def as_text(msg: EmailMessage) -> str:
    """The message as `sendmail -t` reads it: headers, a blank line, the MIME body
    (lines end in a newline; sendmail makes them CRLF on the wire)."""
    return msg.as_string()
