"""The rules for account names and passwords, the same on the device and on the server.

Two kinds of account: *operators* (desktop/services/operators.py on a device,
syncserver/operators.py at the centre, which sends them to the office's devices) and *staff*
of the review console (syncserver/users.py). A device must accept every operator name the
server makes and the other way round, so the rule is written here once. A name breaking it,
or a short password, raises :class:`~common.errors.InvalidValue` with a catalog code (a
``ValueError``, as callers expect).
"""

from __future__ import annotations

import re

from common import errors as E
from common.errors import InvalidValue

#: At least this many characters, for operators and staff alike.
MIN_PASSWORD_LENGTH = 8
#: The longest account name (the database columns hold 64).
MAX_USERNAME_LENGTH = 64

#: An operator's name: lower case (names are case-folded first), a letter or digit, then up
#: to 63 of letters, digits, ``.``, ``_`` and ``-``: one to 64 characters in all, so a
#: one-letter name is an operator name on the device and at the centre alike.
_OPERATOR_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: A console account's name: 1 to 64 letters (either case), digits, ``.``, ``_`` or ``-``.
_STAFF_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def normalise_operator_name(username: str) -> str:
    """The stored form of an operator's name: trimmed and lower case."""
    return username.strip().lower()


def is_operator_name(username: str) -> bool:
    """Whether ``username`` (already normalised) is a name an operator may have."""
    return _OPERATOR_NAME.fullmatch(username) is not None


def check_operator_name(username: str) -> str:
    """The normalised name; ``OPERATOR_NAME_INVALID`` if it is not an operator's name."""
    name = normalise_operator_name(username)
    if not is_operator_name(name):
        raise InvalidValue(E.OPERATOR_NAME_INVALID)
    return name


def is_staff_name(username: str) -> bool:
    """Whether ``username`` is a name a console account may have (names are kept as typed)."""
    return _STAFF_NAME.fullmatch(username) is not None


def check_staff_name(username: str) -> str:
    """``username`` itself; ``USERNAME_INVALID`` if a console account may not have it."""
    if not is_staff_name(username):
        raise InvalidValue(E.USERNAME_INVALID)
    return username


def check_password(password: str) -> str:
    """``password`` itself; ``PASSWORD_TOO_SHORT`` under :data:`MIN_PASSWORD_LENGTH`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(E.PASSWORD_TOO_SHORT, {"min": MIN_PASSWORD_LENGTH})
    return password
