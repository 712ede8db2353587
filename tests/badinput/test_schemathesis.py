"""Schemathesis against the OpenAPI document the running server serves, authorised as an
enrolled device: no 5xx, and every answer matches the document (status code, content type,
body schema). A fixed budget, derandomized, so CI runs the same cases every time.

Each operation's cases come from schemathesis' hypothesis strategy and are driven by a plain
``@given`` (schemathesis' own pytest fixture loader does not run under pytest 9 yet)."""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as st_checks

from tests.badinput.conftest import Api, dump

BUDGET = settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
#: What must hold for every case. Not positive_data_acceptance: a schema-valid enrollment code
#: is still refused when no such code was issued, which is right.
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
    st_checks.negative_data_rejection,
]
#: Written by requests that succeed or are refused alike: the device's last contact.
VOLATILE = frozenset({"devices"})


def _fuzz(api: Api, operation: Any, mode: schemathesis.GenerationMode, ran: dict[str, int]) -> None:
    """Run the budget of cases of one operation in one generation mode."""
    label = f"{operation.label} ({mode.value})"
    ran[label] = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @BUDGET
    def run(case: schemathesis.Case) -> None:
        ran[label] += 1
        headers = api.auth
        if mode is schemathesis.GenerationMode.NEGATIVE and "Authorization" not in (
            case.headers or {}
        ):
            # a case without the required credential means "no credential": adding the
            # device's own would make it a valid request that the check then says was
            # wrongly accepted
            headers = {}
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # nothing to get wrong: an operation without input
        assert mode is schemathesis.GenerationMode.NEGATIVE
        ran[label] = -1


def test_api_conforms_and_never_fails_with_5xx(api: Api) -> None:
    schema = schemathesis.openapi.from_url(api.url + "/api/v1/openapi.json")
    schema.config.update(base_url=api.url)
    # a schema-violating body may be refused for its size before anything else (413: a
    # batch over MAX_BATCH_RECORDS, an enrollment over its 2 KiB): that is a rejection too
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    before = dump(api.central.url, skip=VOLATILE)
    ran: dict[str, int] = {}
    for result, mode in itertools.product(list(schema.get_all_operations()), MODES):
        _fuzz(api, result.ok(), mode, ran)
    print(ran)
    assert len(ran) >= 12 and all(ran.values()), ran
    # nothing generated is a valid push for this device (its id and office do not match), so
    # apart from enrolment attempts with random codes nothing may have been written
    after = dump(api.central.url, skip=VOLATILE)
    assert {t for t in after if after[t] != before[t]} <= {"audit_log", "login_throttle"}
