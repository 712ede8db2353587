"""The console's queries on PostgreSQL: a selection of the suite run against a real
PostgreSQL database (keyset row comparisons, name prefix search with the text_pattern_ops
index, partial index, JSONB, the duplicate resolutions' writes, the streamed export)."""

from __future__ import annotations

import pytest

from tests.syncserver.console.test_access import test_reviewer_limited_to_provinces  # noqa: F401
from tests.syncserver.console.test_decisions import (  # noqa: F401
    test_a_decision_opens_the_next_record_of_its_list,
    test_bulk_decision,
)
from tests.syncserver.console.test_duplicates import (  # noqa: F401
    test_family_card_keep_two,
    test_same_person_keeping_the_later_registration,
)
from tests.syncserver.console.test_export import test_export_streams_in_pages  # noqa: F401
from tests.syncserver.console.test_export_masking import (  # noqa: F401
    test_full_nik_export_keeps_every_column,
    test_masked_nik_not_rebuilt_from_the_row,
    test_no_formula_cell_whichever_separator,
)
from tests.syncserver.console.test_pages import (  # noqa: F401
    test_batch_list_keyset_pages,
    test_dashboard,
    test_record_page_shows_revisions_and_their_differences,
    test_record_search,
)


@pytest.fixture
def db_url(pg_database: str) -> str:
    return pg_database
