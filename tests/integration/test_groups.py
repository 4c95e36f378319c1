"""Bulk writes in groups (services/groups.py): a group commits every GROUP_ORDERS orders
or GROUP_SECONDS, whichever first; each outcome is given out only once its group is
committed; a refused order rolls back alone (its savepoint); any other error rolls back
the whole group in flight and none of it is given out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from backorder_cli.errors import BackorderError, NotAllowed, TransactionConflict
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import fulfilment, groups, integrity
from backorder_cli.services.steps import _record_about
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import init_database
from tests.conftest import Templates, is_url, postgres_run


def noted(db: Database) -> list[str]:
    """The subjects of the history entries `note` wrote, in order."""
    with db.read() as session:
        rows = session.connection().execute(
            text("SELECT subject FROM history WHERE event = 'noted' ORDER BY id")
        )
        return [subject for (subject,) in rows]


def note(session: Session, item: str) -> str:
    """Work that writes, then refuses the items named 'refused...' (after writing)."""
    _record_about(session.connection(), item, "noted", "a test entry")
    if item.startswith("refused"):
        raise NotAllowed(f"{item} is refused", code="test")
    if item == "broken":
        raise RuntimeError("not a refusal")
    return item


def refusal(item: str, exc: BackorderError) -> str:
    return f"{item}: {exc.message}"


def test_a_refused_order_rolls_back_alone_and_its_group_commits_once(db: Database) -> None:
    commits = db.commits
    outcomes = list(groups.one_by_one(db, ["a", "refused b", "c"], note, refusal))
    assert outcomes == ["a", "refused b: refused b is refused", "c"]
    assert noted(db) == ["a", "c"]  # b's entry went with its savepoint
    assert db.commits == commits + 1  # one group, one commit


def test_each_outcome_is_given_out_only_after_its_group_commits(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    commits = db.commits
    run = groups.one_by_one(db, ["a", "b", "c"], note, refusal)
    seen = []
    for outcome in run:
        seen.append((outcome, db.commits - commits, noted(db)))
    assert seen == [
        ("a", 1, ["a", "b"]),  # a is given out once a and b are committed
        ("b", 1, ["a", "b"]),
        ("c", 2, ["a", "b", "c"]),
    ]


def test_another_error_rolls_back_the_group_in_flight_and_gives_none_of_it_out(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    run = groups.one_by_one(db, ["a", "b", "c", "broken", "e"], note, refusal)
    given = [next(run), next(run)]
    with pytest.raises(RuntimeError):
        next(run)
    assert given == ["a", "b"]
    assert noted(db) == ["a", "b"]  # c was written in the broken group: rolled back
    assert run.unreported() == []


def test_a_group_ends_after_its_time_even_before_its_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticks = count()
    monkeypatch.setattr(groups.time, "monotonic", lambda: next(ticks) * 0.03)  # 30 ms a step
    items: Iterator[int] = iter(range(10))
    assert list(groups.group_of(items)) == [0, 1, 2, 3]  # 120 ms after the start: no more
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    assert list(groups.group_of(items)) == [4, 5]  # the size comes first here


def test_unreported_hands_over_what_is_committed_and_not_given_out(sample_db: Database) -> None:
    run = backorders_service.create_backorders(sample_db, [2401, 2399, 9999])
    first = next(run)
    rest = run.unreported()
    assert (first.order, first.backorder) == (2401, 2402)
    assert [(o.order, o.ok, o.backorder, o.code) for o in rest] == [
        (2399, True, 2403, None),
        (9999, False, None, "not_found"),
    ]
    assert list(run) == []  # handed over: not given out twice


def test_a_bulk_backorder_of_a_few_groups_matches_one_order_at_a_time(
    sample_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups of two against orders one by one: the same numbers, refusals and codes."""
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    numbers = [2401, 2398, 2396, 2399, 2401, 9999]
    outcomes = list(backorders_service.create_backorders(sample_db, numbers, invoice_first=True))
    assert [(o.order, o.ok, o.backorder, o.code) for o in outcomes] == [
        (2401, True, 2402, None),
        (2398, True, 2403, None),
        (2396, False, None, "not_partially_shipped"),
        (2399, True, 2404, None),
        (2401, False, None, "already_backordered"),
        (9999, False, None, "not_found"),
    ]
    assert list(integrity.check_database(sample_db)) == []


