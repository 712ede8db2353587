"""content_hash's fast path (orjson) writes exactly the bytes of its definition (json.dumps,
sorted keys, no spaces, non-ASCII as it is) for every value an applicant may hold, and any
other value takes the definition: a stored hash never changes meaning."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from common.record import canonical_json, content_hash, reference_json
from common.synthetic import generate

TEXT = st.text(st.characters(codec="utf-8"), max_size=20)  # every code point but surrogates
PLAIN = st.one_of(
    TEXT,
    st.booleans(),
    st.none(),
    st.integers(-(2**70), 2**70),  # past 64 bits too
    st.lists(TEXT, max_size=4),
)
ANY = st.recursive(
    PLAIN | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(TEXT, PLAIN, max_size=30))
def test_an_applicants_values_hash_as_the_definition_says(applicant: dict[str, Any]) -> None:
    assert canonical_json(applicant) == reference_json(applicant)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, ANY, max_size=10))
def test_any_other_value_hashes_as_the_definition_says(applicant: dict[str, Any]) -> None:
    assert canonical_json(applicant) == reference_json(applicant)


def test_synthetic_applicants_keep_their_hashes() -> None:
    for sample in generate(300, seed=11):
        expected = hashlib.sha256(reference_json(sample.applicant)).hexdigest()[:32]
        assert content_hash(sample.applicant) == expected
