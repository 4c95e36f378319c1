"""The domain: pure rules, no I/O. values (numbers, parsing, formatting, limits), orders
(statuses, totals, shipment and invoice plans), backorders (plan, undo, chain,
allocation), invariants (what `check` verifies).
"""
