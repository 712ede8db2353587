"""The office's change feed as one device may see it: shared by a pull
(syncserver/api/sync.py) and a bundle's acknowledgement (syncserver/bundles.py), so both
carry exactly the same changes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.protocol import Change, ChangeKind, decode
from syncserver.models import ChangeRecord as ChangeRow
from syncserver.queries import changes as changes_q


def visible_changes(
    session: Session, device_id: str, office: str, rows: list[ChangeRow]
) -> list[Change]:
    """The page's changes as this device may see them: a revision change only for a record the
    device pushed a revision of; no registration code of another office (a decision's
    ``duplicate_of``; issue 12 finding 4); a revision change's content read from the revision
    history. At most three queries per page, none per change."""
    changes = [decode(Change, {**row.payload, "seq": int(row.seq)}) for row in rows]
    revised = {_key(c)[0] for c in changes if c.kind is ChangeKind.REVISION}
    mine = changes_q.touched_by(session, device_id, revised)
    codes = {c.duplicate_of for c in changes if c.duplicate_of is not None}
    own_codes = changes_q.codes_of_office(session, codes, office)
    wanted = {_key(c) for c in changes if c.kind is ChangeKind.REVISION and _key(c)[0] in mine}
    contents = changes_q.revision_contents(session, wanted)
    out = []
    for c in changes:
        if c.kind is ChangeKind.REVISION:
            if _key(c)[0] not in mine:
                continue
            c.data = contents.get(_key(c), {})
        if c.duplicate_of is not None and c.duplicate_of not in own_codes:
            c.duplicate_of = None
        out.append(c)
    return out


def _key(change: Change) -> tuple[str, int]:
    """(registration id, revision) of a revision change (which always has both)."""
    return change.registration_id or "", change.revision or 0
