"""Refused decisions: the page a reviewer sees when a decision names a revision that is no
longer current (with what changed since), or a record outside their provinces.

Both answers are 4xx, so the request's transaction is rolled back (syncserver/app.py): a
bulk or a group resolution refused here leaves nothing half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

from common import errors as E
from common.digits import is_digits
from common.record import APPLICANT_FIELDS
from syncserver.console.i18n import current_lang
from syncserver.console.i18n import gettext as _
from syncserver.models import RegistrationRecord
from syncserver.queries import console_records as q


def diff_fields(newer: dict[str, Any], older: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every applicant field that differs (the record page's
    revision diff, reused for a refused decision)."""
    keys = [k for k in APPLICANT_FIELDS if k in newer or k in older]
    keys += sorted(k for k in set(newer) | set(older) if k not in APPLICANT_FIELDS)
    return [(k, older.get(k), newer.get(k)) for k in keys if older.get(k) != newer.get(k)]


def parse_revision(text: str | None) -> int | None:
    """A posted revision (digits only, bounded), or None."""
    text = (text or "").strip()
    if not is_digits(text) or len(text) > 9:  # a revision fits both schemas' integer
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class Stale:
    """A record whose current revision is not the one the reviewer decided on."""

    reg: RegistrationRecord
    seen: int
    changes: list[tuple[str, Any, Any]]
    message: str


def stale(s: Session, reg: RegistrationRecord, seen: int) -> Stale:
    """What changed between revision ``seen`` and the record's current revision."""
    by_rev = {r.revision: r for r in q.revisions(s, reg.id)}
    older = by_rev.get(seen)
    changes = diff_fields(reg.applicant or {}, older.applicant or {}) if older is not None else []
    params = {"code": reg.code, "seen": seen, "current": reg.revision}
    return Stale(reg, seen, changes, E.message(E.DECISION_STALE_REVISION, params, current_lang()))


def stale_page(items: list[Stale], back: str, full_nik: bool) -> Any:
    """409: the decision was not saved; each stale record with its changes since."""
    return (
        render_template(
            "console/stale.html",
            items=items,
            back=back,
            full_nik=full_nik,
            error_code=E.DECISION_STALE_REVISION,
        ),
        409,
    )


def refused(code: str, params: dict[str, Any] | None = None) -> Any:
    """An error page with a catalog code and message, at the code's HTTP status."""
    status = E.spec(code).http_status
    title = _("You may not open this page") if status == 403 else _("Error")
    return (
        render_template(
            "console/error.html",
            code=status,
            title=title,
            message=E.message(code, params, current_lang()),
            error_code=code,
        ),
        status,
    )


#: Refusals of a verification by the programme's rules (syncserver/decisions._verify).
RULE_CODES = (E.DECISION_NIK_VERIFIED, E.DECISION_KK_FULL)


def rule_refused(s: Session, reg: RegistrationRecord, code: str, message: str, back: str) -> Any:
    """409: verifying ``reg`` would break a rule (one verified registration per NIK, two per
    family card); the message names the verified registration(s). The duplicate group of the
    NIK or card is offered, to reopen it when resolved (the reviewer chooses again there)."""
    from syncserver.console.access import staff
    from syncserver.queries import console_duplicates as dq

    kind, key = ("nik", reg.nik) if code == E.DECISION_NIK_VERIFIED else ("kk", reg.kk_number)
    group = dq.group_for(s, kind, key)
    return (
        render_template(
            "console/rule_refused.html",
            reg=reg,
            message=message,
            error_code=code,
            group=group,
            can_reopen=staff().can("decide"),
            back=back,
        ),
        409,
    )
