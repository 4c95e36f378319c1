"""Schema 10: searches and the log walk indexes instead of every row.

`orders list --search` and `--customer` get a trigram index of each order's customer
and comment, casefolded (`storage/search.py`): on SQLite an FTS5 table kept in step by
triggers, on PostgreSQL GIN indexes of `pg_trgm` (the extension is created, in
`public`, if it is not there; where the server does not allow that, the indexes are
left out and searches scan, finding the same orders). `log --since` gets an index on
`history.at` (and on `stock_adjustments.at`, merged into the log). Nothing existing
changes.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from backorder_cli.storage.search import (
    SEARCH_TABLE,
    SEARCHED,
    TRIGGER_NAMES,
    create_sqlite_index,
    postgresql_index_sql,
)

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_history_at", "history", ["at"])
    op.create_index("ix_stock_adjustments_at", "stock_adjustments", ["at"])
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        create_sqlite_index(op.execute)
    elif conn.dialect.name == "postgresql":
        opclass = _trigram_opclass(conn)
        if opclass is not None:
            for name in SEARCHED:
                op.execute(postgresql_index_sql(name, opclass))
    op.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")


def _trigram_opclass(conn: sa.Connection) -> str | None:
    """`pg_trgm`'s GIN operator class, schema-qualified (the tables' schema may not be on
    the search path of every session), creating the extension when it is missing;
    None when the server refuses (no such extension, no privilege)."""
    find = (
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = conn.exec_driver_sql(find).scalar()
    if schema is None:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except sa.exc.DBAPIError:
            return None
        schema = conn.exec_driver_sql(find).scalar()
    return None if schema is None else f'"{schema}".gin_trgm_ops'


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
    else:
        for name in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_orders_{name}_trigram")
    op.drop_index("ix_stock_adjustments_at", "stock_adjustments")
    op.drop_index("ix_history_at", "history")
    op.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
