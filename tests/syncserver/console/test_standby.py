"""The console's read-only pages on a REAL PostgreSQL streaming standby (``console_database``):
a hot standby taken with ``pg_basebackup -R`` of the test cluster (tests/support/pgstandby.py).

What proves the standby served a page: its replay is paused (WAL still arrives, nothing is
applied), a record is pushed to the primary, and the list does not show it until replay
resumes; and ``g.db_read_on_standby`` / ``pg_is_in_recovery()`` on the session the page used.
Writes (decisions, the session check, the sync API) go to the primary, the reviewer sees their
own decision at once however far the standby lags, and a stopped standby leaves the console
working on the primary."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from sqlalchemy import text

from common.synthetic import generate
from syncserver import db
from syncserver.app import create_app
from syncserver.context import WROTE_LSN, read_session
from tests.support.pgcluster import PgCluster
from tests.support.pgstandby import PgStandby
from tests.syncserver.console.conftest import post, rev

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url(pg_database: str) -> str:
    return pg_database


@pytest.fixture
def standby(pg_cluster: PgCluster) -> Iterator[PgStandby]:
    with PgStandby(pg_cluster) as sb:
        yield sb


@pytest.fixture
def app(db_url: str, standby: PgStandby, tmp_path: Path, clock: Any) -> Iterator[Flask]:
    name = db_url.rsplit("/", 1)[1]
    application = create_app(
        {
            "database": db_url,
            "console_database": standby.url(name),
            "data_dir": str(tmp_path),
            "clock": clock,
        }
    )
    ext = application.extensions["loket"]
    db.migrate(ext.engine)
    standby.wait_replayed()
    ext.standby.lag_wait = 0.3  # a paused standby is passed over quickly here
    yield application
    ext.standby.dispose()
    ext.engine.dispose()


def served(client: Any, path: str, **kw: Any) -> tuple[str, bool]:
    """The page's text and whether its reads ran on the standby."""
    with client:
        r = client.get(path, **kw)
        assert r.status_code == 200, (path, r.status_code)
        return r.get_data(as_text=True), bool(g.get("db_read_on_standby"))


def test_the_read_session_is_on_the_standby(app: Flask) -> None:
    with app.test_request_context("/console/"):
        s = read_session()
        assert s.execute(text("select pg_is_in_recovery()")).scalar() is True
        assert g.db_read_on_standby is True
    with app.app_context():
        with db.transaction(app.extensions["loket"].sessions) as primary:
            assert primary.execute(text("select pg_is_in_recovery()")).scalar() is False


def test_lists_search_dashboard_record_and_export_read_the_standby(
    signed_in: dict[str, Any], api: Any, seeded: Any, standby: PgStandby
) -> None:
    c = signed_in["reviewer"]
    standby.wait_replayed()
    for path in ("/console/", "/console/records/", "/console/records/queue", "/console/batches/"):
        page, on_standby = served(c, path)
        assert on_standby, path
    page, on_standby = served(c, "/console/records/", query_string={"q": seeded.dup_nik})
    assert on_standby and all(f"/console/records/{i}" in page for i in seeded.dup_ids)
    page, on_standby = served(c, f"/console/records/{seeded.ids[0]}")
    assert on_standby and seeded.ids[0] in page

    standby.pause_replay()
    try:
        late = api.record(generate(1, seed=8181)[0].applicant, seeded.devices["320101"])
        assert api.push(seeded.devices["320101"], [late]).outcomes == ["accepted"]  # primary
        page, on_standby = served(c, "/console/records/")
        assert on_standby and f"/console/records/{late.id}" not in page  # the standby's data
        with c:
            assert c.get(f"/console/records/{late.id}").status_code == 404
            assert g.db_read_on_standby is True
        with c:
            r = post(c, "/console/export.csv", {"full_nik": "0"})
            assert r.status_code == 200 and g.db_read_on_standby is True
            csv_text = r.get_data(as_text=True)
        assert late.id not in csv_text and seeded.ids[0] in csv_text
    finally:
        standby.resume_replay()
    standby.wait_replayed()
    page, on_standby = served(c, "/console/records/")
    assert on_standby and f"/console/records/{late.id}" in page


def test_a_decision_goes_to_the_primary_and_its_maker_sees_it_at_once(
    signed_in: dict[str, Any], api: Any, seeded: Any, standby: PgStandby
) -> None:
    c = signed_in["reviewer"]
    a, b = seeded.ids[:2]
    standby.wait_replayed()
    # a healthy standby: the next page waits for it to replay the decision, then reads it
    # (a wait long enough for a loaded machine: the fixture's 0.3 s is for a paused standby)
    api.ext.standby.lag_wait = 10.0
    r = post(c, f"/console/records/{a}/decide", {"action": "verified", **rev(api, a)})
    assert r.status_code == 303
    assert api.sql("select status from registrations where id = :i", i=a)[0][0] == "verified"
    page, on_standby = served(c, r.headers["Location"])
    assert on_standby and "decision.verified" in page
    with c.session_transaction() as cookie:
        assert WROTE_LSN not in cookie  # replayed: later reads do not wait

    # a standby that does not replay: the reviewer's next page reads the primary
    api.ext.standby.lag_wait = 0.3
    standby.pause_replay()
    try:
        r = post(c, f"/console/records/{b}/decide", {"action": "verified", **rev(api, b)})
        assert r.status_code == 303
        with c.session_transaction() as cookie:
            assert cookie.get(WROTE_LSN)
        page, on_standby = served(c, r.headers["Location"])
        assert not on_standby and "decision.verified" in page
        page, on_standby = served(c, "/console/records/", query_string={"status": "verified"})
        assert not on_standby and f"/console/records/{b}" in page
        # another reviewer, who wrote nothing, is served by the lagging standby
        page, on_standby = served(signed_in["viewer"], f"/console/records/{b}")
        assert on_standby and "decision.verified" not in page
    finally:
        standby.resume_replay()
    standby.wait_replayed()
    api.ext.standby.lag_wait = 10.0
    page, on_standby = served(c, f"/console/records/{b}")
    assert on_standby and "decision.verified" in page


def test_a_stopped_standby_leaves_the_console_on_the_primary(
    signed_in: dict[str, Any],
    api: Any,
    seeded: Any,
    standby: PgStandby,
    caplog: pytest.LogCaptureFixture,
) -> None:
    c = signed_in["reviewer"]
    standby.stop()
    with caplog.at_level(logging.WARNING, logger="syncserver.standby"):
        for path in ("/console/", "/console/records/", f"/console/records/{seeded.ids[0]}"):
            page, on_standby = served(c, path)
            assert not on_standby, path
        assert seeded.ids[0] in page
    warnings = [r for r in caplog.records if "standby unreachable" in r.getMessage()]
    assert len(warnings) == 1  # tried once, then left alone for retry_after seconds
    a = seeded.ids[1]
    r = post(c, f"/console/records/{a}/decide", {"action": "verified", **rev(api, a)})
    assert r.status_code == 303
    page, on_standby = served(c, r.headers["Location"])
    assert not on_standby and "decision.verified" in page
    with c:
        r = post(c, "/console/export.csv", {"full_nik": "0"})
        assert r.status_code == 200 and seeded.ids[0] in r.get_data(as_text=True)
