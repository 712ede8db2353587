"""The desktop's local store: SQLite (WAL, synchronous=FULL) through SQLAlchemy 2, with
Alembic migrations applied at open. See INTERFACE.md."""

from desktop.store.store import Store, StoreError, head_revision

__all__ = ["Store", "StoreError", "head_revision"]
