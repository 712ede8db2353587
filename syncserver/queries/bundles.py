"""SQL for imported bundles (``bundle_imports``; syncserver/bundles.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syncserver.models import BundleImport


def find(session: Session, device_id: str, bundle_id: str) -> BundleImport | None:
    return session.scalar(
        select(BundleImport).where(
            BundleImport.device_id == device_id, BundleImport.bundle_id == bundle_id
        )
    )


def get(session: Session, import_id: int) -> BundleImport | None:
    return session.get(BundleImport, import_id)


def add(session: Session, row: BundleImport) -> bool:
    """Insert ``row``; False (and nothing written) when the device's bundle is there already
    (imported at the same moment by another process)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
