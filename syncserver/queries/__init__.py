"""SQL, one module per area. Views and services call these; no SQL lives in the views.

Everything here takes a :class:`sqlalchemy.orm.Session` already inside the request's
transaction and never commits: the caller owns the transaction.
"""