def written(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row a backorder writes or changes, timestamps aside, and the history without
    its ids (a group writes its invoices' entries before its backorders' entries)."""
    tables = ("orders", "order_lines", "history", "invoices", "invoice_lines", "counter")
    found = {}
    with db.read() as session:
        for table in tables:
            result = session.connection().execute(text(f"SELECT * FROM {table}"))
            keep = [
                i
                for i, name in enumerate(result.keys())
                if name not in ("at", "created_at", "updated_at")
                and (table, name) != ("history", "id")
            ]
            found[table] = sorted((tuple(row[i] for i in keep) for row in result), key=repr)
    return found


def test_a_bulk_backorder_writes_the_rows_one_order_at_a_time_writes(
    sample_db: Database,
    target: str,
    templates: Templates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The set-based writes of a group (multi-row inserts on SQLite) against
    `create_backorder` order by order on a second copy: the same rows, ids included."""
    other = postgres_run().new_target() if is_url(target) else str(tmp_path / "single.db")
    templates.fill(other, sample=True)
    single, _created = init_database(other)
    try:
        numbers = [2401, 2398, 2396, 2399]
        for number in numbers:
            with suppress(BackorderError):  # refused there as in the bulk run
                backorders_service.create_backorder(single, number, invoice_first=True)
        monkeypatch.setattr(groups, "GROUP_ORDERS", 3)
        outcomes = backorders_service.create_backorders(sample_db, numbers, invoice_first=True)
        assert [o.ok for o in outcomes] == [True, True, False, True]
        assert written(sample_db) == written(single)
    finally:
        single.dispose()


def test_bulk_invoice_commits_in_groups(
    sample_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    commits = sample_db.commits
    outcomes = list(fulfilment.invoice_orders(sample_db, [2398, 2394, 2393]))
    assert [(o.order, o.ok) for o in outcomes] == [(2398, True), (2394, False), (2393, True)]
    assert sample_db.commits == commits + 2
    assert list(integrity.check_database(sample_db)) == []


def test_an_order_named_twice_in_one_group_is_backordered_once(sample_db: Database) -> None:
    outcomes = list(backorders_service.create_backorders(sample_db, [2401, 2399, 2401]))
    assert [(o.order, o.ok, o.backorder, o.code) for o in outcomes] == [
        (2401, True, 2402, None),
        (2399, True, 2403, None),
        (2401, False, None, "already_backordered"),
    ]
    assert list(integrity.check_database(sample_db)) == []


def test_ready_ship_gives_each_outcome_out_only_after_its_group_commits(
    sample_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    commits = sample_db.commits
    run = fulfilment.ship_ready(sample_db, fulfilment.ready_orders(sample_db))
    seen = [(o.order, o.ok, sample_db.commits - commits, shipped(sample_db)) for o in run]
    assert seen == [
        (2396, True, 1, {2396, 2397}),  # given out once #2396 and #2397 are committed
        (2397, True, 1, {2396, 2397}),
        (2398, True, 2, {2396, 2397, 2398}),
    ]
    assert list(integrity.check_database(sample_db)) == []


def shipped(db: Database) -> set[int]:
    """The orders `ready --ship` has shipped (their history says so)."""
    with db.read() as session:
        rows = session.connection().execute(
            text(
                "SELECT o.number FROM history h JOIN orders o ON o.id = h.order_id "
                "WHERE h.event = 'shipped' AND h.detail LIKE '%(ready%'"
            )
        )
        return {number for (number,) in rows}


class _Deadlock(Exception):
    """What psycopg raises when the server breaks a deadlock: SQLSTATE 40P01."""

    sqlstate = "40P01"


def deadlock() -> OperationalError:
    return OperationalError("UPDATE product ...", {}, _Deadlock("deadlock detected"))


def test_a_group_the_server_rolls_back_for_a_deadlock_runs_again_whole(db: Database) -> None:
    """A group holds its orders' and products' locks until it commits, so on a server
    another user's transaction can deadlock with it and the server rolls it back whole:
    the same items run again, nothing is written twice and nothing was given out."""
    seen: list[str] = []

    def work(session: Session, item: str) -> str:
        seen.append(item)
        if seen.count("b") == 1 and item == "b":
            note(session, item)
            raise deadlock()  # inside b's savepoint, after a's work in the same group
        return note(session, item)

    commits, rollbacks = db.commits, db.rollbacks
    outcomes = list(groups.one_by_one(db, ["a", "b", "c"], work, refusal))
    assert outcomes == ["a", "b", "c"]
    assert seen == ["a", "b", "a", "b", "c"]
    assert noted(db) == ["a", "b", "c"]  # the first run's a and b went with the group
    assert (db.commits, db.rollbacks) == (commits + 1, rollbacks + 1)
    assert list(integrity.check_database(db)) == []


def test_a_group_that_keeps_meeting_deadlocks_ends_the_run_with_nothing_of_it_written(
    db: Database,
) -> None:
    runs: list[str] = []

    def work(session: Session, item: str) -> str:
        runs.append(item)
        note(session, item)
        raise deadlock()

    outcomes = groups.one_by_one(db, ["a", "b"], work, refusal)
    with pytest.raises(TransactionConflict) as raised:
        next(outcomes)
    assert raised.value.code == "busy"
    assert runs == ["a"] * groups.CONFLICT_ATTEMPTS
    assert noted(db) == []
    assert outcomes.unreported() == []


def test_a_group_with_a_lock_step_locks_the_whole_group_before_any_of_its_work(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lock` (what `ready --ship` gives on a server, so that a group takes its rows in
    the one order every writer takes them and cannot deadlock with a single order's
    transaction) sees each whole group before the group's first item is worked on."""
    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    calls: list[object] = []

    def work(session: Session, item: str) -> str:
        calls.append(item)
        return note(session, item)

    def lock(session: Session, group: list[str]) -> None:
        calls.append(("lock", list(group)))

    outcomes = list(groups.one_by_one(db, ["a", "b", "c"], work, refusal, lock=lock))
    assert outcomes == ["a", "b", "c"]
    assert calls == [("lock", ["a", "b"]), "a", "b", ("lock", ["c"]), "c"]
