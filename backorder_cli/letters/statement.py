"""The statement (`backorder statement`): everything still owed to a customer, chain by
chain, with ETAs, what shipped, what was invoiced and the totals, as plain text,
Markdown or HTML (JSON is the values themselves)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ..domain.values import format_money
from . import words
from .layout import Escape, aligned, md_cell, md_line, md_table, wrap

if TYPE_CHECKING:
    from ..services.letters import Case, Statement

OWED_HEADERS = ["Order", "Quantity", "SKU", "Item", "Unit price", "Value", "Expected"]
OWED_RIGHT = {1, 4, 5}
SHIPPED_HEADERS = ["Quantity", "SKU", "Item", "Value"]
SHIPPED_RIGHT = {0, 3}


def summary(statement: Statement) -> str:
    if not statement.cases:
        return "Nothing is owed: every order is delivered or closed."
    orders = len({item.order for case in statement.cases for item in case.owed})
    lines = statement.owed_lines
    return (
        f"Still owed: {format_money(statement.owed_value)} on {lines} "
        f"line{'s' if lines != 1 else ''} of {orders} order{'s' if orders != 1 else ''}."
    )


def _title(case: Case) -> str:
    label = "Order" if len(case.orders) == 1 else "Orders"
    return (
        f"{label} {words.orders_text(case.orders)} (ordered {case.ordered_at.date().isoformat()})"
    )


def _owed_rows(case: Case, esc: Escape) -> list[list[str]]:
    return [
        [
            f"#{i.order}",
            esc(words.quantity(i)),
            esc(i.sku),
            esc(i.name),
            format_money(i.unit_price) if i.unit_price is not None else "",
            format_money(i.value),
            words.day(i.eta),
        ]
        for i in case.owed
    ]


def _shipped_rows(case: Case, esc: Escape) -> list[list[str]]:
    return [
        [esc(words.quantity(i)), esc(i.sku), esc(i.name), format_money(i.value)]
        for i in case.shipped
    ]


def _totals(statement: Statement) -> list[list[str]]:
    return [
        ["Still owed", format_money(statement.owed_value)],
        ["Delivered", format_money(statement.shipped_value)],
        ["Invoiced", format_money(statement.invoiced)],
    ]


def _contact(statement: Statement, esc: Escape) -> list[str]:
    who = statement.customer
    lines = [esc(line) for line in who.address.splitlines() if line.strip()]
    if who.email:
        lines.append(f"Email: {esc(who.email)}")
    return lines


def text(statement: Statement, esc: Escape) -> str:
    out = [f"Statement for {esc(statement.customer.name)}", f"Date: {statement.date.isoformat()}"]
    out += [*_contact(statement, esc), "", wrap(summary(statement))]
    for case in statement.cases:
        out += ["", _title(case)]
        if case.reference:
            out.append(f"Your reference: {esc(case.reference)}")
        if case.address:
            out.append("Delivery address: " + ", ".join(esc(a) for a in case.address.splitlines()))
        out.append("Still owed:")
        rows = [OWED_HEADERS, *_owed_rows(case, esc)]
        out += ["  " + line for line in aligned(rows, right=OWED_RIGHT)]
        if case.shipped:
            out.append("Delivered:")
            rows = [SHIPPED_HEADERS, *_shipped_rows(case, esc)]
            out += ["  " + line for line in aligned(rows, right=SHIPPED_RIGHT)]
        out.append(f"Invoiced: {format_money(case.invoiced)}")
    out += ["", "Totals", *("  " + line for line in aligned(_totals(statement), right={1}))]
    return "\n".join(out) + "\n"


def markdown(statement: Statement, esc: Escape) -> str:
    def md(s: str) -> str:
        return md_cell(esc(s))

    out = [
        f"# Statement for {md(statement.customer.name)}",
        "",
        f"Date: {statement.date.isoformat()}  ",
    ]
    contact = [md_line(esc(line)) for line in _contact(statement, lambda s: s)]
    out += [line + "  " for line in contact]
    out[-1] = out[-1].rstrip()
    out += ["", summary(statement)]
    for case in statement.cases:
        out += ["", f"## {_title(case)}", ""]
        if case.reference:
            out.append(f"Your reference: {md(case.reference)}  ")
        if case.address:
            out.append("Delivery address: " + ", ".join(md(a) for a in case.address.splitlines()))
        if case.reference or case.address:
            out[-1] = out[-1].rstrip()
            out.append("")
        out += ["Still owed:", "", *md_table(OWED_HEADERS, _owed_rows(case, md), right=OWED_RIGHT)]
        if case.shipped:
            out += ["", "Delivered:", ""]
            out += md_table(SHIPPED_HEADERS, _shipped_rows(case, md), right=SHIPPED_RIGHT)
        out += ["", f"Invoiced: {format_money(case.invoiced)}"]
    out += ["", "## Totals", "", *md_table(["", "Amount"], _totals(statement), right={1})]
    return "\n".join(out) + "\n"


def _html_table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    def td(i: int, c: str) -> str:
        return f'<td style="text-align:right">{c}</td>' if i in right else f"<td>{c}</td>"

    return [
        "<table>",
        "<tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>",
        *("<tr>" + "".join(td(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows),
        "</table>",
    ]


def html_document(statement: Statement, esc: Escape) -> str:
    def h(s: str) -> str:
        return html.escape(esc(s), quote=True)

    title = f"Statement for {h(statement.customer.name)}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{title}</title></head>',
        "<body>",
        f"<h1>{title}</h1>",
        "<p>"
        + "<br>\n".join([f"Date: {statement.date.isoformat()}", *_contact(statement, h)])
        + "</p>",
        f"<p>{html.escape(summary(statement))}</p>",
    ]
    for case in statement.cases:
        out.append(f"<h2>{html.escape(_title(case))}</h2>")
        facts = []
        if case.reference:
            facts.append(f"Your reference: {h(case.reference)}")
        if case.address:
            facts.append(
                "Delivery address: " + "<br>\n".join(h(a) for a in case.address.splitlines())
            )
        if facts:
            out.append("<p>" + "<br>\n".join(facts) + "</p>")
        out += ["<h3>Still owed</h3>", *_html_table(OWED_HEADERS, _owed_rows(case, h), OWED_RIGHT)]
        if case.shipped:
            out += ["<h3>Delivered</h3>"]
            out += _html_table(SHIPPED_HEADERS, _shipped_rows(case, h), SHIPPED_RIGHT)
        out.append(f"<p>Invoiced: {format_money(case.invoiced)}</p>")
    out += ["<h2>Totals</h2>", *_html_table(["", "Amount"], _totals(statement), {1})]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# Each format's renderer, by the name `--format` gives it.
FORMATS = {"text": text, "markdown": markdown, "html": html_document}
