"""Alembic environment for the central database (``loket-server migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine, text

from syncserver.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given: Engine | None = config.attributes.get("engine")
    owned = given is None
    if given is None:
        # hide_parameters: a failing data migration must not log personal data
        engine = create_engine(config.get_main_option("sqlalchemy.url", ""), hide_parameters=True)
    else:
        engine = given
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Several server machines upgrading at once: one migrates, the others
                    # wait here, then find the schema at its head (the revision is read
                    # after this lock, in the same transaction) and do nothing. ("LK", "MIGR")
                    connection.execute(text("SELECT pg_advisory_xact_lock(19531, 1296648018)"))
                context.run_migrations()
            connection.commit()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
