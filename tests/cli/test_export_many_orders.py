"""Export is the backup path: thousands of orders (several of the export's batches of
500) come out whole in both formats, on both backends, and import back into an empty
database as the same orders and the same products."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from tests.conftest import is_url, postgres_run

Run = Callable[..., Result]
ORDERS = 2100


def company(orders: int, *, seed: int = 11) -> dict:
    """An import document with every kind of order: drafts, booked, partially shipped,
    shipped, invoiced (with numbered invoices), and split orders (the origin canceled
    and archived, its backorder holding exactly what it canceled)."""
    rng = random.Random(seed)
    products = [
        {"sku": f"P{i:02d}", "name": f"Product {i}", "price": f"{rng.randint(1, 9999)}.25"}
        for i in range(30)
    ]
    docs: list[dict] = []
    invoice = 70001
    number = 50001
    while len(docs) < orders:
        skus = rng.sample(range(30), rng.randint(1, 3))
        # Few invoices: an import writes each on its own (a handful of statements, the
        # rule of invoice amounts kept in one place), most of its time on a server.
        kind = rng.choices(
            ["draft", "booked", "partial", "shipped", "invoiced", "split"], [10, 30, 30, 20, 1, 1]
        )[0]
        lines = []
        for i in skus:
            quantity = rng.randint(2, 40)
            shipped = {"draft": 0, "booked": 0, "shipped": quantity, "invoiced": quantity}.get(
                kind, rng.randint(1, quantity - 1)
            )
            lines.append({"sku": f"P{i:02d}", "quantity": quantity, "shipped": shipped})
        order: dict = {
            "number": number,
            "customer": f'Customer Ø{number % 41}, "quoted"\nnext line',
            "comment": rng.choice(["", "rush", "call first; gate 3"]),
            "created_at": f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T08:30:00Z",
            "lines": lines,
        }
        if kind == "draft":
            order["status"] = "draft"
        if kind in ("invoiced", "split"):
            order["invoices"] = [
                {
                    "number": invoice,
                    "lines": [{"sku": ln["sku"], "quantity": ln["shipped"]} for ln in lines],
                }
            ]
            invoice += 1
        if kind == "split":
            for ln in lines:
                ln["canceled"] = ln["quantity"] - ln["shipped"]
            order.update(status="canceled", archived=True)
            docs.append(order)
            number += 1
            order = {
                "number": number,
                "customer": order["customer"],
                "comment": f"Backorder from order #{number - 1}",
                "backorder_of": number - 1,
                "lines": [{"sku": ln["sku"], "quantity": ln["canceled"]} for ln in lines],
            }
        docs.append(order)
        number += 1
    return {"products": products, "orders": docs}


def another_database(target: str, tmp_path: Path, name: str) -> str:
    """A new, empty database on the same backend as `target`."""
    return postgres_run().new_target() if is_url(target) else str(tmp_path / f"{name}.db")


def state(cli: Run, db: str) -> tuple[str, str]:
    listing = cli("orders", "list", "--all", "-f", "json", db=db)
    products = cli("products", "list", "-f", "json", db=db)
    assert listing.exit_code == 0 and products.exit_code == 0
    return listing.stdout, products.stdout


def test_thousands_of_orders_export_whole_and_import_back_the_same_in_both_formats(
    cli: Run, target: str, tmp_path: Path
) -> None:
    source = tmp_path / "source.json"
    document = company(ORDERS)
    source.write_text(json.dumps(document))
    assert cli("init").exit_code == 0
    seeded = cli("import", str(source))
    assert seeded.exit_code == 0, seeded.output
    original = state(cli, target)
    assert len(json.loads(original[0])) == len(document["orders"]) >= ORDERS

    exported = cli("orders", "export", "--all")
    assert exported.exit_code == 0, exported.stderr
    assert exported.stderr == "Exported all orders.\n"
    dump = tmp_path / "dump.json"
    dump.write_text(exported.stdout)
    assert len(json.loads(exported.stdout)["orders"]) == len(document["orders"])
    copy = another_database(target, tmp_path, "copy")
    assert cli("init", db=copy).exit_code == 0
    imported = cli("import", str(dump), db=copy)
    assert imported.exit_code == 0, imported.output
    assert state(cli, copy) == original
    assert cli("check", db=copy).exit_code == 0

    exported = cli("orders", "export", "--all", "-f", "csv")
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len({row["order"] for row in rows}) == len(document["orders"])
    dump = tmp_path / "dump.csv"
    dump.write_text(exported.stdout, newline="")
    products = tmp_path / "products.json"
    products.write_text(
        json.dumps({"products": json.loads(dump.with_suffix(".json").read_text())["products"]})
    )
    copy = another_database(target, tmp_path, "copy-csv")
    assert cli("init", db=copy).exit_code == 0
    assert cli("import", str(products), db=copy).exit_code == 0
    imported = cli("import", str(dump), db=copy)
    assert imported.exit_code == 0, imported.output
    assert state(cli, copy) == original
    assert cli("check", db=copy).exit_code == 0
