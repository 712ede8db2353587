"""The models (syncserver/models.py) and the migrations describe the same schema, on SQLite and
on PostgreSQL: a column, index or constraint added to one and not the other fails here."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import SAWarning

from syncserver.models import SEARCH_TABLE, Base

from .conftest import Api

#: Created by migration 0002 as an expression per dialect (lower(full_name), with
#: text_pattern_ops on PostgreSQL; (lower(full_name), id) since 0009) and by 0009 (GIN
#: trigram indexes on PostgreSQL); Alembic cannot compare expression indexes.
EXPRESSION_INDEXES = {
    "ix_registrations_lower_name",
    "ix_registrations_name_trgm",
    "ix_registrations_digits_trgm",
}
#: SQLite's FTS5 search table and its shadow tables (migration 0009): not in the models,
#: checked on their own below.
SEARCH_SHADOWS = {
    f"{SEARCH_TABLE}{s}" for s in ("", "_data", "_idx", "_content", "_docsize", "_config")
}


def _name(diff: object) -> str | None:
    item = diff[1] if isinstance(diff, tuple) and len(diff) > 1 else None
    return getattr(item, "name", None)


def test_migrations_build_exactly_the_models(api: Api) -> None:
    with api.ext.engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if _name(d) not in EXPRESSION_INDEXES | SEARCH_SHADOWS] == []


def test_the_search_index_objects_exist(api: Api) -> None:
    """What the drift check leaves out is there: the trigram indexes on PostgreSQL, the FTS5
    table and the three triggers that keep it on SQLite."""
    if api.ext.engine.dialect.name == "postgresql":
        names = {
            r[0]
            for r in api.sql("select indexname from pg_indexes where tablename = 'registrations'")
        }
        assert {"ix_registrations_name_trgm", "ix_registrations_digits_trgm"} <= names
        return
    objects = {(r[0], r[1]) for r in api.sql("select type, name from sqlite_master")}
    assert ("table", SEARCH_TABLE) in objects
    assert {("trigger", f"{SEARCH_TABLE}_{op}") for op in ("ai", "au", "ad")} <= objects
