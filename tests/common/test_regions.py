from __future__ import annotations

from common.regions import Level, normalise, regions


def test_counts() -> None:
    r = regions()
    assert [r.count(level) for level in Level] == [38, 514, 7285, 83762]


def test_lookup_children_and_path() -> None:
    r = regions()
    assert r.name("32") == "Jawa Barat"
    assert r.get("3201").name == "Kabupaten Bogor" and r.get("32.01").level is Level.REGENCY
    districts = r.children("32.01")
    assert districts and all(
        d.code.startswith("32.01.") and d.level is Level.DISTRICT for d in districts
    )
    village = r.children(districts[0].code)[0]
    assert [a.level for a in r.path(village.code)] == list(Level)
    assert r.get("99.99") is None and r.path("99.99.99.9999") == []


def test_full_path_in_both_languages() -> None:
    r = regions()
    hit = r.search("sukamaju, jonggol")[0]
    assert r.full_path(hit.code) == "Desa Sukamaju, Kec. Jonggol, Kab. Bogor, Prov. Jawa Barat"
    assert (
        r.full_path(hit.code, "en")
        == "Sukamaju village, Jonggol district, Bogor regency, Jawa Barat province"
    )


def test_search_case_accent_and_word_insensitive() -> None:
    r = regions()
    plain = [a.code for a in r.search("kebon jeruk")]
    assert plain
    assert [a.code for a in r.search("KÉBON JÉRUK")] == plain
    # a later word of the name matches too
    assert any(a.name == "Kebon Jeruk" for a in r.search("jeruk", limit=200))
    # names starting with the query come first
    hits = r.search("suka", limit=30)
    assert hits and all(normalise(a.name).startswith("suka") for a in hits)


def test_search_narrowed_by_region() -> None:
    r = regions()
    hits = r.search("sukamaju, bogor", limit=50)
    assert hits and all(a.code.startswith("32.01.") or a.code.startswith("32.71.") for a in hits)
    assert r.search("") == [] and r.search("zzzzqqq") == []
