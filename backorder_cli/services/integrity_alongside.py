"""Passes of `check` run alongside the others: on a second reader of the same state
(`storage.snapshots.second_reader`), one after another in a thread of their own, while
the caller runs the rest on its own connection. SQLite lets go of Python's lock while
it works, so on two cores two passes run at once; what each finds is kept until the
caller tells it, in the order `check` always told it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

Pass = Callable[[Connection], list[Any]]


class Alongside:
    def __init__(self, second: Connection, passes: dict[str, Pass]) -> None:
        self._second = second
        self._results: dict[str, list[Any]] = {}
        self._errors: dict[str, BaseException] = {}
        self._done = {name: threading.Event() for name in passes}
        self._stopping = False

        def run() -> None:
            for name, run_pass in passes.items():
                try:
                    if not self._stopping:
                        self._results[name] = run_pass(second)
                except BaseException as exc:  # handed to the caller by result()
                    self._errors[name] = exc
                finally:
                    self._done[name].set()

        self._thread = threading.Thread(target=run, name="check-alongside", daemon=True)
        self._thread.start()

    def result(self, name: str) -> list[Any]:
        """What the pass `name` found, once it has run."""
        self._done[name].wait()
        if name in self._errors:
            raise self._errors[name]
        return self._results[name]

    def stop(self) -> None:
        """Stop the pass that runs and skip the rest (the caller stopped reading)."""
        self._stopping = True
        if self._thread.is_alive():
            raw = self._second.connection.dbapi_connection
            if raw is not None:
                raw.interrupt()
        self._thread.join()
