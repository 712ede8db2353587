"""One rule for account names and passwords (common/accounts.py): the device and the server
accept and refuse the same operator names and passwords (they disagreed on one-letter names
before), and a console account's name is checked the same way by the CLI and the console."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from common import errors as E
from common.accounts import is_staff_name
from common.errors import InvalidValue
from desktop.services.operators import _check_new
from syncserver import operators, users

from .conftest import Api

OK = "rahasia-123"
#: (name, password, the code both sides answer, or None when both accept it)
TABLE = [
    ("a", OK, None),  # one letter: an operator name on both sides
    ("0", OK, None),
    ("ab", OK, None),
    ("Ani", OK, None),  # case-folded
    ("  budi  ", OK, None),  # trimmed
    ("ani.s_b-1", OK, None),
    ("a" * 64, OK, None),
    ("a" * 65, OK, E.OPERATOR_NAME_INVALID),
    ("", OK, E.OPERATOR_NAME_INVALID),
    (".ani", OK, E.OPERATOR_NAME_INVALID),
    ("-ani", OK, E.OPERATOR_NAME_INVALID),
    ("budi santoso", OK, E.OPERATOR_NAME_INVALID),
    ("ání", OK, E.OPERATOR_NAME_INVALID),
    ("ani@kantor", OK, E.OPERATOR_NAME_INVALID),
    ("citra", "1234567", E.PASSWORD_TOO_SHORT),
    ("citra", "12345678", None),
    ("citra", "", E.PASSWORD_TOO_SHORT),
]


def _code(fn: Callable[..., object], *args: object) -> str | None:
    try:
        fn(*args)
    except InvalidValue as exc:
        return exc.code
    return None


def _server(api: Api, name: str, password: str) -> str | None:
    office = api.office()
    s = api.ext.sessions()
    try:
        now = datetime.now(UTC)
        return _code(operators.add_operator, s, office, name, password, "", "test", now)
    finally:
        s.rollback()
        s.close()


def test_device_and_server_agree_on_operator_names_and_passwords(api: Api) -> None:
    for name, password, expected in TABLE:
        device = _code(_check_new, name, password)
        server = _server(api, name, password)
        assert (device, server) == (expected, expected), (name, password)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("a", True),
        ("Admin.2", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("", False),
        ("ani lestari", False),
        ("ani@kantor", False),
    ],
)
def test_console_and_cli_agree_on_staff_names(api: Api, name: str, ok: bool) -> None:
    assert is_staff_name(name) is ok  # the console's form check
    s = api.ext.sessions()
    try:  # the CLI's add-user
        assert _code(users.add_user, s, name, OK, "viewer") == (None if ok else E.USERNAME_INVALID)
    finally:
        s.rollback()
        s.close()


def test_a_short_password_is_refused_for_every_kind_of_account(api: Api) -> None:
    s = api.ext.sessions()
    try:
        assert _code(users.add_user, s, "dewi", "pendek", "viewer") == E.PASSWORD_TOO_SHORT
    finally:
        s.rollback()
        s.close()
