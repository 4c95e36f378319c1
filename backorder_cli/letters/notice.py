"""The notice (`backorder notice`): the letter for one backorder or split, as plain
text, Markdown or HTML. The email (`eml.py`) carries the text and the HTML."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain.values import format_quantity
from . import words
from .layout import Escape, aligned, md_cell, md_line, md_table, wrap

if TYPE_CHECKING:
    from ..services.letters import ItemLine, Notice


def _head(notice: Notice, esc: Escape) -> tuple[list[str], list[tuple[str, str]]]:
    """The address block (the name, then the customer's address) and the reference lines."""
    block = [esc(notice.customer.name)]
    block += [esc(line) for line in notice.customer.address.splitlines() if line.strip()]
    facts = [("Date", notice.date.isoformat())]
    if notice.reference:
        facts.append(("Your reference", esc(notice.reference)))
    facts.append(("Our orders", words.orders_text(notice.chain)))
    return block, facts


def _text_rows(items: list[ItemLine], esc: Escape, *, with_date: bool) -> list[list[str]]:
    """Plain text's columns: the quantity apart from its unit, so numbers line up."""
    return [
        [format_quantity(i.quantity), esc(i.unit), esc(i.sku), esc(i.name)]
        + ([words.expected(i)] if with_date else [])
        for i in items
    ]


def _rows(items: list[ItemLine], esc: Escape, *, with_date: bool) -> list[list[str]]:
    return [
        [esc(words.quantity(i)), esc(i.sku), esc(i.name)]
        + ([words.expected(i)] if with_date else [])
        for i in items
    ]


def _sections(notice: Notice) -> list[tuple[str, str | None, list[ItemLine], bool]]:
    """(heading, sentence under it, lines, with dates) of each list in the letter."""
    sections: list[tuple[str, str | None, list[ItemLine], bool]] = [
        ("Delivered", None, notice.delivered, False)
    ]
    if notice.follows:
        sections.append(("Still to come", words.when(notice), notice.follows, True))
    if notice.not_delivered:
        sections.append(("Not delivered", words.not_delivered(notice), notice.not_delivered, False))
    return sections


def _greeting(notice: Notice, esc: Escape) -> str:
    return f"Dear {esc(notice.customer.name)},"


def _address(notice: Notice, esc: Escape) -> list[str]:
    return [esc(line) for line in notice.address.splitlines() if line.strip()]


def text(notice: Notice, esc: Escape) -> str:
    block, facts = _head(notice, esc)
    out = [*block, ""]
    width = max(len(label) for label, _ in facts) + 2
    out += [f"{label + ':':<{width}}{value}" for label, value in facts]
    out += ["", words.subject(notice), "", _greeting(notice, esc), ""]
    out += [wrap(words.opening(notice)), ""]
    for heading, sentence, items, dated in _sections(notice):
        out.append(f"{heading}:")
        out += ["  " + row for row in aligned(_text_rows(items, esc, with_date=dated), right={0})]
        if sentence:
            out += ["", wrap(sentence)]
        out.append("")
    address = _address(notice, esc)
    if address:
        out += ["Delivery address:", *("  " + line for line in address), ""]
    out += ["Kind regards"]
    return "\n".join(out) + "\n"


def markdown(notice: Notice, esc: Escape) -> str:
    md: Callable[[str], str] = lambda s: md_cell(esc(s))  # noqa: E731
    block, facts = _head(notice, md_line_escape(esc))
    out = [f"**{block[0]}**  ", *(line + "  " for line in block[1:])]
    out[-1] = out[-1].rstrip()
    out.append("")
    out += [f"{label}: {value}  " for label, value in facts]
    out[-1] = out[-1].rstrip()
    out += ["", f"# {words.subject(notice)}", "", f"Dear {md(notice.customer.name)},", ""]
    out += [words.opening(notice), ""]
    for heading, sentence, items, dated in _sections(notice):
        out += [f"## {heading}", ""]
        if sentence:
            out += [sentence, ""]
        headers = ["Quantity", "SKU", "Item"] + (["Expected"] if dated else [])
        out += [*md_table(headers, _rows(items, md, with_date=dated), right={0}), ""]
    address = _address(notice, md_line_escape(esc))
    if address:
        out += ["## Delivery address", "", *(line + "  " for line in address[:-1]), address[-1], ""]
    out += ["Kind regards"]
    return "\n".join(out) + "\n"


def md_line_escape(esc: Escape) -> Escape:
    return lambda s: md_line(esc(s))


def html_document(notice: Notice, esc: Escape) -> str:
    h: Escape = lambda s: html.escape(esc(s), quote=True)  # noqa: E731
    block, facts = _head(notice, h)
    title = html.escape(words.subject(notice))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><title>' + title + "</title></head>",
        "<body>",
        "<p>" + "<br>\n".join([f"<strong>{block[0]}</strong>", *block[1:]]) + "</p>",
        "<p>" + "<br>\n".join(f"{label}: {value}" for label, value in facts) + "</p>",
        f"<h1>{title}</h1>",
        f"<p>Dear {h(notice.customer.name)},</p>",
        f"<p>{html.escape(words.opening(notice))}</p>",
    ]
    for heading, sentence, items, dated in _sections(notice):
        out.append(f"<h2>{heading}</h2>")
        if sentence:
            out.append(f"<p>{html.escape(sentence)}</p>")
        headers = ["Quantity", "SKU", "Item"] + (["Expected"] if dated else [])
        out.append("<table>")
        out.append("<tr>" + "".join(f"<th>{c}</th>" for c in headers) + "</tr>")
        for row in _rows(items, h, with_date=dated):
            cells = [f'<td style="text-align:right">{row[0]}</td>'] + [
                f"<td>{c}</td>" for c in row[1:]
            ]
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
    address = _address(notice, h)
    if address:
        out += ["<h2>Delivery address</h2>", "<p>" + "<br>\n".join(address) + "</p>"]
    out += ["<p>Kind regards</p>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# Each format's renderer, by the name `--format` gives it.
FORMATS = {"text": text, "markdown": markdown, "html": html_document}
