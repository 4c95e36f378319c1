"""The practical speed limit: the same bulk backorder as `backorder create - --yes`,
written with the standard library's sqlite3 and plain SQL, with the same durability
(WAL, synchronous=FULL) and the same grouping (one BEGIN IMMEDIATE transaction per group
of 500 orders or 100 ms, each order in its own SAVEPOINT, its line printed only once
its group is committed) and the same writes (new order and lines, canceled quantities
with the money that moves, original canceled and archived, two history entries). Order
numbers are read from stdin like `backorder create -`.

    orders --db X list -s partially-shipped -f ids | python bench/reference.py X
"""

from __future__ import annotations

import getpass
import sqlite3
import sys
import time
from datetime import UTC, datetime

from backorder_cli.domain.money import scaled_share
from backorder_cli.storage.database import _casefold_text

# The money rule, from the domain (the only import of the tool here: what a plain
# sqlite3 program doing the same job would have to compute too).
share = scaled_share
GROUP_ORDERS, GROUP_SECONDS = 500, 0.1  # as backorder_cli/services/groups.py


def main() -> None:
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    # The search index's triggers call casefold() (as bench/generate.py registers it).
    conn.create_function("casefold", 1, _casefold_text, deterministic=True)
    conn.execute("PRAGMA busy_timeout = 15000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    user = getpass.getuser()
    done = refused = 0
    numbers = [int(token) for token in sys.stdin.read().split()]
    at = 0
    while at < len(numbers):
        conn.execute("BEGIN IMMEDIATE")
        started, lines_out = time.monotonic(), []
        try:
            while at < len(numbers) and len(lines_out) < GROUP_ORDERS:
                if lines_out and time.monotonic() - started >= GROUP_SECONDS:
                    break
                number = numbers[at]
                at += 1
                lines_out.append(backorder(conn, number, user))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for line in lines_out:  # only now: the group is committed
            if line is None:
                refused += 1
            else:
                done += 1
                print(line)
    print(f"{done} backorders created, {refused} refused", file=sys.stderr)
    sys.exit(1 if refused else 0)


def backorder(conn: sqlite3.Connection, number: int, user: str) -> str | None:
    """One order in its own savepoint: its line, or None when it is refused (rolled
    back to the savepoint alone)."""
    conn.execute("SAVEPOINT o")
    order = conn.execute(
        "SELECT id, status, archived, customer, customer_id, address, reference, policy, "
        "priority FROM orders WHERE number = ?",
        (number,),
    ).fetchone()
    setting = conn.execute(
        "SELECT value FROM setting WHERE key = 'inventory-value-on-invoicing'"
    ).fetchone()
    lines = conn.execute(
        "SELECT id, sku, name, unit, quantity, shipped, invoiced, canceled, unit_price, "
        "amount FROM order_lines WHERE order_id = ? ORDER BY position",
        (order[0],) if order else (0,),
    ).fetchall()
    if (
        order is None
        or (setting and setting[0] == "on")
        or order[1] != "partially_shipped"
        or order[2]
        or any(ln[5] != ln[6] for ln in lines)
    ):
        conn.execute("ROLLBACK TO o")
        conn.execute("RELEASE o")
        return None
    moves = [(ln, ln[4] - ln[5] - ln[7]) for ln in lines if ln[4] - ln[5] - ln[7] > 0]
    # (kept, moved) cents of each moved line: the tail of its amount leaves.
    kept = {ln[0]: share(ln[9], ln[4] - ln[7] - q, ln[4] - ln[7]) for ln, q in moves}
    money = {ln[0]: (kept[ln[0]], ln[9] - kept[ln[0]]) for ln, _q in moves}
    (new_number,) = conn.execute(
        "UPDATE counter SET value = MAX(value + 1, "
        "(SELECT COALESCE(MAX(number), 0) + 1 FROM orders)) "
        "WHERE name = 'order' RETURNING value"
    ).fetchone()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")
    (new_id,) = conn.execute(
        "INSERT INTO orders (number, customer, comment, status, archived, backorder_of, "
        "total, created_at, updated_at, customer_id, address, reference, policy, priority) "
        "VALUES (?, ?, ?, 'booked', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            new_number,
            order[3],
            f"Backorder from order #{number}",
            number,
            sum(money[ln[0]][1] for ln, _q in moves),
            now,
            now,
            *order[4:9],
        ),
    ).fetchone()
    conn.executemany(
        "INSERT INTO order_lines (order_id, position, sku, name, unit, quantity, shipped, "
        "invoiced, canceled, unit_price, amount, backordered, backordered_amount) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, 0, 0)",
        [
            (new_id, i, ln[1], ln[2], ln[3], q, ln[8], money[ln[0]][1])
            for i, (ln, q) in enumerate(moves, 1)
        ],
    )
    conn.executemany(
        "UPDATE order_lines SET canceled = canceled + ?, backordered = backordered + ?, "
        "amount = ?, backordered_amount = backordered_amount + ? WHERE id = ?",
        [(q, q, *money[ln[0]], ln[0]) for ln, q in moves],
    )
    conn.execute(
        "UPDATE orders SET status = 'canceled', archived = 1, total = ?, updated_at = ? "
        "WHERE id = ?",
        (sum(money[ln[0]][0] if ln[0] in money else ln[9] for ln in lines), now, order[0]),
    )
    moved = ", ".join(f"{q / 1000:g} {ln[1]}" for ln, q in moves)
    conn.executemany(
        "INSERT INTO history (order_id, at, user, event, detail) VALUES (?, ?, ?, ?, ?)",
        [
            (
                order[0],
                now,
                user,
                "backordered",
                f"canceled {moved} and moved them to backorder #{new_number}",
            ),
            (new_id, now, user, "created", f"as backorder of order #{number}: {moved}"),
        ],
    )
    conn.execute("RELEASE o")
    return f"Backorder #{new_number} created from order #{number}"


if __name__ == "__main__":
    main()
