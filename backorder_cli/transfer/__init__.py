"""Transfer: the import/export document (JSON) and its CSV form. Pure: no database."""
