"""tests/syncserver/console/test_dashboard_work.py on PostgreSQL (the summary tables' triggers
and the dashboard's queries on the national backend)."""

from __future__ import annotations

import pytest

from tests.syncserver.console.test_dashboard_work import (  # noqa: F401
    test_offices_by_backlog_and_silence,
    test_open_groups_count_follows_the_reviewers_provinces,
    test_received_and_decided_per_day,
    test_the_dashboard_reads_summary_tables_only,
    test_the_todo_list_gives_the_age_of_the_oldest_waiting_record,
)


@pytest.fixture
def db_url(pg_database: str) -> str:
    return pg_database
