"""Transfer by file in the window (issue 16): the Sync menu's three actions in Indonesian, an
export through the menu writes a real bundle (opened here with the server's key) and shows its
summary and the "in transit by file" line; a tampered or foreign acknowledgement shows the
catalog's words and is logged; an acknowledgement dropped on the window is imported (the
records leave "waiting" and "in transit"); a dropped ``.loket`` asks before it is sent.

The app runs as a clerk uses it (real store, signed-in operator, real widgets offscreen). The
server's bundle keys are a key pair made here and given to the device as enrollment would
(``save_server_keys``); the acknowledgement is sealed with them exactly as the server seals one
(``common.bundle.seal``, an ``AckPayload``). The end-to-end test with the real server's
acknowledgement is in test_bundles_e2e.py.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from common import bundle as B
from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import (
    AckManifest,
    AckPayload,
    Outcome,
    RecordResult,
    RecordsPayload,
    decode,
)
from desktop.services.device import device_info
from desktop.store import settings as S
from desktop.store.models import AuditEvent
from desktop.sync import bundle_keys as K

from .conftest import log_in
from .test_translations import assert_indonesian

pytestmark = pytest.mark.timeout(120)


# --- helpers ---------------------------------------------------------------------------------
def give_server_keys(store: Any) -> B.KeyPair:
    """The server's bundle keys as enrollment gives them, and this device's own pair (the
    server has its public halves, as after enrollment)."""
    server = B.KeyPair.generate()
    with store.write() as s:
        K.device_keys(s)
        S.BUNDLE_KEY_REGISTERED.set(s, True)
        K.save_server_keys(s, [K.as_message(server.public())])
    return server


def save_records(loket: Any, applicant: Any, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        result = loket.service.save(applicant())
        assert result.ok, result.problems
        ids.append(result.registration.id)
    loket.main_window.update_pending()
    return ids


def sealed_ack(
    store: Any,
    server: B.KeyPair,
    records: RecordsPayload,
    outcome: Outcome = Outcome.ACCEPTED,
) -> bytes:
    """An acknowledgement of ``records`` as the server makes one: signed by the server,
    encrypted to this device, every record answered with ``outcome``."""
    with store.read() as s:
        device = K.stored_device_keys(s)
        cursor = S.SYNC_CURSOR.get(s)
    assert device is not None
    info = device_info(store)
    manifest = AckManifest(
        ack_id=str(uuid.uuid4()),
        bundle_id=records.manifest.bundle_id,
        device_id=info.device_id,
        office_code=info.office_code,
        created_at=datetime.now(UTC).isoformat(),
        cursor_from=records.manifest.cursor,
        cursor_to=cursor or records.manifest.cursor,
        more=False,
    )
    results = [
        RecordResult(id=r.id, revision=r.revision, outcome=outcome)
        for batch in records.batches
        for r in batch.records
    ]
    payload = AckPayload(
        manifest=manifest,
        results=results,
        changes=[],
        bundle_keys=[K.as_message(server.public())],
    )
    return B.seal(
        B.Kind.ACK,
        wire.dumps(payload),
        bundle_id=manifest.ack_id,
        sender_id="server",
        office_code=info.office_code,
        sender=server,
        recipient=device.public(),
        recipient_id=info.device_id,
    )


def open_records(raw: bytes, server: B.KeyPair, device: B.PublicKeys) -> RecordsPayload:
    sealed = B.read(raw)
    assert sealed.header.kind is B.Kind.RECORDS
    B.verify(sealed, device)
    return decode(RecordsPayload, orjson.loads(B.open_payload(sealed, server)))


def device_public(store: Any) -> B.PublicKeys:
    with store.read() as s:
        keys = K.stored_device_keys(s)
    assert keys is not None
    return keys.public()


def sync_actions(window: Any) -> dict[str, str]:
    return {a.objectName(): a.text() for a in window.m_sync.actions() if a.objectName()}


def export_through_menu(qtbot: Any, window: Any, out: Path) -> Any:
    window.act_export_bundle.trigger()
    qtbot.waitUntil(lambda: window.dialog("bundleDialog_export") is not None)
    dialog: Any = window.dialog("bundleDialog_export")
    dialog.file.setText(str(out))
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.error is not None, timeout=20_000)
    assert dialog.error is None, dialog.result_label.text()
    return dialog


def drop_files(window: Any, *paths: Path) -> tuple[bool, bool]:
    """Drag the files over the window and drop them, as the file manager does; whether the
    window accepted the drag and the drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(
        where.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


@pytest.fixture
def signed_in(qtbot: Any, keyboard: Any, start_app: Any, gui_data_dir: Path) -> Any:
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    return loket


# --- tests ------------------------------------------------------------------------------------
def test_the_sync_menu_has_the_three_file_actions_in_indonesian(signed_in: Any) -> None:
    window = signed_in.main_window
    actions = sync_actions(window)
    assert actions["actExportBundle"] == "Ekspor berkas sinkronisasi…"
    assert actions["actImportAck"] == "Impor tanda terima…"
    assert actions["actRelayBundle"] == "Kirimkan berkas dari perangkat lain…"
    assert not window.in_transit_label.isVisible()  # nothing exported yet


def test_export_through_the_menu_writes_the_file_and_shows_the_summary(
    qtbot: Any, signed_in: Any, applicant: Any, tmp_path: Path
) -> None:
    loket = signed_in
    window = loket.main_window
    server = give_server_keys(loket.store)
    save_records(loket, applicant, 3)

    window.act_export_bundle.trigger()
    qtbot.waitUntil(lambda: window.dialog("bundleDialog_export") is not None)
    proposed = Path(window.dialog("bundleDialog_export").file.text())
    assert proposed.name == f"loket-320101-{date.today().isoformat()}.loket"
    assert not proposed.is_relative_to(loket.data_dir)  # never inside Loket's data folder

    out = tmp_path / "usb" / "ke-kantor.loket"
    out.parent.mkdir()
    dialog = export_through_menu(qtbot, window, out)
    summary = dialog.summary
    assert (summary.path, summary.records, summary.batches) == (out, 3, 1)
    assert summary.bytes == out.stat().st_size
    # a real bundle: the server's key opens it, the device's key verifies it, three records
    payload = open_records(out.read_bytes(), server, device_public(loket.store))
    assert payload.manifest.record_count == 3
    assert sum(len(b.records) for b in payload.batches) == 3
    text = dialog.result_label.text()
    assert f"Berkas sinkronisasi disimpan: {out}" in text
    assert "3 data dalam 1 kelompok, " in text
    # the in-transit line in the sync status area; the records still wait to be sent
    label = window.in_transit_label
    qtbot.waitUntil(label.isVisible)
    assert label.text().startswith("3 data dalam perjalanan lewat berkas sejak ")
    assert label.text()[-16:-6] == date.today().isoformat()  # "YYYY-MM-DD HH:MM", local
    # the window still fits 1366x768 at 125 % (1093 logical pixels): the line shortens
    window.resize(1093, 614)
    qtbot.waitUntil(lambda: window.width() == 1093)
    assert window.statusBar().minimumSizeHint().width() <= 1093
    assert label.shown_text() == label.text() or label.shown_text().endswith("…")
    assert label.text() in label.toolTip()
    assert loket.service.pending_count() == 3
    # made by the signed-in operator
    with loket.store.read() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "bundle_export")).all()
    assert [(e.operator, json.loads(e.detail_json)["records"]) for e in events] == [("clerk", 3)]


