"""Loket desktop: the counter and field app (PySide6) with its local store and services.

See desktop/README.md for what lives here and what it may import.
"""
