from __future__ import annotations

import re

import pytest

from common import errors as E
from common.enums import (
    LABELS,
    Channel,
    Disability,
    Education,
    EmploymentStatus,
    Sex,
    Skill,
    Status,
)
from common.i18n import Lang


@pytest.mark.parametrize("code", sorted(E.CATALOG))
def test_every_code_has_both_languages(code: str) -> None:
    entry = E.spec(code)
    assert entry.code == code
    assert entry.message_id.strip() and entry.message_en.strip()
    assert entry.message_id != entry.message_en or code in ()  # really translated

    # the same placeholders in both languages (modulo the per-language field/sex names)
    def names(t: str) -> set[str]:
        return {n.removesuffix("_id").removesuffix("_en") for n in re.findall(r"{(\w+)}", t)}

    assert names(entry.message_id) == names(entry.message_en)


def test_message_fills_params_and_keeps_unknown_placeholders() -> None:
    assert (
        E.message(E.BODY_TOO_LARGE, {"max": 10}, Lang.EN)
        == "The request is too large (at most 10 bytes)."
    )
    assert "{max}" in E.message(E.BODY_TOO_LARGE, {}, "id")


def test_api_error_body() -> None:
    err = E.ApiError(E.DEVICE_REVOKED)
    assert err.http_status == 403
    assert err.to_body() == {
        "code": "DEVICE_REVOKED",
        "message": "Perangkat ini dicabut; hubungi kantor pusat.",
        "details": {},
    }


@pytest.mark.parametrize(
    "enum", [Sex, Education, EmploymentStatus, Disability, Channel, Status, Skill]
)
def test_every_enum_value_has_two_labels(enum) -> None:
    assert set(LABELS[enum]) == {m.value for m in enum}
    for member in enum:
        assert member.label(Lang.ID) and member.label(Lang.EN)


def test_enum_parse() -> None:
    assert Sex.parse("p") is Sex.FEMALE and Sex.parse("x") is None
    assert Education.parse(" SMA ") is Education.SMA
    assert Status.parse("nope") is None and Status.parse(3) is None


def test_an_api_error_leaves_a_context_manager_as_itself() -> None:
    """``contextlib`` sets ``__traceback__`` on an exception leaving a ``@contextmanager``
    block (``store.write()``, ``db.transaction()``); a frozen ApiError refused it, and the
    clerk saw "an unexpected error" instead of the catalog message."""
    import contextlib
    from collections.abc import Iterator

    import pytest

    from common import errors as E
    from common.errors import ApiError

    @contextlib.contextmanager
    def block() -> Iterator[None]:
        yield

    with pytest.raises(ApiError) as exc, block():
        raise ApiError(E.BUNDLE_TAMPERED)
    assert exc.value.code == E.BUNDLE_TAMPERED
    assert exc.value.__traceback__ is not None
    assert exc.value != ApiError(E.BUNDLE_TAMPERED)  # an exception is itself only