def test_the_dialogs_and_the_in_transit_line_are_indonesian(
    qtbot: Any, signed_in: Any, applicant: Any, tmp_path: Path
) -> None:
    window = signed_in.main_window
    give_server_keys(signed_in.store)
    save_records(signed_in, applicant, 1)
    seen: list[str] = []
    for action, name in (
        (window.act_export_bundle, "bundleDialog_export"),
        (window.act_import_ack, "bundleDialog_ack"),
        (window.act_relay_bundle, "bundleDialog_relay"),
    ):
        action.trigger()
        qtbot.waitUntil(lambda n=name: window.dialog(n) is not None)
        assert_indonesian(window.dialog(name), seen)
        if name != "bundleDialog_export":
            window.dialog(name).reject()
    export_through_menu(qtbot, window, tmp_path / "satu.loket")
    qtbot.waitUntil(window.in_transit_label.isVisible)
    assert_indonesian(window, seen)
    field = tmp_path / "lain.loket"
    field.write_bytes(b"x")
    drop_files(window, field)
    assert_indonesian(window.relay_confirm, seen)
    window.relay_confirm.reject()
    assert "Ekspor berkas sinkronisasi" in seen and len(seen) > 20


def test_the_file_actions_and_the_summary_in_english(
    qtbot: Any, keyboard: Any, start_app: Any, gui_data_dir: Path, applicant: Any, tmp_path: Path
) -> None:
    loket = start_app(gui_data_dir, lang="en")
    log_in(qtbot, keyboard, loket)
    window = loket.main_window
    actions = sync_actions(window)
    assert actions["actExportBundle"] == "Export sync file…"
    assert actions["actImportAck"] == "Import acknowledgement…"
    assert actions["actRelayBundle"] == "Send a file from another device…"
    give_server_keys(loket.store)
    save_records(loket, applicant, 2)
    out = tmp_path / "to-office.loket"
    dialog = export_through_menu(qtbot, window, out)
    assert "2 record(s) in 1 batch(es), " in dialog.result_label.text()
    qtbot.waitUntil(window.in_transit_label.isVisible)
    assert window.in_transit_label.text().startswith("2 record(s) in transit by file since ")


