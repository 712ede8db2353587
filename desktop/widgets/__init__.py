"""Reusable widgets and item models of the desktop app (Qt; no database access of their own:
models are handed the small service interface they read from)."""
