"""Build a realistic backorder database quickly, for the benchmarks.

    python bench/generate.py --orders 1000000 --db /tmp/bench.db

The schema comes from `backorder init` itself; the rows are written with the standard
library's sqlite3 in one transaction (no durability needed while building), already
consistent: `backorder check` is clean on the result. The search index (schema 10) is
filled once after the load, its triggers off meanwhile, and every other index is built
after the load too. The mix: 500 products, 5,000
customers, 1-10 lines per order; drafts, booked, partially shipped (their shipments
invoiced, so they can be backordered), shipped, invoiced and canceled orders; the older
half of the finished orders archived; one order in ten backordered earlier, some twice
(chains), the original canceled and archived.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backorder_cli.domain.money import scaled_line_amount, scaled_share
from backorder_cli.storage.database import _casefold_text
from backorder_cli.storage.schema import init_database
from backorder_cli.storage.search import drop_sqlite_triggers, fill_sqlite_index

PRODUCTS = 500
CUSTOMERS = 5000
FIRST = 100001
START = datetime(2022, 1, 1, tzinfo=UTC)


# The money rule, written once in the domain, on the scaled integers written here.
cents = scaled_line_amount
share = scaled_share


def build(path: Path, orders: int, seed: int = 2401) -> None:
    if path.exists():
        sys.exit(f"{path} exists - give a new file")
    database, _ = init_database(str(path))
    database.dispose()
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("casefold", 1, _casefold_text, deterministic=True)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN")
    # The search index is built once after the load, not by a trigger per order, and
    # so is every other index: each is sorted once after the load instead of being
    # written row by row in random order (the unique constraints' indexes stay).
    drop_sqlite_triggers(conn.execute)
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    prices = [rng.randint(50, 50000) * 100 for _ in range(PRODUCTS)]  # 0.50 .. 500.00
    conn.executemany(
        "INSERT INTO product (id, sku, name, unit, price, stock) VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                i + 1,
                f"SKU-{i:04d}",
                f"Product {i}",
                "pcs" if i % 7 else "m",
                prices[i],
                rng.randint(0, 5000) * 1000,
            )
            for i in range(PRODUCTS)
        ),
    )
    customers = [f"Customer {i:04d} ApS" for i in range(CUSTOMERS)]
    customer_ids = {name: i + 1 for i, name in enumerate(customers)}
    conn.executemany(
        "INSERT INTO customers (id, name, name_key) VALUES (?, ?, ?)",
        ((customer_ids[name], name, name.casefold()) for name in customers),
    )

    order_rows: list[tuple] = []
    line_rows: list[tuple] = []
    invoice_rows: list[tuple] = []
    invoice_line_rows: list[tuple] = []
    history_rows: list[tuple] = []
    ids = {"order": 0, "line": 0, "invoice": 0, "invoice_line": 0, "history": 0}
    number = FIRST - 1
    invoice_number = 0
    step = timedelta(seconds=max(1, int(4 * 365 * 86400 / max(orders, 1))))

    def flush() -> None:
        conn.executemany(
            "INSERT INTO orders (id, number, customer, comment, status, archived, backorder_of, "
            "total, created_at, updated_at, customer_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            order_rows,
        )
        conn.executemany(
            "INSERT INTO order_lines (id, order_id, position, sku, name, unit, quantity, "
            "shipped, invoiced, canceled, unit_price, amount, backordered, backordered_amount, "
            "canceled_with_order, canceled_amount) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            line_rows,
        )
        conn.executemany(
            "INSERT INTO invoices (id, number, order_id, total, created_at) VALUES (?,?,?,?,?)",
            invoice_rows,
        )
        conn.executemany("INSERT INTO invoice_lines VALUES (?,?,?,?,?)", invoice_line_rows)
        conn.executemany(
            "INSERT INTO history (id, order_id, at, user, event, detail) VALUES (?,?,?,?,?,?)",
            history_rows,
        )
        for rows in (order_rows, line_rows, invoice_rows, invoice_line_rows, history_rows):
            rows.clear()

    def add_order(
        kind: str,
        lines: list[tuple[int, int]],
        customer: str,
        backorder_of,
        at: datetime,
        archived: bool,
        values: list[int] | None = None,
    ) -> tuple[int, list[tuple[int, int, int]]]:
        """Write one order of `kind` with (product, quantity) lines (a backorder's worth
        `values`, what its origin moved); returns its number and what it moved to a
        backorder (product, quantity, amount)."""
        nonlocal number, invoice_number
        number += 1
        ids["order"] += 1
        order_id = ids["order"]
        total = 0
        billed = []
        canceled_out = []
        for position, (product, qty) in enumerate(lines, start=1):
            price = prices[product]
            shipped = invoiced = canceled = 0
            value = values[position - 1] if values else cents(qty, price)
            if kind in ("shipped", "invoiced"):
                shipped = qty
                invoiced = qty if kind == "invoiced" or position > 1 else 0
            elif kind == "partially_shipped":
                shipped = rng.randint(1, qty - 1) * 1 if position == 1 else rng.choice((0, qty))
                invoiced = shipped
            elif kind == "canceled":
                canceled = qty
            elif kind == "backordered":
                shipped = qty // 2 if position == 1 else rng.choice((0, qty))
                invoiced = shipped
                canceled = qty - shipped
            # The money as the tool keeps it: invoiced before the split, so the invoice
            # bills the share of the line's amount and the backorder takes the rest.
            amount = 0 if kind == "canceled" else share(value, qty - canceled, qty)
            backordered = canceled if kind == "backordered" else 0
            moved_amount = value - amount if backordered else 0
            if backordered:
                canceled_out.append((product, canceled, moved_amount))
            ids["line"] += 1
            line_rows.append(
                (
                    ids["line"],
                    order_id,
                    position,
                    f"SKU-{product:04d}",
                    f"Product {product}",
                    "pcs" if product % 7 else "m",
                    qty,
                    shipped,
                    invoiced,
                    canceled,
                    price,
                    amount,
                    backordered,
                    moved_amount,
                    # A canceled order's units are canceled with it (`orders cancel`),
                    # and its value left with them.
                    canceled if kind == "canceled" else 0,
                    value if kind == "canceled" else 0,
                )
            )
            total += amount
            if invoiced:
                billed.append((ids["line"], invoiced, share(value, invoiced, qty)))
        status = {"backordered": "canceled"}.get(kind, kind)
        stamp = at.replace(tzinfo=None)
        order_rows.append(
            (
                order_id,
                number,
                customer,
                "" if backorder_of is None else f"Backorder from order #{backorder_of}",
                status,
                archived,
                backorder_of,
                total,
                stamp,
                stamp,
                customer_ids[customer],
            )
        )
        ids["history"] += 1
        history_rows.append((ids["history"], order_id, stamp, "bench", "imported", "generated"))
        if billed:
            invoice_number += 1
            ids["invoice"] += 1
            invoice_rows.append(
                (ids["invoice"], invoice_number, order_id, sum(a for _, _, a in billed), stamp)
            )
            for line_id, qty, amount in billed:
                ids["invoice_line"] += 1
                invoice_line_rows.append(
                    (ids["invoice_line"], ids["invoice"], line_id, qty, amount)
                )
        return number, canceled_out

    kinds = (
        ["draft"] * 3
        + ["booked"] * 15
        + ["partially_shipped"] * 12
        + ["shipped"] * 10
        + ["invoiced"] * 45
        + ["canceled"] * 5
        + ["backordered"] * 10
    )
    made = 0
    at = START
    while made < orders:
        kind = rng.choice(kinds)
        customer = customers[rng.randrange(CUSTOMERS)]
        products = rng.sample(range(PRODUCTS), rng.randint(1, 10))
        lines = [
            (p, rng.randint(2, 40) * 1000 if p % 7 else rng.randint(5, 500) * 500) for p in products
        ]
        old = made < orders * 0.5
        if kind == "backordered" and made + 2 <= orders:
            origin, moved = add_order("backordered", lines, customer, None, at, True)
            made += 1
            while moved and made < orders:  # the backorder, sometimes backordered again
                again = rng.random() < 0.25 and all(q > 1000 for _, q, _a in moved)
                follow = (
                    "backordered"
                    if again
                    else rng.choice(["booked", "partially_shipped", "invoiced"])
                )
                if follow == "partially_shipped" and any(q < 2000 for _, q, _a in moved):
                    follow = "booked"
                origin, moved_next = add_order(
                    follow,
                    [(p, q) for p, q, _a in moved],
                    customer,
                    origin,
                    at,
                    again,
                    values=[a for _p, _q, a in moved],
                )
                made += 1
                moved = moved_next if again else []
        else:
            if kind == "backordered" or (
                kind == "partially_shipped" and any(q < 2000 for _, q in lines)
            ):
                kind = "booked"
            archived = old and kind in ("invoiced", "canceled")
            add_order(kind, lines, customer, None, at, archived)
            made += 1
        at += step
        if len(line_rows) > 200000:
            flush()
    flush()
    conn.execute("UPDATE counter SET value = ? WHERE name = 'order'", (number,))
    conn.execute("UPDATE counter SET value = ? WHERE name = 'invoice'", (invoice_number,))
    purchases = add_purchases(conn, rng, max(1, orders // 1000))
    conn.execute("UPDATE counter SET value = ? WHERE name = 'purchase'", (purchases,))
    for _name, sql in indexes:
        conn.execute(sql)
    fill_sqlite_index(conn.execute)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def add_purchases(conn: sqlite3.Connection, rng: random.Random, count: int) -> int:
    """Incoming supply: `count` open purchases of 1-5 SKUs each, expected over the next
    90 days, a third of them received in part. Returns the last purchase number."""
    today = datetime.now(UTC).date()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    line_id = 0
    for number in range(1, count + 1):
        expected = today + timedelta(days=rng.randint(1, 90))
        conn.execute(
            "INSERT INTO purchases (id, number, supplier, expected, comment, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, '', 'open', ?, ?)",
            (number, number, f"Supplier {number % 40:02d}", expected.isoformat(), now, now),
        )
        for position, product in enumerate(rng.sample(range(PRODUCTS), rng.randint(1, 5)), 1):
            line_id += 1
            quantity = rng.randint(10, 500) * 1000
            received = quantity // 2 if number % 3 == 0 else 0
            conn.execute(
                "INSERT INTO purchase_lines (id, purchase_id, position, sku, quantity, received, "
                "canceled, unit_cost) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                (line_id, number, position, f"SKU-{product:04d}", quantity, received, 10000),
            )
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2401)
    args = parser.parse_args()
    start = time.monotonic()
    build(args.db, args.orders, args.seed)
    print(f"{args.orders} orders in {args.db} ({time.monotonic() - start:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
