"""A worker process of random operations on a shared database.

Usage: python -m tests.helpers.worker DB SEED COUNT

Prints one JSON object: how many operations succeeded, how many were refused by the
rules (an explained BackorderError), the stock it received per SKU, and every
unexplained error (anything else: a crash, 'database is locked', a broken invariant).
"""

import json
import random
import sys
import traceback
from decimal import Decimal

from backorder_cli.domain.values import Item
from backorder_cli.errors import DatabaseProblem, NotAllowed, NotFound
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, corrections, fulfilment, invoices, orders, undo
from backorder_cli.services import stock as stock_service
from backorder_cli.storage.schema import open_database

path, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
db = open_database(path)
skus = [p.sku for p in catalogue.list_products(db)]
numbers = [o.number for o in orders.iter_orders(db, archived="all")]
made: list[int] = []  # the backorders this worker created
summary = {"ok": 0, "refused": 0, "received": {}, "unexplained": [], "added": []}

for _ in range(count):
    op = rng.choice(
        ["ship", "ship", "receive", "invoice", "backorder", "backorder_invoice", "add", "undo"]
        + ["credit"]
        + ["ready"] * (rng.random() < 0.3)
        + ["cancel", "close", "unship", "edit", "adjust"]
    )
    number = rng.choice(numbers)
    try:
        if op == "ship":
            order = orders.get_order(db, number)
            open_lines = [ln for ln in order.lines if ln.remaining > 0]
            if open_lines and rng.random() < 0.6:
                line = rng.choice(open_lines)
                qty = min(line.remaining, Decimal(rng.randint(1, 5)))
                fulfilment.ship(db, number, [Item(line.sku, qty)])
            else:
                fulfilment.ship(db, number, None)
        elif op == "receive":
            sku = rng.choice(skus)
            qty = Decimal(rng.randint(1, 20))
            catalogue.receive_stock(db, sku, qty)
            summary["received"][sku] = str(Decimal(summary["received"].get(sku, 0)) + qty)
        elif op == "invoice":
            fulfilment.invoice_order(db, number)
        elif op in ("backorder", "backorder_invoice"):
            result = backorders_service.create_backorder(
                db, number, invoice_first=op == "backorder_invoice"
            )
            numbers.append(result.backorder)
            made.append(result.backorder)
        elif op == "undo":
            # Mostly a backorder this worker made (any number would mostly be refused).
            target = rng.choice(made) if made and rng.random() < 0.8 else number
            undo.undo_backorder(db, target, reason=f"worker {seed}")
        elif op == "credit":
            # One of the order's invoices (a credit note among them is refused): all that
            # is left of it, or one unit of its first line.
            billed = orders.get_order(db, number).invoices
            if not billed:
                raise NotFound(f"order #{number} has no invoice")
            invoice = rng.choice(billed).number
            part = None
            if rng.random() < 0.5:
                first = invoices.get_invoice(db, invoice).lines[0]
                part = [Item(first.sku, min(abs(first.quantity), Decimal(1)))]
            invoices.credit_invoice(db, invoice, part, reason=f"worker {seed}")
        elif op == "cancel":
            corrections.cancel_orders(db, [number], reason=f"worker {seed}")
        elif op == "close":
            order = orders.get_order(db, number)
            skus_left = [ln.sku for ln in order.lines if ln.remaining > 0][:1]
            corrections.close_order(db, number, skus_left if rng.random() < 0.5 else [])
        elif op == "unship":
            order = orders.get_order(db, number)
            free = [ln for ln in order.lines if ln.shipped > ln.invoiced]
            if not free:
                raise NotAllowed("nothing to unship")
            line = rng.choice(free)
            corrections.unship(db, number, [Item(line.sku, line.shipped - line.invoiced)])
        elif op == "edit":
            sku = rng.choice(skus)
            corrections.edit_order(db, number, items=[Item(sku, Decimal(rng.randint(1, 30)))])
        elif op == "adjust":
            sku = rng.choice(skus)
            stock_service.adjust_stock(db, sku, Decimal(rng.randint(0, 50)), reason="count")
        elif op == "ready":
            # What stock covers now, a few orders of it: each rechecked when shipped.
            outcomes = list(fulfilment.ship_ready(db, fulfilment.ready_orders(db)[:3]))
            if outcomes and not any(o.ok for o in outcomes):
                raise NotAllowed("every ready order moved on meanwhile")
        else:
            new = orders.add_order(
                db,
                customer=f"Worker {seed}",
                items=[Item(sku, Decimal(rng.randint(1, 9))) for sku in rng.sample(skus, 2)],
            )
            numbers.append(new)
            summary["added"].append(new)
        summary["ok"] += 1
    except (NotAllowed, NotFound):
        summary["refused"] += 1
    except DatabaseProblem as exc:  # busy, locked: must not happen within the timeout
        summary["unexplained"].append(f"{op} #{number}: {exc.message}")
    except Exception:
        summary["unexplained"].append(f"{op} #{number}: {traceback.format_exc(limit=3)}")
db.dispose()
print(json.dumps(summary))
