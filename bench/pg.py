"""The bulk backorder on PostgreSQL, for bench/run.py's PostgreSQL column.

The same eligible orders as the SQLite run are copied, with their lines and every
product, setting and counter, into a database built by `backorder init` on the server
(`--pg`, default $BACKORDER_TEST_PG or the development machines' server). That database
is the template of a fresh copy before every run (`CREATE DATABASE ... TEMPLATE`), as
the SQLite run starts from a fresh copy of its file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

DEFAULT_SERVER = os.environ.get(
    "BACKORDER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
COPIED = ("product", "setting", "counter", "customers")  # whole; orders and lines are chosen


class BulkOnPostgres:
    def __init__(self, server: str, backorder: str) -> None:
        self.server = make_url(server)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.template = f"backorder_bench_src_{os.getpid()}"
        self.work = f"backorder_bench_work_{os.getpid()}"
        self.backorder = backorder

    def url(self, name: str) -> URL:
        return self.server.set(database=name)

    def _sql(self, *statements: str) -> None:
        with self.admin.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    def load(self, source: Path, numbers: list[int]) -> None:
        """The template: schema by `backorder init`, then the chosen orders copied."""
        self._sql(
            f'DROP DATABASE IF EXISTS "{self.template}"', f'CREATE DATABASE "{self.template}"'
        )
        url = self.url(self.template).render_as_string(hide_password=False)
        subprocess.run([self.backorder, "--db", url, "init"], check=True, capture_output=True)
        engine = create_engine(url, poolclass=NullPool)
        with sqlite3.connect(source) as lite, engine.begin() as pg:
            pg.exec_driver_sql("DELETE FROM counter")
            for table in COPIED:
                self._copy(lite, pg, table, f"SELECT * FROM {table}")
            marks = ",".join(str(int(n)) for n in numbers)
            self._copy(lite, pg, "orders", f"SELECT * FROM orders WHERE number IN ({marks})")
            self._copy(
                lite,
                pg,
                "order_lines",
                "SELECT * FROM order_lines WHERE order_id IN "
                f"(SELECT id FROM orders WHERE number IN ({marks}))",
            )
            for table in ("orders", "order_lines"):
                pg.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        engine.dispose()

    @staticmethod
    def _copy(lite: sqlite3.Connection, pg, table: str, query: str) -> None:  # type: ignore[no-untyped-def]
        cursor = lite.execute(query)
        columns = [d[0] for d in cursor.description]
        types = {
            name: kind
            for name, kind in pg.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = :t AND table_schema = current_schema()"
                ),
                {"t": table},
            )
        }
        booleans = [i for i, c in enumerate(columns) if types.get(c) == "boolean"]
        marks = ", ".join(f":{c}" for c in columns)
        insert = text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})")
        while rows := cursor.fetchmany(5000):
            batch = []
            for row in rows:
                values = list(row)
                for i in booleans:
                    values[i] = bool(values[i])
                batch.append(dict(zip(columns, values, strict=True)))
            pg.execute(insert, batch)

    def fresh(self) -> None:
        self._sql(
            f'DROP DATABASE IF EXISTS "{self.work}" WITH (FORCE)',
            f'CREATE DATABASE "{self.work}" TEMPLATE "{self.template}"',
        )

    def work_url(self) -> str:
        return self.url(self.work).render_as_string(hide_password=False)

    def drop(self) -> None:
        self._sql(
            f'DROP DATABASE IF EXISTS "{self.work}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
        )
        self.admin.dispose()
