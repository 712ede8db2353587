"""CSV export: the current filter, streamed, NIK masked unless an admin asks (audited)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.syncserver.console.conftest import post


def rows_of(r: Any) -> list[dict[str, str]]:
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))


def test_export_current_filter_masked(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["reviewer"]
    r = post(c, "/console/export.csv", {"office": "320101"})
    assert r.is_streamed
    rows = rows_of(r)
    assert len(rows) == 25 and {row["office_code"] for row in rows} == {"320101"}
    assert all(row["nik"][4:12] == "********" for row in rows)
    by_id = {row["id"]: row for row in rows}
    nik, name = api.sql("select nik, full_name from registrations where id = :i", i=seeded.ids[0])[
        0
    ]
    assert by_id[seeded.ids[0]]["full_name"] == name and by_id[seeded.ids[0]]["nik"].endswith(
        nik[-4:]
    )
    assert by_id[seeded.injected_id]["full_name"] == "Siti 'Aminah"
    rows = rows_of(post(c, "/console/export.csv", {"status": "potential_duplicate"}))
    assert {row["id"] for row in rows} == {seeded.dup_ids[1], seeded.kk_ids[2]}
    audit = api.sql("select actor, details from audit_log where action = 'export.csv'")
    assert len(audit) == 2 and audit[0][0] == "reviewer"


def test_full_nik_only_for_admin_and_audited(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    assert post(signed_in["reviewer"], "/console/export.csv", {"full_nik": "1"}).status_code == 403
    assert post(signed_in["viewer"], "/console/export.csv", {}).status_code == 403
    rows = rows_of(
        post(signed_in["admin"], "/console/export.csv", {"full_nik": "1", "q": seeded.dup_nik})
    )
    assert [row["nik"] for row in rows] == [seeded.dup_nik, seeded.dup_nik]
    import json

    details = api.sql("select details from audit_log where action = 'export.csv'")[0][0]
    details = json.loads(details) if isinstance(details, str) else details
    assert details["full_nik"] is True and details["filter"] == {"q": seeded.dup_nik}


def test_export_streams_in_pages(
    signed_in: dict[str, Any], api: Any, seeded: Any, monkeypatch: Any
) -> None:
    from syncserver.console import export

    monkeypatch.setattr(export, "EXPORT_PAGE", 7)
    r = post(signed_in["reviewer"], "/console/export.csv", {})
    chunks = list(r.response)
    assert len(chunks) == 4  # 26 rows in pages of 7
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 26 and len({row["id"] for row in rows}) == 26
