"""The models (syncserver/models.py) and the migrations describe the same schema, on SQLite and
on PostgreSQL: a column, index or constraint added to one and not the other fails here."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import SAWarning

from syncserver.models import Base

from .conftest import Api

#: Created by migration 0002 as an expression per dialect (lower(full_name), with
#: text_pattern_ops on PostgreSQL); Alembic cannot compare expression indexes.
EXPRESSION_INDEXES = {"ix_registrations_lower_name"}


def _name(diff: object) -> str | None:
    item = diff[1] if isinstance(diff, tuple) and len(diff) > 1 else None
    return getattr(item, "name", None)


def test_migrations_build_exactly_the_models(api: Api) -> None:
    with api.ext.engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if _name(d) not in EXPRESSION_INDEXES] == []
