"""Time each SQL statement of `backorder check` (the profile in docs/BENCHMARKS.md).

python bench/profile_check.py /tmp/backorder-bench/bench-1000000.db

On SQLite the pass over the lines, then the dates and the search index, run on a
second connection alongside the others (services/integrity_alongside.py), so their
times overlap theirs and the statements' times add up to more than the wall time
printed first.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from backorder_cli.services import integrity
from backorder_cli.storage.schema import open_database


def main() -> None:
    db = open_database(sys.argv[1])
    times: list[tuple[float, str]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def before(conn: Any, *_args: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(db.engine, "after_cursor_execute")
    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        times.append((time.perf_counter() - conn.info["started"], " ".join(statement.split())))

    start = time.perf_counter()
    found = sum(1 for _ in integrity.check_database(db))
    print(f"{time.perf_counter() - start:.1f} s in all, {found} problems")
    for seconds, statement in sorted(times, reverse=True)[:15]:
        print(f"{seconds:7.3f} {statement[:150]}")


if __name__ == "__main__":
    main()
