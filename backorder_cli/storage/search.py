"""The trigram index behind `orders list --search` and `--customer` (schema 10).

The index is only a way in: a search still keeps exactly the orders whose casefolded
text contains the casefolded search text (`services.orders`), so it finds what a scan
of every order finds, on both backends.

SQLite: the FTS5 table `order_text` (`tokenize='trigram case_sensitive 1'`,
`detail=none`) holds each order's customer and comment casefolded, its rowid the
order's id; triggers on `orders` keep it in step (they call `casefold()`, which every
connection of ours registers: another program writing a customer or a comment must
register it too, see bench/generate.py). A MATCH of a few of the text's trigrams finds
a superset of the matching orders.
PostgreSQL: GIN indexes (`pg_trgm`) on the casefold expression itself, which the
planner uses for the same LIKE the scan evaluates; nothing to keep in step.
Fewer than 3 characters (after casefolding) have no trigram: such a search scans.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from .casefold import casefold

SEARCH_TABLE = "order_text"
# FTS5 keeps a virtual table's rows in these: part of the index, not of the models.
SEARCH_TABLES = frozenset(
    [SEARCH_TABLE]
    + [f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")]
)
SEARCHED = ("customer", "comment")
# PostgreSQL: GIN indexes on an expression, which the models cannot declare.
SEARCH_INDEXES = frozenset(f"ix_orders_{name}_trigram" for name in SEARCHED)
TRIGRAM = 3  # characters: a shorter search text has no trigram and scans

_FILL = (
    f"INSERT INTO {SEARCH_TABLE} (rowid, customer, comment) "
    "SELECT id, casefold(customer), casefold(comment) FROM orders"
)
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {SEARCH_TABLE}_insert AFTER INSERT ON orders BEGIN "
    f"INSERT INTO {SEARCH_TABLE} (rowid, customer, comment) "
    "VALUES (new.id, casefold(new.customer), casefold(new.comment)); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_update AFTER UPDATE OF id, customer, comment ON orders "
    f"BEGIN DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id; "
    f"INSERT INTO {SEARCH_TABLE} (rowid, customer, comment) "
    "VALUES (new.id, casefold(new.customer), casefold(new.comment)); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON orders BEGIN "
    f"DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id; END",
)
TRIGGER_NAMES = tuple(f"{SEARCH_TABLE}_{what}" for what in ("insert", "update", "delete"))


def create_sqlite_index(run: Any, *, fill: bool = True) -> None:
    """The FTS5 table, filled from the orders (unless `fill` is off: a loader that
    fills it after its own load), and the triggers. `run` executes one statement."""
    run(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(customer, comment, "
        "tokenize='trigram case_sensitive 1', detail=none)"
    )
    if fill:
        run(_FILL)
    for trigger in SQLITE_TRIGGERS:
        run(trigger)


def drop_sqlite_triggers(run: Any) -> None:
    """For a bulk load (bench/generate.py): the load then calls `fill_sqlite_index`."""
    for name in TRIGGER_NAMES:
        run(f"DROP TRIGGER IF EXISTS {name}")


def fill_sqlite_index(run: Any) -> None:
    """Rebuild the FTS5 table from the orders and put the triggers back."""
    run(f"DELETE FROM {SEARCH_TABLE}")
    run(_FILL)
    drop_sqlite_triggers(run)
    for trigger in SQLITE_TRIGGERS:
        run(trigger)


def postgresql_index_sql(name: str, opclass: str) -> str:
    """The GIN trigram index on `casefold(name)`: the same expression a search compiles
    to, so the planner matches it."""
    from sqlalchemy.dialects import postgresql

    expression = casefold(column(name)).compile(
        dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
        compile_kwargs={"literal_binds": True},
    )
    return f"CREATE INDEX ix_orders_{name}_trigram ON orders USING gin (({expression}) {opclass})"


def trigram_query(folded: str, *, most: int = 3) -> str:
    """An FTS5 query for rows holding a few of `folded`'s trigrams: a superset of the
    rows containing it (the exact rule then decides). Not every trigram: each is a list
    of the rows that hold it, and the common ones (`cus` of every 'Customer') are long;
    those with a digit, punctuation or a letter outside a-z come first, then the
    others, spread over the text."""
    trigrams = list(dict.fromkeys(folded[i : i + TRIGRAM] for i in range(len(folded) - 2)))

    def common(trigram: str) -> int:
        return sum(ch == " " or "a" <= ch <= "z" for ch in trigram)

    spread = trigrams[::TRIGRAM] + [t for t in trigrams if t not in trigrams[::TRIGRAM]]
    chosen = sorted(spread, key=common)[:most]  # stable: the spread order breaks ties
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in chosen)


def indexed(folded: str) -> bool:
    """Whether a casefolded search text can walk the trigram index."""
    return len(folded) >= TRIGRAM and "\x00" not in folded


class TextCandidates(ColumnElement[bool]):
    """`orders.id IN (the orders whose casefolded column(s) may contain the text)`, or
    whose number is `number`; the index's superset, on SQLite. On PostgreSQL always
    true: its trigram indexes serve the exact condition directly."""

    inherit_cache = False

    def __init__(self, columns: tuple[str, ...], folded: str, number: int | None) -> None:
        self.columns = columns
        self.folded = folded
        self.number = number


@compiles(TextCandidates)
def _candidates_sqlite(element: TextCandidates, compiler: Any, **kw: Any) -> str:
    from sqlalchemy import String, bindparam

    # detail=none keeps no columns per trigram: both columns' rows, the exact rule then
    # keeps those of the searched columns.
    query = bindparam(None, trigram_query(element.folded), type_=String)
    parts = [
        f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH "
        + compiler.process(query, **kw)
    ]
    if element.number is not None:
        number = compiler.process(bindparam(None, element.number), **kw)
        parts.append(f"SELECT id FROM orders WHERE number = {number}")
    return f"orders.id IN ({' UNION '.join(parts)})"


@compiles(TextCandidates, "postgresql")
def _candidates_postgresql(element: TextCandidates, compiler: Any, **kw: Any) -> str:
    return "true"
