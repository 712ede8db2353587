from __future__ import annotations

from datetime import date

import pytest

from common.synthetic import Generator

#: Validation tests run "as of" this date so ages and dates are stable whatever today is.
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="session")
def valid_raw() -> dict:
    """One valid applicant as raw input (a fresh copy per use: call .copy())."""
    return next(Generator(seed=7, today=TODAY).samples(1)).applicant