def test_nothing_to_export_says_so_in_plain_words(
    qtbot: Any, signed_in: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    window = signed_in.main_window
    give_server_keys(signed_in.store)
    window.act_export_bundle.trigger()
    dialog: Any = window.dialog("bundleDialog_export")
    dialog.file.setText(str(tmp_path / "kosong.loket"))
    with caplog.at_level(logging.ERROR):
        dialog.run_button.click()
        qtbot.waitUntil(lambda: dialog.error is not None, timeout=20_000)
    assert isinstance(dialog.error, ApiError) and dialog.error.code == E.BUNDLE_NOTHING_TO_SEND
    assert dialog.result_label.text() == "Ekspor gagal: " + E.message(
        E.BUNDLE_NOTHING_TO_SEND, {}, "id"
    )
    assert not (tmp_path / "kosong.loket").exists()
    assert any(E.BUNDLE_NOTHING_TO_SEND in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("damage", ["tampered", "foreign", "not_a_bundle"])
def test_a_tampered_or_foreign_acknowledgement_shows_the_catalog_message_and_is_logged(
    qtbot: Any,
    signed_in: Any,
    applicant: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    loket = signed_in
    window = loket.main_window
    server = give_server_keys(loket.store)
    save_records(loket, applicant, 2)
    out = tmp_path / "ke-kantor.loket"
    export_through_menu(qtbot, window, out)
    records = open_records(out.read_bytes(), server, device_public(loket.store))

    if damage == "tampered":  # one byte changed in the sealed part
        raw = bytearray(sealed_ack(loket.store, server, records))
        raw[-20] ^= 0x01
        ack = bytes(raw)
    elif damage == "foreign":  # another server's acknowledgement, well made
        ack = sealed_ack(loket.store, B.KeyPair.generate(), records)
    else:
        ack = b"PK\x03\x04 this is a zip file, not an acknowledgement"
    path = tmp_path / "balasan.ack"
    path.write_bytes(ack)

    window.act_import_ack.trigger()
    qtbot.waitUntil(lambda: window.dialog("bundleDialog_ack") is not None)
    dialog: Any = window.dialog("bundleDialog_ack")
    dialog.file.setText(str(path))
    with caplog.at_level(logging.ERROR):
        dialog.run_button.click()
        qtbot.waitUntil(lambda: dialog.error is not None, timeout=20_000)
    error = dialog.error
    assert isinstance(error, ApiError), repr(error)
    expected = {
        "tampered": {E.BUNDLE_TAMPERED},
        "foreign": {E.BUNDLE_UNKNOWN_SENDER, E.BUNDLE_TAMPERED},
        "not_a_bundle": {E.BUNDLE_UNREADABLE},
    }[damage]
    assert error.code in expected
    assert dialog.result_label.text() == "Tanda terima tidak diimpor: " + error.message("id")
    assert any(
        r.levelno == logging.ERROR and error.code in r.getMessage() for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
    # nothing changed: the records still wait and are still in transit
    assert loket.service.pending_count() == 2
    assert window.in_transit_label.text().startswith("2 data dalam perjalanan lewat berkas")


def test_an_acknowledgement_dropped_on_the_window_is_imported(
    qtbot: Any, signed_in: Any, applicant: Any, tmp_path: Path
) -> None:
    loket = signed_in
    window = loket.main_window
    server = give_server_keys(loket.store)
    ids = save_records(loket, applicant, 3)
    out = tmp_path / "ke-kantor.loket"
    export_through_menu(qtbot, window, out)
    qtbot.waitUntil(window.in_transit_label.isVisible)
    records = open_records(out.read_bytes(), server, device_public(loket.store))
    ack = tmp_path / "ke-kantor.loket.ack"
    ack.write_bytes(sealed_ack(loket.store, server, records))

    other = tmp_path / "catatan.txt"
    other.write_text("bukan berkas Loket")
    assert drop_files(window, other) == (False, False)  # other files are not taken
    assert drop_files(window, ack) == (True, True)
    qtbot.waitUntil(lambda: window.dialog("bundleDialog_ack") is not None)
    dialog: Any = window.dialog("bundleDialog_ack")
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.error is not None, timeout=20_000)
    assert dialog.error is None, dialog.result_label.text()
    summary = dialog.summary
    assert summary.outcomes[Outcome.ACCEPTED.value] == 3 and summary.pending_after == 0
    assert dialog.result_label.text().startswith(
        "Tanda terima diimpor: 3 diterima, 0 ditandai, 0 perlu perhatian."
    )
    # the records left "waiting" and "in transit"; their status is the server's
    qtbot.waitUntil(lambda: not window.in_transit_label.isVisible())
    assert loket.service.pending_count() == 0
    assert all(loket.service.state(i).server_outcome == Outcome.ACCEPTED.value for i in ids)
    qtbot.waitUntil(lambda: window.sync_status.pending_label.text() == "Menunggu dikirim: 0")

    # the same file again: nothing changes, and the clerk is told so
    assert drop_files(window, ack) == (True, True)
    qtbot.waitUntil(lambda: dialog.summary is not None and dialog.summary.already_applied)
    assert dialog.result_label.text() == (
        "Tanda terima ini sudah pernah diimpor: tidak ada yang berubah."
    )


def test_a_dropped_sync_file_is_sent_only_after_the_clerk_confirms(
    qtbot: Any, signed_in: Any, tmp_path: Path
) -> None:
    """The relay asks first; "Cancel" (the default) sends nothing. Confirmed, this device,
    enrolled without a server here, is refused and the clerk reads why."""
    window = signed_in.main_window
    field = tmp_path / "laptop-lapangan.loket"
    field.write_bytes(b"LOKETBDL" + bytes(64))

    assert drop_files(window, field) == (True, True)
    box = window.relay_confirm
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "laptop-lapangan.loket" in box.text()
    assert box.defaultButton() is box.escapeButton()
    box.reject()  # Esc
    qtbot.waitUntil(lambda: not box.isVisible())
    assert window.dialog("bundleDialog_relay") is None

    assert drop_files(window, field) == (True, True)
    box = window.relay_confirm
    send = next(b for b in box.buttons() if b.objectName() == "confirmRelayButton")
    assert send.text() == "Kirim"
    send.click()
    qtbot.waitUntil(lambda: window.dialog("bundleDialog_relay") is not None)
    dialog: Any = window.dialog("bundleDialog_relay")
    qtbot.waitUntil(lambda: dialog.error is not None or dialog.summary is not None, timeout=20_000)
    assert isinstance(dialog.error, ApiError), dialog.result_label.text()
    assert dialog.result_label.text() == "Berkas tidak dikirim: " + dialog.error.message("id")


@pytest.mark.parametrize(
    ("outcome", "line"),
    [
        (Outcome.DUPLICATE_NIK, "Tanda terima diimpor: 0 diterima, 2 ditandai, 0 perlu perhatian."),
        (Outcome.CONFLICT, "Tanda terima diimpor: 0 diterima, 0 ditandai, 2 perlu perhatian."),
    ],
)
def test_the_acknowledgement_summary_counts_flagged_and_needing_attention(
    qtbot: Any, signed_in: Any, applicant: Any, tmp_path: Path, outcome: Outcome, line: str
) -> None:
    loket = signed_in
    window = loket.main_window
    server = give_server_keys(loket.store)
    save_records(loket, applicant, 2)
    out = tmp_path / "ke-kantor.loket"
    export_through_menu(qtbot, window, out)
    records = open_records(out.read_bytes(), server, device_public(loket.store))
    ack = tmp_path / "balasan.ack"
    ack.write_bytes(sealed_ack(loket.store, server, records, outcome))
    window.act_import_ack.trigger()
    dialog: Any = window.dialog("bundleDialog_ack")
    dialog.file.setText(str(ack))
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.error is not None, timeout=20_000)
    assert dialog.error is None, dialog.result_label.text()
    assert dialog.result_label.text().startswith(line)
    assert dialog.summary.outcomes[outcome.value] == 2


def test_closing_the_dialog_while_it_works_loses_neither_the_result_nor_a_failure(
    qtbot: Any, signed_in: Any, applicant: Any, tmp_path: Path
) -> None:
    """The clerk closes the dialog at once: the export still lands (the in-transit line
    shows it); a refusal after closing shows on the window in the catalog's words."""
    loket = signed_in
    window = loket.main_window
    give_server_keys(loket.store)
    save_records(loket, applicant, 2)
    window.act_export_bundle.trigger()
    dialog: Any = window.dialog("bundleDialog_export")
    out = tmp_path / "ditutup.loket"
    dialog.file.setText(str(out))
    dialog.run_button.click()
    dialog.reject()  # before the database worker answered
    qtbot.waitUntil(window.in_transit_label.isVisible, timeout=20_000)
    assert window.in_transit_label.text().startswith("2 data dalam perjalanan lewat berkas")
    assert out.is_file()

    bad = tmp_path / "rusak.ack"
    bad.write_bytes(b"LOKETBDL rusak")
    window.act_import_ack.trigger()
    dialog = window.dialog("bundleDialog_ack")
    dialog.file.setText(str(bad))
    dialog.run_button.click()
    dialog.reject()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "bundleFailedBox") is not None)
    box = window.findChild(QMessageBox, "bundleFailedBox")
    assert isinstance(dialog.error, ApiError)
    assert box.text() == "Tanda terima tidak diimpor: " + dialog.error.message("id")
    box.reject()
