"""The console's queries on PostgreSQL: a selection of the suite run against a real
PostgreSQL database (keyset row comparisons, name prefix search with the text_pattern_ops
index, partial index, JSONB, the duplicate resolutions' writes, the streamed export, bundle
imports through the upload page)."""

from __future__ import annotations

import pytest

from tests.syncserver.console.test_access import test_reviewer_limited_to_provinces  # noqa: F401
from tests.syncserver.console.test_bundle_upload import (  # noqa: F401
    bogor,
    intake_jabar,
    makassar,
    test_a_province_limited_operator_imports_only_their_offices,
    test_batches_show_and_filter_their_source,
    test_upload_imports_shows_counts_and_logs_who,
)
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
from tests.syncserver.console.test_lists import (  # noqa: F401
    spread,
    test_audit_log_filters_by_who_what_and_when,
    test_counts_are_exact_below_the_limit_and_labelled_estimates_above,
    test_every_sort_order_pages_by_keyset_both_ways,
    test_export_times_are_wib_with_the_offset,
    test_filters_by_regency_device_decision_reviewer_and_dates,
    test_list_sorts_by_a_column_and_counts_matches,
    test_review_queue_is_oldest_first_and_only_waiting_records,
)
from tests.syncserver.console.test_pages import (  # noqa: F401
    test_batch_list_keyset_pages,
    test_dashboard,
    test_record_page_shows_revisions_and_their_differences,
    test_record_search,
)
from tests.syncserver.console.test_search import (  # noqa: F401
    findable,
    people_before,
    test_any_word_or_part_of_a_name,
    test_codes_and_niks_as_people_write_them,
    test_digit_fragments_of_nik_phone_and_code,
    test_every_word_must_match,
    test_ingest_keeps_the_search_index_current,
    test_migration_indexes_the_records_already_there,
    test_phones_as_people_write_them,
    test_search_combines_with_filters_sort_and_export,
)


@pytest.fixture
def db_url(pg_database: str) -> str:
    return pg_database
