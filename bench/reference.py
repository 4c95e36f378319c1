"""The practical speed limit: the same bulk backorder as `backorder create - --yes`,
written with the standard library's sqlite3 and plain SQL, with the same durability
(WAL, synchronous=FULL, the same checkpoint interval), the same grouping (one BEGIN
IMMEDIATE transaction per group of 500 orders or 100 ms, a line printed only once its
group is committed) and the same set-based writes as `services.splits`: a group's orders
and lines read in two statements, every refusal known before anything is written, then
one statement each for the new orders, their lines, the canceled quantities with the
money that moves, the originals canceled and archived, and the history. Order numbers
are read from stdin like `backorder create -`.

    orders --db X list -s partially-shipped -f ids | python bench/reference.py X
"""

from __future__ import annotations

import getpass
import sqlite3
import sys
import time
from datetime import UTC, datetime

from backorder_cli.domain.money import scaled_share
from backorder_cli.storage.database import WAL_CHECKPOINT_PAGES, _casefold_text

# The money rule, from the domain (the only import of the tool here: what a plain
# sqlite3 program doing the same job would have to compute too).
share = scaled_share
GROUP_ORDERS, GROUP_SECONDS = 500, 0.1  # as backorder_cli/services/groups.py
PARAMETERS = 32_766  # SQLite's limit on one statement's parameters


