"""Consistency queries over the central database that must count zero after any ingest.

The claim tables, registration_revisions (0013) and batch_records carry no foreign keys (migrations 0004, 0013: a check per row was
a measurable share of ingest), so these queries are what proves they never point at nothing.
The fault checker runs them after every fault scenario; the sync server's contract suite after
every test, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

ORPHAN_QUERIES = {
    "revision rows without a registration": "SELECT count(*) FROM registration_revisions v "
    "WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = v.registration_id)",
    # migration 0013: only the current revision leaves its applicant to registrations
    "superseded revisions without their own applicant": "SELECT count(*) FROM "
    "registration_revisions v JOIN registrations r ON r.id = v.registration_id "
    "WHERE v.applicant IS NULL AND v.revision <> r.revision",
    "revision rows of a revision the registration never reached": "SELECT count(*) FROM "
    "registration_revisions v JOIN registrations r ON r.id = v.registration_id "
    "WHERE v.revision > r.revision",
    "NIK claims without a registration": "SELECT count(*) FROM nik_primaries n "
    "WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = n.registration_id)",
    "family-card slots without a registration": "SELECT count(*) FROM kk_slots k "
    "WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = k.registration_id)",
    "batch records without their batch": "SELECT count(*) FROM batch_records b "
    "WHERE NOT EXISTS (SELECT 1 FROM batches x WHERE x.id = b.batch_pk)",
    "batch records of stored registrations that are missing": "SELECT count(*) FROM batch_records b "
    "WHERE b.outcome IN ('accepted', 'duplicate_nik', 'kk_limit') "
    "AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = b.registration_id)",
    "batches without their stored answer (half-written)": "SELECT count(*) FROM batches WHERE response IS NULL",
    "batches whose record rows are missing": "SELECT count(*) FROM batches b WHERE b.record_count <> "
    "(SELECT count(*) FROM batch_records x WHERE x.batch_pk = b.id)",
    "registrations without their NIK claimed or flagged": "SELECT count(*) FROM registrations r "
    "WHERE r.flag_reason IS NULL AND r.status <> 'rejected' AND NOT EXISTS "
    "(SELECT 1 FROM nik_primaries n WHERE n.nik = r.nik AND n.registration_id = r.id)",
    # issue 12 finding 14: the claim and the flags follow a NIK change
    "NIK claims held by a registration of another NIK": "SELECT count(*) FROM nik_primaries n "
    "JOIN registrations r ON r.id = n.registration_id WHERE r.nik <> n.nik",
    "family-card slots held by a registration of another card": "SELECT count(*) FROM kk_slots k "
    "JOIN registrations r ON r.id = k.registration_id WHERE r.kk_number <> k.kk_number",
    "NIK duplicates flagged against a registration that is not their NIK's primary": "SELECT "
    "count(*) FROM registrations r WHERE r.flag_reason = 'duplicate_nik' AND r.status <> 'rejected' "
    "AND NOT EXISTS (SELECT 1 FROM nik_primaries n WHERE n.nik = r.nik "
    "AND n.registration_id = r.duplicate_of_id)",
}


def integrity_problems(conn: Any) -> list[str]:
    """``"<count> <what>"`` for every query above that does not count zero."""
    out = []
    for what, sql in ORPHAN_QUERIES.items():
        n = int(conn.execute(text(sql)).scalar() or 0)
        if n:
            out.append(f"{n} {what}")
    return out
