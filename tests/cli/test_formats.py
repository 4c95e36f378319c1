"""Output formats: the same fields in table, plain, json, csv and ids; plain when
piped; --format json on every write command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.services import orders
from backorder_cli.storage.schema import open_database

Run = Callable[..., Result]

ORDER_FIELDS = ["number", "status", "archived", "customer", "total", "backorder_of", "eta"]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def test_list_has_the_same_fields_and_values_in_every_format(sample: Run) -> None:
    as_json = json.loads(sample("orders", "list", "--all", "--format", "json").stdout)
    as_csv = list(
        csv.DictReader(io.StringIO(sample("orders", "list", "--all", "-f", "csv").stdout))
    )
    plain = sample("orders", "list", "--all").stdout.splitlines()  # piped: plain
    ids = sample("orders", "list", "--all", "--format", "ids").stdout.split()

    assert list(as_json[0]) == ORDER_FIELDS
    assert list(as_csv[0]) == ORDER_FIELDS
    # Plain (like the table and ids) leaves the ETA out: it never makes the allocation.
    assert plain[0].split("\t") == ORDER_FIELDS[:-1]
    assert len(as_json) == len(as_csv) == len(plain) - 1 == len(ids) == 12
    for j, c, p, i in zip(as_json, as_csv, plain[1:], ids, strict=True):
        as_text = {
            k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in j.items()
        }
        # The same value, money with two decimals in the flat formats (JSON is exact).
        as_text["total"] = f"{j['total']:.2f}"
        assert c == as_text
        without_eta = {k: v for k, v in as_text.items() if k != "eta"}
        assert dict(zip(ORDER_FIELDS[:-1], p.split("\t"), strict=True)) == without_eta
        assert i == str(j["number"])


def test_table_is_forced_with_format_table(sample: Run) -> None:
    table = sample("orders", "list", "--format", "table").stdout
    assert "┃ Status" in table and "#2401" in table


def test_show_in_csv_has_one_row_per_line(sample: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(sample("orders", "show", "2401", "-f", "csv").stdout)))
    assert [r["sku"] for r in rows] == ["SOCKET-2", "BOX-68", "CABLE-15", "SWITCH-1"]
    assert {r["order"] for r in rows} == {"2401"}
    assert rows[2]["remaining"] == "150"
    assert rows[2]["unit_price"] == "1.40"


def test_show_plain_has_fields_then_blocks(sample: Run) -> None:
    text = sample("orders", "show", "2391").stdout
    assert text.startswith("number\t2391\nstatus\tinvoiced\narchived\tfalse\n")
    assert "backorder_of\t2390\n" in text
    assert (
        "\nsku\tname\tunit\tquantity\tshipped\tinvoiced\tcanceled\tremaining\tunit_price"
        "\teta\teta_source\tshort\n" in text
    )
    assert "CABLE-25\tInstallation cable 3G2.5\tm\t40\t40\t40\t0\t0\t1.95\t\t\t\n" in text


def test_ids_is_refused_where_there_is_no_list(sample: Run) -> None:
    result = sample("orders", "show", "2401", "--format", "ids")
    assert result.exit_code == 2
    assert "ids is for lists only" in result.stderr


def test_products_and_settings_in_csv_and_json(sample: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(sample("products", "list", "-f", "csv").stdout)))
    assert rows[0] == {
        "sku": "BOX-68",
        "name": "Junction box 68 mm",
        "unit": "pcs",
        "price": "0.85",
        "stock": "300",
        "claimed": "20",  # #2396 waits for 20
        "available": "280",
        "incoming": "0",
    }
    products = json.loads(sample("products", "list", "-f", "json").stdout)
    assert len(products) == len(rows) == 8
    assert sample("products", "list", "-f", "ids").stdout.split()[0] == "BOX-68"
    assert sample("settings", "show", "-f", "csv").stdout == (
        "setting,value\ninventory-value-on-invoicing,off\nnext-order-number,2402\n"
    )


def test_write_commands_print_one_json_object(sample: Run) -> None:
    added = json.loads(sample("orders", "add", "-c", "A", "BOX-68=2", "-f", "json").stdout)
    assert added == {
        "number": 2402,
        "status": "booked",
        "customer": "A",
        "customer_created": True,
    }
    shipped = json.loads(sample("ship", "2402", "BOX-68=2", "-f", "json").stdout)
    assert shipped == {
        "number": 2402,
        "status": "shipped",
        "shipped": [{"sku": "BOX-68", "quantity": 2}],
        "policy": "manual",
        "action": "none",
        "rest": [],
        "backorder": None,
        "invoice": None,
        "invoice_total": None,
    }
    billed = json.loads(sample("invoice", "2402", "-f", "json").stdout)
    assert (billed["order"], billed["ok"], billed["total"]) == (2402, True, 1.7)
    product = json.loads(
        sample("products", "add", "NEW", "--name", "New", "--price", "2.5", "-f", "json").stdout
    )
    assert product == {"sku": "NEW", "name": "New", "unit": "pcs", "price": 2.5, "stock": 0}
    received = json.loads(sample("products", "receive", "NEW", "1.5", "-f", "json").stdout)
    assert received["stock"] == 1.5
    draft = json.loads(sample("orders", "add", "--draft", "-c", "B", "NEW=1", "-f", "json").stdout)
    assert json.loads(sample("orders", "book", str(draft["number"]), "-f", "json").stdout) == {
        "number": draft["number"],
        "status": "booked",
    }
    assert json.loads(
        sample("settings", "set", "inventory-value-on-invoicing", "on", "-f", "json").stdout
    ) == {"inventory-value-on-invoicing": "on"}


def test_a_large_listing_streams_from_a_generator(sample: Run, target) -> None:  # type: ignore[no-untyped-def]
    """Rows come from the database as they are consumed, not as one list."""
    db = open_database(target)
    rows = orders.iter_orders(db, archived="all")
    assert next(rows).number == 2401  # the first row, before the rest is read
    assert sum(1 for _ in rows) == 11
    db.dispose()
    out = sample("orders", "list", "--all", "-f", "json").stdout
    assert out.startswith('[\n  {\n    "number": 2401,')
    assert out.endswith("}\n]\n")


def test_orders_show_carries_the_delivery_fields_in_every_format(sample: Run) -> None:
    """Address, reference, policy and priority are in CSV and plain as in JSON, and the
    CSV header names no column twice (the order's ETA is `order_eta`)."""
    added = sample(
        "orders", "add", "-c", "Hansen & Søn VVS", "BOX-68=1",
        "--address", "Vestergade 12", "--reference", "PO-7", "--policy", "ship-complete",
    )  # fmt: skip
    number = added.stdout.strip()
    shown = json.loads(sample("orders", "show", number, "-f", "json").stdout)
    as_csv = sample("orders", "show", number, "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    header = as_csv.splitlines()[0].split(",")
    assert len(header) == len(set(header))
    head = sample("orders", "show", number, "-f", "plain").stdout.split("\n\n")[0]
    plain = dict(line.split("\t", 1) for line in head.splitlines())
    for field, value in (
        ("address", "Vestergade 12"),
        ("reference", "PO-7"),
        ("policy", "ship-complete"),
        ("priority", "0"),
    ):
        assert str(shown[field]) == rows[0][field] == plain[field] == value