def main() -> None:
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    # The search index's triggers call casefold() (as bench/generate.py registers it).
    conn.create_function("casefold", 1, _casefold_text, deterministic=True)
    conn.execute("PRAGMA busy_timeout = 15000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    user = getpass.getuser()
    done = refused = 0
    # Each number once, in order, as `backorder create -` takes them.
    numbers = iter(dict.fromkeys(int(token) for token in sys.stdin.read().split()))
    while True:
        started, group = time.monotonic(), []
        for number in numbers:
            group.append(number)
            if len(group) >= GROUP_ORDERS or time.monotonic() - started >= GROUP_SECONDS:
                break
        if not group:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            lines_out = backorder_group(conn, group, user)
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


def quantity_text(milli: int) -> str:
    """Thousandths of a unit as the history writes them: 139.5, 0.05, 12."""
    whole, part = divmod(milli, 1000)
    return f"{whole}.{part:03d}".rstrip("0") if part else str(whole)


def marks(count: int) -> str:
    return ", ".join("?" * count)


def insert_rows(conn: sqlite3.Connection, head: str, row: str, rows: list[tuple]) -> None:
    """`rows` as multi-row INSERTs within the parameter limit."""
    per = max(1, PARAMETERS // max(1, row.count("?")))
    for at in range(0, len(rows), per):
        chunk = rows[at : at + per]
        conn.execute(
            f"{head} VALUES {', '.join([row] * len(chunk))}", [v for r in chunk for v in r]
        )


def backorder_group(conn: sqlite3.Connection, group: list[int], user: str) -> list[str | None]:
    """One group: its line for each order, or None when it is refused (it writes
    nothing: every refusal is known before the writes)."""
    found = {
        row[1]: row
        for row in conn.execute(
            "SELECT id, number, status, archived, customer, customer_id, address, reference, "
            f"policy, priority FROM orders WHERE number IN ({marks(len(group))})",
            group,
        )
    }
    setting = conn.execute(
        "SELECT value FROM setting WHERE key = 'inventory-value-on-invoicing'"
    ).fetchone()
    lines_of: dict[int, list[tuple]] = {}
    ids = [order[0] for order in found.values()]
    for line in conn.execute(
        "SELECT order_id, id, sku, name, unit, quantity, shipped, invoiced, canceled, "
        f"unit_price, amount FROM order_lines WHERE order_id IN ({marks(len(ids))}) "
        "ORDER BY order_id, position",
        ids,
    ):
        lines_of.setdefault(line[0], []).append(line[1:])
    planned, seen = [], set()
    for number in group:
        order = found.get(number)
        lines = lines_of.get(order[0], []) if order else []
        if (
            order is None
            or number in seen
            or (setting and setting[0] == "on")
            or order[2] != "partially_shipped"
            or order[3]
            or any(ln[5] != ln[6] for ln in lines)
        ):
            planned.append(None)
        else:
            planned.append((order, lines))
        seen.add(number)
    count = sum(1 for plan in planned if plan is not None)
    if not count:
        return [None] * len(planned)
    (last,) = conn.execute(
        "UPDATE counter SET value = MAX(value + ?, (SELECT COALESCE(MAX(number), 0) + ? "
        "FROM orders)) WHERE name = 'order' RETURNING value",
        (count, count),
    ).fetchone()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")
    new_orders, cancels, closes, made = [], [], [], []
    new_number = last - count
    for plan in planned:
        if plan is None:
            continue
        order, lines = plan
        new_number += 1
        moves = []  # (line, moved, moved amount)
        total = kept_total = 0
        for ln in lines:
            whole = ln[4] - ln[7]
            moved = whole - ln[5]
            if moved > 0:
                # The line keeps its shipped units' share; the tail of its amount leaves.
                kept = share(ln[9], whole - moved, whole)
                moves.append((ln, moved, ln[9] - kept))
                cancels.append((moved, moved, kept, ln[9] - kept, ln[0]))
                total, kept_total = total + ln[9] - kept, kept_total + kept
            else:
                kept_total += ln[9]
        comment = f"Backorder from order #{order[1]}"
        new_orders.append((new_number, order[4], comment, order[1], total, now, now, *order[5:10]))
        closes.append((kept_total, now, order[0]))
        made.append((order, new_number, moves))
    insert_rows(
        conn,
        "INSERT INTO orders (number, customer, comment, status, archived, backorder_of, "
        "total, created_at, updated_at, customer_id, address, reference, policy, priority)",
        "(?, ?, ?, 'booked', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new_orders,
    )
    numbers = [number for _order, number, _moves in made]
    new_ids = dict(
        conn.execute(
            f"SELECT number, id FROM orders WHERE number IN ({marks(len(numbers))})", numbers
        ).fetchall()
    )
    new_lines, history, out = [], [], {}
    for order, number, moves in made:
        new_id = new_ids[number]
        new_lines += [
            (new_id, i, ln[1], ln[2], ln[3], q, ln[8], leaves)
            for i, (ln, q, leaves) in enumerate(moves, 1)
        ]
        moved = ", ".join(f"{quantity_text(q)} x {ln[1]}" for ln, q, _l in moves)
        history += [
            (
                order[0],
                now,
                user,
                "backordered",
                f"canceled {moved} and moved them to backorder #{number}; "
                "order canceled and archived",
            ),
            (new_id, now, user, "created", f"as backorder of order #{order[1]}: {moved}"),
        ]
        out[order[1]] = f"Backorder #{number} created from order #{order[1]}"
    conn.executemany(
        "INSERT INTO order_lines (order_id, position, sku, name, unit, quantity, shipped, "
        "invoiced, canceled, unit_price, amount, backordered, backordered_amount, closed, "
        "canceled_with_order, canceled_amount) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, 0, 0, 0, 0, 0)",
        new_lines,
    )
    conn.executemany(
        "UPDATE order_lines SET canceled = canceled + ?, backordered = backordered + ?, "
        "amount = ?, backordered_amount = backordered_amount + ? WHERE id = ?",
        cancels,
    )
    conn.executemany(
        "UPDATE orders SET status = 'canceled', archived = 1, total = ?, updated_at = ? "
        "WHERE id = ?",
        closes,
    )
    insert_rows(
        conn,
        "INSERT INTO history (order_id, at, user, event, detail, subject)",
        "(?, ?, ?, ?, ?, '')",
        history,
    )
    return [None if plan is None else out[plan[0][1]] for plan in planned]


if __name__ == "__main__":
    main()
