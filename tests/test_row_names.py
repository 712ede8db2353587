"""One row-class convention on both sides (issue 15): the row classes of the registration
tables end in ``Record`` (``RegistrationRecord``, ``RevisionRecord``, ``ChangeRecord``,
``DraftRecord``), with one name for a table both sides hold, and no mapped class shares its name
with a class of ``common/`` (``common.record.Registration`` and ``common.protocol.Change`` keep the
plain names). ``*Row`` names the read models that query modules return.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from sqlalchemy.orm import DeclarativeBase

import common
from desktop.store import models as desk
from syncserver import models as server


def mapped(base: type[DeclarativeBase]) -> dict[str, str]:
    """{table name: class name} of every class mapped on ``base``."""
    classes = [m.class_ for m in base.registry.mappers]
    return {cls.__tablename__: cls.__name__ for cls in classes}


def common_classes() -> set[str]:
    names: set[str] = set()
    for info in pkgutil.walk_packages(common.__path__, "common."):
        module = importlib.import_module(info.name)
        names.update(
            n for n, v in vars(module).items() if inspect.isclass(v) and v.__module__ == info.name
        )
    return names


def test_no_row_class_shares_a_name_with_common() -> None:
    rows = set(mapped(desk.Base).values()) | set(mapped(server.Base).values())
    assert {"Registration", "Change", "Applicant"} <= common_classes()
    assert common_classes() & rows == set()


def test_the_registration_tables_have_one_class_name_on_both_sides() -> None:
    desk_rows, server_rows = mapped(desk.Base), mapped(server.Base)
    for table, name in (
        ("registrations", "RegistrationRecord"),
        ("registration_revisions", "RevisionRecord"),
    ):
        assert (desk_rows[table], server_rows[table]) == (name, name)
    assert server_rows["changes"] == "ChangeRecord"
    assert desk_rows["drafts"] == "DraftRecord"
