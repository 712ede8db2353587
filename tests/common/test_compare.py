"""common/compare.py: the values a duplicate comparison compares (issue 14, defect 8)."""

from __future__ import annotations

from common.compare import comparison_key, display_form


def test_comparison_keys() -> None:
    """The normaliser the comparison uses (common/compare.py), on the variations clerks type."""
    same = [
        ("phone", "0812-3456-7890", "+6281234567890"),
        ("phone", "62 812 3456 7890", "(0812) 3456 7890"),
        ("rt", "3", "003"),
        ("rw", "07", "7"),
        ("full_name", "BUDI  SANTOSO", "Budi Santoso"),
        ("street", "Jl. Melati  No. 5 ", "jl. melati no. 5"),
        ("postal_code", "16 110", "16110"),
        ("email", "Budi@Contoh.ID", "budi@contoh.id"),
        ("skills", ["programming", "culinary"], ["culinary", "programming"]),
        ("motivation", "", None),
    ]
    for name, a, b in same:
        assert comparison_key(name, a) == comparison_key(name, b), (name, a, b)
    different = [
        ("phone", "081234567890", "081234567891"),
        ("rt", "3", "013"),
        ("full_name", "Budi Santoso", "Budi Santosa"),
        ("sex", "L", "P"),
    ]
    for name, a, b in different:
        assert comparison_key(name, a) != comparison_key(name, b), (name, a, b)


def test_display_forms() -> None:
    assert display_form("phone", "0812-3456-7890") == "+6281234567890"
    assert display_form("rt", "3") == "003"
    assert display_form("full_name", " Budi   Santoso ") == "Budi Santoso"
    assert display_form("phone", "not a phone") == "not a phone"
    assert display_form("sex", "L") == "L"
