"""Test and bench harness for Loket: real PostgreSQL clusters, Xvfb displays, Chromium.

Importable from tests (``from tests.support.pgcluster import PgCluster``) and from ``bench/``
as long as the repository root is on ``sys.path`` (it is for ``python -m bench`` run from the
root, and the editable install adds it too). Nothing here imports Qt, Flask or the project.
"""

from __future__ import annotations

import os
from typing import NoReturn

__all__ = ["is_ci", "unavailable"]


def is_ci() -> bool:
    """True when running under CI (env ``CI`` is "true" or "1"); missing tools then fail."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def unavailable(reason: str) -> NoReturn:
    """A test's required tool is missing: fail loudly under CI, skip on a developer's machine.

    In CI every test that needs PostgreSQL, Xvfb or Chromium must actually run, so a missing
    tool there is a broken CI machine (or a missing install step), never a quiet skip.
    """
    import pytest

    if is_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)
