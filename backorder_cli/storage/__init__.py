"""Storage: the tables (models), where the database is and its one unit of work (database),
schema versions and migrations (schema), and database errors in the tool's words
(errors).
"""
