"""Two users saving the same SKU or order number at the same moment on a server: the
one that loses gets a clean one-line refusal, never the server's raw duplicate-key text
(seen for real with 5 concurrent `products add Q-1` and `import` of one file)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from backorder_cli.storage.database import locate
from backorder_cli.storage.errors import explain

WHERE = "postgresql+psycopg://ann:s3cret@10.0.0.5/orders"


@pytest.mark.parametrize(
    ("server_said", "what"),
    [
        ('duplicate key value violates unique constraint "ix_product_sku"', "a product"),
        ('duplicate key value violates unique constraint "orders_number_key"', "an order"),
        ('duplicate key value violates unique constraint "invoices_number_key"', "an invoice"),
    ],
)
def test_a_duplicate_key_on_a_server_is_explained(server_said: str, what: str) -> None:
    problem = explain(IntegrityError("INSERT", {}, Exception(server_said)), locate(WHERE))
    assert problem.message.startswith(f"another user saved {what} with the same ")
    assert problem.message.endswith(
        "in postgresql+psycopg://ann:***@10.0.0.5/orders at the same moment - nothing was "
        "changed; run the command again to see where things stand"
    )
