"""Claims in the console: a reviewer takes a duplicate group, a record, or a batch of the
oldest waiting records, for ``claim_minutes``; the claims page shows who is on what.

The rule itself (another reviewer's decision on claimed work is refused) is enforced in
:func:`syncserver.claims.check_decision`, inside every decision's transaction; these pages
only take and give back claims.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for

from syncserver import claims as c
from syncserver.console.access import needs, safe_next, staff
from syncserver.console.i18n import gettext as _
from syncserver.console.web import blueprint, form
from syncserver.context import loket
from syncserver.context import session as db
from syncserver.models import RegistrationRecord
from syncserver.queries import claims as cq
from syncserver.queries import console_duplicates as dq
from syncserver.queries import console_records as rq

bp = blueprint("claims", "/claims")
BATCH_SIZES = (10, 25, 50, 100)


def _minutes() -> int:
    return loket().settings.claim_minutes


def _back(default: str) -> str:
    return safe_next(form("back", 1000), default)


@bp.get("/")
@needs("view")
def index() -> Any:
    now = loket().clock()
    s = db()
    rows = c.live(s, now)
    ids = [r.target for r in rows if r.kind == c.REGISTRATION]
    codes = cq.codes_of(s, ids)
    return render_template(
        "console/claims.html",
        claims=rows,
        codes=codes,
        mine=sum(1 for r in rows if r.reviewer == staff().username),
        minutes=_minutes(),
        sizes=BATCH_SIZES,
    )


@bp.post("/next")
@needs("decide")
def claim_next() -> Any:
    """Claim a batch: the oldest waiting records in the reviewer's provinces."""
    who = staff()
    try:
        size = int(form("size", 4))
    except ValueError:
        size = BATCH_SIZES[0]
    size = size if size in BATCH_SIZES else BATCH_SIZES[0]
    got = c.claim_next_records(
        db(),
        who.username,
        now=loket().clock(),
        minutes=_minutes(),
        limit=size,
        provinces=who.provinces,
    )
    flash(_("%(n)s records claimed for %(m)s minutes.", n=len(got), m=_minutes()), "ok")
    return redirect(url_for("console_claims.index"), 303)


@bp.post("/group/<int:group_id>")
@needs("decide")
def claim_group(group_id: int) -> Any:
    who = staff()
    s = db()
    group = dq.get_group(s, group_id)
    if group is None:
        abort(404)
    back = _back(url_for("console_duplicates.show", group_id=group_id))
    got = c.claim(
        s, c.GROUP, [str(group_id)], who.username, now=loket().clock(), minutes=_minutes()
    )
    _flash_claimed(bool(got), s, c.GROUP, str(group_id))
    return redirect(back, 303)


@bp.post("/record/<reg_id>")
@needs("decide")
def claim_record(reg_id: str) -> Any:
    who = staff()
    s = db()
    reg = rq.get(s, reg_id[:64])
    if reg is None:
        abort(404)
    back = _back(url_for("console_records.show", reg_id=reg.id))
    got = c.claim(
        s, c.REGISTRATION, [reg.id], who.username, now=loket().clock(), minutes=_minutes()
    )
    _flash_claimed(bool(got), s, c.REGISTRATION, reg.id)
    return redirect(back, 303)


def _flash_claimed(got: bool, s: Any, kind: str, target: str) -> None:
    if got:
        flash(
            _("Claimed for %(m)s minutes: other reviewers cannot decide on it.", m=_minutes()), "ok"
        )
        return
    other = c.of(s, kind, target, loket().clock())
    flash(_("Already claimed by %(name)s.", name=other.reviewer if other else "?"), "error")


@bp.post("/release")
@needs("decide")
def release() -> Any:
    """Give back one claim (kind and target posted) or all of the reviewer's claims."""
    who = staff()
    kind, target = form("kind", 16), form("target", 64)
    back = _back(url_for("console_claims.index"))
    if kind in c.KINDS and target:
        n = c.release(db(), who.username, kind, [target])
    else:
        n = c.release(db(), who.username)
    flash(_("%(n)s claims released.", n=n), "ok")
    return redirect(back, 303)


def claim_on_record(reg: RegistrationRecord) -> c.Claim | None:
    """For templates: the live claim covering a record (its own or its group's)."""
    return c.holder(db(), reg, loket().clock())


def claim_on_group(group_id: int) -> c.Claim | None:
    """For templates: the live claim on a duplicate group."""
    return c.of(db(), c.GROUP, str(group_id), loket().clock())
