"""The record view says when the record's data came from another device of the office
(issue 12 finding 13; the sync side is tested end to end in tests/e2e/test_changed_elsewhere.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel

from common.enums import Status
from common.i18n import Lang
from common.protocol import Change, ChangeKind
from common.synthetic import generate
from desktop.dialogs.record_view import RecordView
from desktop.services.operators import create_first_operator
from desktop.services.registrations import RegistrationService
from desktop.store.models import RegistrationRecord
from desktop.sync.engine import apply_change
from tests.support.enrolled import enroll_offline


def test_a_revision_applied_from_the_feed_is_shown_as_changed_elsewhere(
    qtbot: Any, tmp_path: Path
) -> None:
    store, operator = create_first_operator(tmp_path / "desk", "clerk", "rahasia-123", "Siti")
    try:
        enroll_offline(store)  # saving needs an enrolled device (issue 13)
        service = RegistrationService(store, operator)
        saved = service.save(generate(1, seed=3, today=date.today())[0].applicant)
        rid = saved.registration.id
        with store.session() as s:  # as after a sync: revision 1 is the server's
            row = s.get(RegistrationRecord, rid)
            row.base_revision_synced, row.status = 1, "received"
        applicant = dict(saved.registration.applicant.to_dict(), phone="081299990000")
        change = Change(
            seq=5,
            kind=ChangeKind.REVISION,
            registration_id=rid,
            revision=2,
            status=Status.RECEIVED,
            data={"applicant": applicant, "operator": "lain"},
        )
        with store.session() as s:
            apply_change(s, change)
        state = service.state(rid)
        assert json.loads(state.conflict_detail)["outcome"] == "changed_elsewhere"
        view = RecordView(state.registration, service.history(rid), Lang.EN, None, state=state)
        qtbot.addWidget(view)
        label = view.findChild(QLabel, "changedElsewhere")
        assert label is not None and "revision 2" in label.text()
        assert state.registration.applicant.phone == "081299990000"
    finally:
        store.close()
