"""Generated databases for the reliability tests."""

from __future__ import annotations

import json
import random


def partially_shipped_company(orders: int, *, seed: int = 7, invoiced: bool = True) -> str:
    """An import document: `orders` partially shipped orders (numbers from 10001), their
    shipped quantities invoiced, plus ample stock of every product."""
    rng = random.Random(seed)
    products = [
        {
            "sku": f"P{i:03d}",
            "name": f"Product {i}",
            "price": f"{rng.randint(100, 9999) / 100}",
            "stock": 100000,
        }
        for i in range(20)
    ]
    docs = []
    for n in range(orders):
        skus = rng.sample(range(20), rng.randint(2, 5))
        lines = []
        for k, i in enumerate(skus):
            quantity = rng.randint(2, 50)
            shipped = rng.randint(1, quantity - 1) if k == 0 else rng.randint(0, quantity)
            lines.append(
                {
                    "sku": f"P{i:03d}",
                    "quantity": quantity,
                    "shipped": shipped,
                    "invoiced": shipped if invoiced else 0,
                }
            )
        docs.append({"number": 10001 + n, "customer": f"Customer {n % 37}", "lines": lines})
    return json.dumps({"products": products, "orders": docs})
