"""The domain: pure rules, no I/O. values (numbers, parsing, formatting, limits), orders
(statuses, totals, shipment and invoice plans), backorders (plan, undo,
allocation), chains (the backorder chain), invariants (what `check` verifies).
"""
