"""The Core tables of the read paths (`storage/tables.py`) agree with the table classes
(`storage/models.py`), which stay the schema: every column they have is the model's
column, in the model's order, with the same type (and places), nullability and key."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Table

from backorder_cli.storage import tables
from backorder_cli.storage.models import SQLModel

CORE = [t for t in vars(tables).values() if isinstance(t, Table)]


def describe(column: Column[Any]) -> tuple[object, ...]:
    """What a read relies on: name, type (and places), nullability, key."""
    kind = column.type
    return (
        column.name,
        type(kind),
        getattr(kind, "places", None),
        column.nullable,
        column.primary_key,
    )


def test_every_core_table_is_checked() -> None:
    assert {t.name for t in CORE} == {
        "orders",
        "order_lines",
        "invoices",
        "history",
        "customers",
        "product",
        "purchases",
        "purchase_lines",
    }


@pytest.mark.parametrize("core", CORE, ids=lambda t: t.name)
def test_each_core_column_is_the_models_column(core: Table) -> None:
    model = SQLModel.metadata.tables[core.name]
    ours = [describe(c) for c in core.columns]
    theirs = {c.name: describe(c) for c in model.columns}
    assert [c for c in ours if c[0] not in theirs] == []
    assert ours == [theirs[c[0]] for c in ours]
    in_model_order = [name for name in theirs if name in {c[0] for c in ours}]
    assert [c[0] for c in ours] == in_model_order


def test_a_changed_column_is_caught() -> None:
    """The comparison sees a difference of places (a Quantity where the model has Money)."""
    model = SQLModel.metadata.tables["orders"]
    assert describe(model.c.total) != describe(tables.LINES.c.quantity)
    assert describe(model.c.total)[1:] == describe(tables.LINES.c.amount)[1:]
