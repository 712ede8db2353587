"""The server's bundle keys (syncserver/bundle_keys.py): one private file, made once even by
processes starting together, rotation with a grace period for the previous key."""

from __future__ import annotations

import multiprocessing
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from common import bundle as B
from common import errors as E
from common.errors import ApiError
from syncserver import bundle_keys as K

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
GRACE = timedelta(days=30)


def _seal_to(key: B.PublicKeys) -> B.Sealed:
    device = B.KeyPair.generate()
    raw = B.seal(
        B.Kind.RECORDS,
        b"{}",
        bundle_id="b-1",
        sender_id="d-1",
        office_code="320101",
        sender=device,
        recipient=key,
        recipient_id="server",
    )
    return B.read(raw)


def test_made_at_first_need_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / K.KEY_FILE_NAME
    first = K.load(path, GRACE, NOW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = K.load(path, GRACE, NOW + timedelta(days=400))
    assert again.current.pair == first.current.pair
    assert [k.key_id for k in again.accepted(NOW)] == [first.current.key_id]
    (only,) = first.public_list(NOW)
    assert only.key_id == first.current.key_id and only.accept_until is None
    # what a device receives opens nothing: it holds the public halves only
    assert "secret" not in repr(only)


def _load_key_id(path: str, queue: multiprocessing.Queue[str]) -> None:
    queue.put(K.load(Path(path), GRACE, NOW).current.key_id)


def test_processes_starting_together_make_one_key(tmp_path: Path) -> None:
    path = tmp_path / K.KEY_FILE_NAME
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_load_key_id, args=(str(path), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    ids = {queue.get(timeout=5) for _ in procs}
    assert ids == {K.load(path, GRACE, NOW).current.key_id}


def test_rotation_keeps_the_previous_key_for_the_grace_period(tmp_path: Path) -> None:
    path = tmp_path / K.KEY_FILE_NAME
    old = K.load(path, GRACE, NOW).current
    sealed_to_old = _seal_to(old.pair.public())
    later = NOW + timedelta(days=10)
    keys = K.rotate(path, GRACE, later)
    assert keys.current.key_id != old.key_id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reloaded = K.load(path, GRACE, later)
    # the current key first; the previous one until its grace ends
    listed = reloaded.public_list(later)
    assert [k.key_id for k in listed] == [keys.current.key_id, old.key_id]
    assert listed[1].accept_until == "2026-07-11T02:00:00Z"
    pair = reloaded.opening(sealed_to_old.header.recipient_key, later + GRACE)
    assert B.open_payload(sealed_to_old, pair) == b"{}"
    with pytest.raises(ApiError) as refused:
        reloaded.opening(old.key_id, later + GRACE + timedelta(seconds=1))
    assert refused.value.code == E.BUNDLE_KEY_EXPIRED
    assert [k.key_id for k in reloaded.accepted(later + GRACE * 2)] == [keys.current.key_id]


def test_a_key_this_server_never_had_is_the_wrong_recipient(tmp_path: Path) -> None:
    keys = K.load(tmp_path / K.KEY_FILE_NAME, GRACE, NOW)
    foreign = _seal_to(B.KeyPair.generate().public())
    with pytest.raises(ApiError) as refused:
        keys.opening(foreign.header.recipient_key, NOW)
    assert refused.value.code == E.BUNDLE_WRONG_RECIPIENT


@pytest.mark.parametrize(
    "content",
    ["", "{", '{"format": 2, "keys": [{}]}', '{"format": 1, "keys": []}', '{"format": 1}', "[]"],
)
def test_a_damaged_key_file_is_a_clear_configuration_error(tmp_path: Path, content: str) -> None:
    """Never a new key silently made over a damaged file (bundles in transit to the old key
    would become unreadable): the file is left as it is and the error names it."""
    path = tmp_path / K.KEY_FILE_NAME
    path.write_text(content)
    with pytest.raises(ApiError) as refused:
        K.load(path, GRACE, NOW)
    assert refused.value.code == E.CONFIG_INVALID
    assert str(path) in refused.value.params["detail"]
    assert path.read_text() == content


def test_rotate_command_audits_and_keeps_the_previous_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine, text

    from syncserver import config
    from syncserver.cli import main

    d = ["--data-dir", str(tmp_path)]
    assert main([*d, "migrate"]) == 0
    settings = config.load(tmp_path)
    assert K.key_file(settings) == tmp_path / K.KEY_FILE_NAME
    before = K.for_settings(settings, datetime.now(UTC)).current.key_id
    capsys.readouterr()
    assert main([*d, "rotate-bundle-key"]) == 0
    out = capsys.readouterr().out
    keys = K.for_settings(settings, datetime.now(UTC))
    assert keys.current.key_id != before
    assert f"new bundle key {keys.current.key_id}" in out
    assert f"previous key {before} accepted until" in out
    assert [k.key_id for k in keys.accepted(datetime.now(UTC))] == [keys.current.key_id, before]
    engine = create_engine(f"sqlite:///{tmp_path / 'loket-server.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT target_id FROM audit_log WHERE action = 'bundle_key.rotate'")
        ).all()
    engine.dispose()
    assert [r[0] for r in rows] == [keys.current.key_id]


def test_the_key_file_setting_is_honoured(tmp_path: Path) -> None:
    from syncserver import config

    elsewhere = tmp_path / "keys" / "loket-bundles.json"
    settings = config.from_mapping({"data_dir": str(tmp_path), "bundle_key_file": str(elsewhere)})
    K.for_settings(settings, NOW)
    assert elsewhere.is_file() and not (tmp_path / K.KEY_FILE_NAME).exists()


def test_rotate_command_changes_nothing_when_the_audit_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rotation is audited or it does not happen: with the database unreachable the
    command fails and the key file is byte for byte what it was."""
    from syncserver import config
    from syncserver.cli import main
    from tests.support.netutil import free_port

    settings = config.load(tmp_path)
    K.for_settings(settings, datetime.now(UTC))
    path = K.key_file(settings)
    before = path.read_bytes()
    nowhere = f"postgresql+psycopg://loket@127.0.0.1:{free_port()}/loket?connect_timeout=2"
    assert main(["--data-dir", str(tmp_path), "--database", nowhere, "rotate-bundle-key"]) == 1
    assert path.read_bytes() == before
    out, err = capsys.readouterr()
    assert "new bundle key" not in out
    assert err.startswith("loket-server: DATABASE_UNREACHABLE: The database cannot be reached")
