"""Reusable widgets and item models of the desktop app (Qt; no database access of their own:
a model is handed the service it reads from)."""
