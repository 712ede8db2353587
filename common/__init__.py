"""Loket's shared core: the registration record, its validation, NIK parsing, Indonesia's
administrative areas, the sync protocol's message types and the error catalog.

This package imports neither Qt nor Flask (a test enforces it), so the counter app and the
sync server judge a registration with exactly the same code.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
