"""Dashboard, batches, records: what they show, filters, search, pagination, escaping."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.syncserver.console.conftest import INJECTION


def text_of(r: Any) -> str:
    assert r.status_code == 200, r.status_code
    return str(r.get_data(as_text=True))


def test_dashboard(signed_in: dict[str, Any], seeded: Any) -> None:
    page = text_of(signed_in["viewer"].get("/console/"))
    assert re.search(r"<b>26</b><span>Pendaftaran</span>", page)
    assert "Jawa Barat" in page and "Sulawesi Selatan" in page  # provinces chart
    assert "Kabupaten Bogor" in page  # regencies of the biggest province
    assert "PC loket &lt;b&gt;1&lt;/b&gt;" in page  # device names are escaped
    assert "Laptop lapangan" in page
    page = text_of(signed_in["viewer"].get("/console/?province=73"))
    assert "Kota Makassar" in page or "Makassar" in page


def test_silent_devices_are_flagged(
    app: Any, signed_in: dict[str, Any], seeded: Any, clock: Any
) -> None:
    from datetime import timedelta

    from tests.syncserver.console.conftest import open_session

    assert "⚠" not in text_of(signed_in["viewer"].get("/console/"))
    clock.offset = timedelta(days=8)  # default: silent after 7 days (the old session ended)
    page = text_of(open_session(app, "viewer").get("/console/"))
    assert page.count("⚠") >= 4  # two devices, two offices


def test_batches_list_filters_and_batch_page(signed_in: dict[str, Any], seeded: Any) -> None:
    c = signed_in["viewer"]
    page = text_of(c.get("/console/batches/"))
    assert page.count("/console/batches/1") + page.count("/console/batches/2") >= 2
    assert "737101" in text_of(c.get("/console/batches/?office=737101"))
    assert "320101</a>" not in text_of(c.get("/console/batches/?office=737101"))
    only_dup = text_of(c.get("/console/batches/?outcome=duplicate_nik"))
    assert "737101" in only_dup and "?office=320101" not in only_dup
    assert "Tidak ada kiriman" in text_of(c.get("/console/batches/?outcome=conflict"))
    device = seeded.devices["320101"].id
    assert "320101" in text_of(c.get(f"/console/batches/?device={device}&from=2000-01-01"))
    batch = text_of(c.get("/console/batches/1"))
    assert batch.count("o-accepted") >= 24 and "o-kk_limit" in batch
    assert "Siti &#39;Aminah" in batch
    assert c.get("/console/batches/999").status_code == 404


def test_batch_list_keyset_pages(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    from common.synthetic import generate

    dev = seeded.devices["320101"]
    for s in generate(55, seed=77):
        api.push(dev, [api.record(s.applicant, dev)])
    c = signed_in["viewer"]
    first = text_of(c.get("/console/batches/"))
    nxt = re.search(r'href="(/console/batches/\?after=[^"]+)" rel="next"', first)
    assert nxt
    second = text_of(c.get(nxt.group(1).replace("&amp;", "&")))
    ids_first = set(re.findall(r"/console/batches/(\d+)\"", first))
    ids_second = set(re.findall(r"/console/batches/(\d+)\"", second))
    assert len(ids_first) == 50 and len(ids_second) == 7 and not ids_first & ids_second
    prev = re.search(r'href="(/console/batches/\?before=[^"]+)" rel="prev"', second)
    assert prev
    back = set(
        re.findall(r"/console/batches/(\d+)\"", text_of(c.get(prev.group(1).replace("&amp;", "&"))))
    )
    assert back == ids_first


def test_record_search(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["viewer"]
    rows = api.sql(
        "select id, nik, kk_number, full_name, phone, code from registrations where id = :i",
        i=seeded.ids[3],
    )
    rid, nik, kk, name, phone, code = rows[0]

    def found(q: str) -> bool:
        return f"/console/records/{rid}" in text_of(
            c.get("/console/records/", query_string={"q": q})
        )

    assert found(nik) and found(kk) and found(code) and found(code.lower())
    assert found(name.split()[0].lower()) and found(name.upper())
    assert found(phone) and found("0" + phone[3:])
    assert not found("Zzzz")
    page = text_of(c.get("/console/records/", query_string={"q": seeded.dup_nik}))
    assert all(f"/console/records/{i}" in page for i in seeded.dup_ids)
    assert nik not in page  # NIKs are masked in lists
    page = text_of(c.get("/console/records/?status=potential_duplicate"))
    assert (
        f"/console/records/{seeded.dup_ids[1]}" in page
        and f"/console/records/{seeded.ids[0]}" not in page
    )
    province = api.sql("select province_code from registrations where id = :i", i=rid)[0][0]
    others = [
        r[0] for r in api.sql("select id from registrations where province_code <> :p", p=province)
    ]
    page = text_of(c.get(f"/console/records/?province={province}"))
    assert f"/console/records/{rid}" in page and not any(
        f"/console/records/{i}" in page for i in others
    )
    assert "Tidak ada pendaftaran" in text_of(c.get("/console/records/?from=2999-01-01"))
    assert "/console/records/" in text_of(c.get("/console/records/?office=320101&to=2999-01-01"))


def test_record_page_escapes_user_data(signed_in: dict[str, Any], seeded: Any) -> None:
    page = text_of(signed_in["reviewer"].get(f"/console/records/{seeded.injected_id}"))
    assert INJECTION not in page and "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "Siti &#39;Aminah" in page
    assert "2026-01" in page  # consent version


def test_record_page_shows_revisions_and_their_differences(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    from common.record import content_hash

    dev = seeded.devices["320101"]
    rid = seeded.ids[0]
    applicant = api.sql("select applicant from registrations where id = :i", i=rid)[0][0]
    import json

    applicant = json.loads(applicant) if isinstance(applicant, str) else applicant
    applicant["mother_maiden_name"] = "Siti Aminah"
    rec = api.record(
        applicant, dev, id=rid, revision=2, base_revision=1, content_hash=content_hash(applicant)
    )
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    page = text_of(signed_in["viewer"].get(f"/console/records/{rid}"))
    assert "Perubahan dari revisi 1 ke 2" in page
    assert re.search(
        r"Nama ibu kandung</th><td class=\"del\">[^<]*</td><td class=\"ins\">Siti Aminah", page
    )
    assert page.count("/console/batches/") >= 2


def test_record_not_found(signed_in: dict[str, Any]) -> None:
    assert signed_in["viewer"].get("/console/records/nope").status_code == 404


def test_english(app: Flask, signed_in: dict[str, Any], seeded: Any) -> None:
    from tests.syncserver.console.conftest import post

    c = signed_in["viewer"]
    post(c, "/console/lang", {"lang": "en"})
    page = text_of(c.get("/console/"))
    assert "Registrations by province" in page and "Received by the server" in page
    page = text_of(c.get(f"/console/records/{seeded.ids[0]}"))
    assert "Mother&#39;s maiden name" in page or "Full name" in page
