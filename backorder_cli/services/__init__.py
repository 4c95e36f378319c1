"""Use cases, one module per family. Each takes an opened `Database` and plain values, runs
in one transaction, and returns a plain result (results.py). Nothing here prints,
prompts or picks an exit code.
"""
