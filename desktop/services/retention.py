"""Retention: personal data of decided records leaves the device after a while (issue 7).

A record whose latest revision the server has acknowledged, and which the server has decided
(``verified`` or ``rejected``), keeps its personal data on the device for ``retention_days``
(a setting, default 90) counted from the decision's server time. After that
:func:`purge_expired` blanks it: the applicant JSON of the record and of every revision
(revision rows are deleted), the NIK, family card number, name and phone columns, the reviewer's
free-text note, and the search text (which then holds only the code, so the clerk can still
find the record by its code). The code, status, reason code, times and provenance remain, so
the clerk can still answer "what happened to my registration?".

Run after every pull that completes (:func:`purge_after_sync`, which the app's sync controller
and ``loket-desk sync`` hand to the engine as its ``after_pull``; sync/controller.py,
sync/commands.py) and by ``loket-desk purge --operator NAME``. Never for a record with something still in the outbox
or in conflict: that one is not settled.

Receipt PDFs are plaintext personal data (name, code). Versions before issue 12 kept a copy
of every receipt in ``data_dir/receipts`` forever; nothing writes there now, and
:func:`purge_receipt_files` (run with every purge and when the app starts) deletes whatever
is left, whatever its age.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from common.record import utcnow
from desktop import paths
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.queries import registrations as Q
from desktop.store.store import shred

log = logging.getLogger(__name__)

DEFAULT_DAYS = S.RETENTION_DAYS.default


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: int
    days: int


def retention_days(store: Store) -> int:
    """The retention period in days (a setting that is not a number reads as the default)."""
    return store.get(S.RETENTION_DAYS)


def purge_receipt_files(data_dir: Path) -> int:
    """Delete the receipt PDFs earlier versions left in ``data_dir/receipts`` (overwritten
    first, best effort: store.shred) and the folder once empty; the number deleted."""
    folder = paths.legacy_receipts_dir(Path(data_dir))
    if not folder.is_dir() or folder.is_symlink():
        return 0
    removed = 0
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            entry.unlink()  # never follow a link out of the data folder; the link itself goes
        elif not entry.is_file():
            continue
        else:
            try:
                shred(entry)
            except OSError:
                entry.unlink(missing_ok=True)
        removed += 1
    with contextlib.suppress(OSError):
        folder.rmdir()  # only if nothing else is in it
    if removed:
        log.info("retention: %d receipt file(s) left by an earlier version deleted", removed)
    return removed


def purge_expired(store: Store, *, clock: Callable[[], datetime] = utcnow) -> PurgeResult:
    """Blank the personal data of decided, acknowledged records older than the retention period
    (and delete receipt files left in the data folder by earlier versions)."""
    try:
        purge_receipt_files(store.data_dir)
    except OSError:
        log.warning("retention: old receipt files could not all be deleted", exc_info=True)
    days = retention_days(store)
    cutoff = clock() - timedelta(days=days)
    with store.write() as s:
        ids = Q.purgeable(s, cutoff)
        if not ids:
            return PurgeResult(0, days)
        Q.purge(s, ids)
    log.info(
        "retention: personal data of %d decided record(s) purged (after %d days)", len(ids), days
    )
    return PurgeResult(len(ids), days)


def purge_after_sync(store: Store) -> None:
    """The engine's hook after a successful pull: a failure here never fails the sync."""
    try:
        purge_expired(store)
    except Exception:
        log.exception("retention purge after sync failed")
