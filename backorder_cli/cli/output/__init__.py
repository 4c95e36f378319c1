"""Output: JSON (exact decimals, streamed), the flat formats (plain, csv, ids), and Rich
tables for people; text from data escaped before any terminal sees it.
"""
