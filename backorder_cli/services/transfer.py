"""Import and the sample company: a document checked whole, then written in one
transaction.

The import's three steps each have a module: the document is read here
(`transfer.document`, `transfer.csv_format`), what `check` would find broken is found by
`transfer_checks`, and the money settled and the rows written by `transfer_writes`.
Export is `export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import (
    Invoice,
    Order,
    Product,
    Purchase,
)
from ..transfer.csv_format import parse_csv
from ..transfer.document import (
    Places,
    ProductRow,
    load_json,
    parse_document,
    refusal,
)
from .results import ImportResult
from .steps import (
    _BATCH,
    COUNTER,
)
from .transfer_checks import _import_violations
from .transfer_writes import _apply_import, _settle


def _existing_numbers(session: Session, kind: str, numbers: list[int]) -> set[int]:
    table: type[Order] | type[Invoice] | type[Purchase] = (
        Order if kind == "order" else Purchase if kind == "purchase" else Invoice
    )
    found: set[int] = set()
    for start in range(0, len(numbers), _BATCH):
        chunk = numbers[start : start + _BATCH]
        found.update(session.exec(select(table.number).where(col(table.number).in_(chunk))))
    return found


# How an import document is written.
DocumentKind = Literal["json", "csv"]


def import_text(
    db: Database,
    text: str,
    *,
    source: str,
    kind: DocumentKind = "json",
    only_if_empty: bool = False,
) -> ImportResult:
    """Load products, orders and settings from an import document (`kind` 'json' or
    'csv'): all or nothing.

    `only_if_empty` refuses when the database already holds orders (for the sample).
    """
    if kind == "csv":
        data, places, earlier = parse_csv(text, source=source)
    else:
        data, places, earlier = load_json(text, source=source), Places(), []
    with db.write() as session:
        if only_if_empty:
            # The order counter's row lock first: two loads at once (`init --sample` in
            # two processes on a server) take turns, and the second counts the first's
            # orders instead of colliding with them.
            session.connection().execute(
                select(COUNTER.c.value).where(COUNTER.c.name == "order").with_for_update()
            )
            count = session.exec(select(func.count()).select_from(Order)).one()
            if count:
                raise NotAllowed(
                    f"the database already holds {count} order{'s' if count != 1 else ''} - "
                    "load the sample into a new database: `backorder --db sample.db init --sample`",
                    code="not_empty",
                )
        known = {
            p.sku: ProductRow(p.sku, p.name, p.unit, p.price, p.stock)
            for p in session.exec(select(Product))
        }
        plan = parse_document(
            data,
            source=source,
            known_products=known,
            existing=lambda kind, numbers: _existing_numbers(session, kind, numbers),
            places=places,
            earlier=earlier,
        )
        money = _settle(plan)
        broken = _import_violations(session.connection(), plan, money)
        if broken:
            raise refusal(source, broken)
        invoices = _apply_import(session, plan, money, source=source)
        return ImportResult(len(plan.products), len(plan.orders), invoices, plan.settings)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no file {path} - check the path") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder - give an import file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text - save it as UTF-8") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def import_file(db: Database, path: Path) -> ImportResult:
    """Import a .csv file as CSV, anything else as JSON."""
    kind: DocumentKind = "csv" if path.suffix.lower() == ".csv" else "json"
    return import_text(db, _read_text(path), source=path.name, kind=kind)


def import_stream(db: Database, data: bytes, *, source: str = "stdin") -> ImportResult:
    """Import a document read whole from a stream: CSV when it starts with a column
    name (a letter), else JSON (which starts with '{')."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source} is not UTF-8 text - send it as UTF-8") from None
    kind: DocumentKind = "csv" if text.lstrip("\ufeff \t\r\n")[:1].isalpha() else "json"
    return import_text(db, text, source=source, kind=kind)


def sample_path() -> Path:
    """The sample company: inside the installed package, or in the source checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "sample_data", package.parent / "sample_data"):
        if (candidate / "company.json").is_file():
            return candidate / "company.json"
    raise NotFound("the sample data is missing from this installation - reinstall backorder")


def load_sample(db: Database) -> ImportResult:
    """Load the sample company; refused when the database already holds orders."""
    path = sample_path()
    return import_text(db, _read_text(path), source=f"sample_data/{path.name}", only_if_empty=True)
