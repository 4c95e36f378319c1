"""Alembic environment: migrations run only through backorder (`db.migrate` and `init`), on the
connection and inside the transaction it opened, so an upgrade is all or nothing."""

from alembic import context
from sqlmodel import SQLModel

import backorder_cli.storage.models  # noqa: F401 - the tables join SQLModel.metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - a developer running `alembic` by hand
    raise RuntimeError("run migrations with `backorder migrate`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
