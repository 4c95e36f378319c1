"""backorder: sales orders, shipments, invoices and backorders over SQLite or PostgreSQL."""
