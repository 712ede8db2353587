"""Admin: offices (create), devices (enrollment codes, revoke), staff accounts (create,
disable, role, provinces) and the audit log. Every change is in the audit log."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from common.accounts import MIN_PASSWORD_LENGTH, is_staff_name
from common.regions import regions
from syncserver.console.access import needs, staff
from syncserver.console.i18n import gettext as _
from syncserver.console.web import arg, blueprint, form, int_arg, parse_date
from syncserver.context import loket
from syncserver.context import session as db
from syncserver.enrollment import issue_code
from syncserver.queries import console_admin as q
from syncserver.queries import devices as devices_q
from syncserver.queries import users as users_q
from syncserver.queries.console_records import day_start
from syncserver.queries.reviews import append_audit
from syncserver.users import ROLES, add_user, set_password

bp = blueprint("admin", "/admin")
PER_PAGE = 50


def _audit(
    action: str, target_kind: str, target_id: str, office: str | None = None, **details: Any
) -> None:
    append_audit(
        db(),
        now=loket().clock(),
        actor_kind="staff",
        actor=staff().username,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        office_code=office,
        details=details,
    )


@bp.get("/")
@needs("admin")
def index() -> Any:
    return redirect(url_for("console_admin.offices"))


# --- offices --------------------------------------------------------------------------------
@bp.get("/offices")
@needs("admin")
def offices(code: str | None = None, code_office: str | None = None, status: int = 200) -> Any:
    page = int_arg("page", 1, 1)
    rows, more = q.list_offices(db(), offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template(
        "console/admin_offices.html",
        offices=rows,
        page=page,
        more=more,
        enroll_code=code,
        enroll_office=code_office,
        ttl_hours=loket().settings.enroll_code_ttl_hours,
    ), status


@bp.post("/offices")
@needs("admin")
def add_office() -> Any:
    code, name, regency = form("code", 6), form("name", 200), form("regency", 5).replace(".", "")
    dotted = f"{regency[:2]}.{regency[2:]}"
    if not re.fullmatch(r"[0-9]{4}", regency) or dotted not in regions():
        flash(_("Unknown regency code."), "error")
    elif not re.fullmatch(r"[0-9]{6}", code) or not code.startswith(regency) or code[4:] == "00":
        flash(
            _("The office code is the regency code (4 digits) and an office number 01-99."), "error"
        )
    elif not name:
        flash(_("Give the office a name."), "error")
    elif devices_q.get_office(db(), code) is not None:
        flash(_("Office %(code)s exists already.", code=code), "error")
    else:
        devices_q.add_office(db(), code, dotted, name, loket().clock())
        _audit("office.add", "office", code, code, name=name, regency=dotted)
        flash(_("Office %(code)s added.", code=code), "ok")
    return redirect(url_for("console_admin.offices"), 303)


@bp.post("/offices/<code>/enroll-code")
@needs("admin")
def enroll_code(code: str) -> Any:
    if devices_q.get_office(db(), code[:6]) is None:
        abort(404)
    hours = loket().settings.enroll_code_ttl_hours
    one_time = issue_code(
        db(), code[:6], loket().clock(), timedelta(hours=hours), by=staff().username
    )
    # shown once on this page (not through a redirect: the code never sits in a cookie)
    return offices(code=one_time, code_office=code[:6])


# --- devices --------------------------------------------------------------------------------
@bp.get("/devices")
@needs("admin")
def devices() -> Any:
    office = (request.args.get("office") or "").strip()[:6]
    page = int_arg("page", 1, 1)
    rows, more = q.list_devices(db(), office=office, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template(
        "console/admin_devices.html", devices=rows, office=office, page=page, more=more
    )


@bp.post("/devices/<device_id>/revoke")
@needs("admin")
def revoke(device_id: str) -> Any:
    device = q.get_device(db(), device_id[:36])
    if device is None:
        abort(404)
    if devices_q.revoke_device(db(), device.id, loket().clock()):
        _audit("device.revoke", "device", device.id, device.office_code, device_no=device.device_no)
        flash(
            _(
                "Device %(no)s of office %(office)s revoked: it is refused from now on.",
                no=device.device_no,
                office=device.office_code,
            ),
            "ok",
        )
    return redirect(url_for("console_admin.devices", office=device.office_code), 303)


# --- staff accounts -------------------------------------------------------------------------
#: the staff form's ``scope``: every province (chosen explicitly), or only the ticked ones
SCOPE_ALL, SCOPE_SOME = "all", "some"


def _provinces_from_form() -> tuple[list[str] | None, str]:
    """The provinces an account may see ([]: all of them) and "", or None and why not.

    "All" is a choice of its own (``scope=all``): an empty selection is refused rather
    than taken for "all", which is how an account came to see every province by mistake.
    Ticked provinces without a ``scope`` mean "only these"."""
    ticked = request.form.getlist("provinces")
    scope = form("scope", 8) or (SCOPE_SOME if ticked else "")
    if scope == SCOPE_ALL:
        return [], ""
    if scope != SCOPE_SOME or not ticked:
        return None, _("Choose the provinces: all provinces, or tick at least one.")
    known = {a.code for a in regions().children("")}
    chosen = sorted(set(ticked))
    if not all(p in known for p in chosen):
        return None, _("Unknown province code.")
    return chosen, ""


@bp.get("/users")
@needs("admin")
def users(temporary: str | None = None, temporary_for: str | None = None) -> Any:
    page = int_arg("page", 1, 1)
    rows, more = q.list_users(db(), offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template(
        "console/admin_users.html",
        users=rows,
        page=page,
        more=more,
        roles=ROLES,
        provinces=[(a.code, a.name) for a in regions().children("")],
        me=staff().username,
        province_names={a.code: a.name for a in regions().children("")},
        temporary=temporary,
        temporary_for=temporary_for,
    )


@bp.post("/users")
@needs("admin")
def create_user() -> Any:
    username, role = form("username", 64), form("role", 16)
    password = request.form.get("password") or ""
    provinces, provinces_error = _provinces_from_form()
    if not is_staff_name(username):
        flash(_("A username has 1 to 64 letters, digits, dots, dashes or underscores."), "error")
    elif len(password) < MIN_PASSWORD_LENGTH:
        flash(_("The password must have at least 8 characters."), "error")
    elif role not in ROLES:
        flash(_("Choose a role."), "error")
    elif provinces is None:
        flash(provinces_error, "error")
    elif users_q.get_user(db(), username) is not None:
        flash(_("User %(name)s exists already.", name=username), "error")
    else:
        add_user(db(), username, password, role, provinces, by=staff().username)
        flash(_("User %(name)s created.", name=username), "ok")
    return redirect(url_for("console_admin.users"), 303)


@bp.post("/users/<int:user_id>")
@needs("admin")
def update_user(user_id: int) -> Any:
    user = q.user_by_id(db(), user_id)
    if user is None:
        abort(404)
    role = form("role", 16)
    active = request.form.get("active") == "1"
    provinces, provinces_error = _provinces_from_form()
    if role not in ROLES or provinces is None:
        flash(_("Choose a role.") if role not in ROLES else provinces_error, "error")
        return redirect(url_for("console_admin.users"), 303)
    if user.username == staff().username and (not active or role != "admin"):
        flash(_("You cannot disable your own account or take away your own admin role."), "error")
        return redirect(url_for("console_admin.users"), 303)
    before = {"role": user.role, "active": user.active, "provinces": list(user.provinces or [])}
    q.update_user(db(), user.id, role=role, active=active, provinces=provinces)
    if not active:
        users_q.end_user_sessions(db(), user.id)  # a disabled account is signed out at once
    _audit(
        "user.update",
        "staff_user",
        user.username,
        before=before,
        after={"role": role, "active": active, "provinces": provinces},
    )
    flash(_("User %(name)s updated.", name=user.username), "ok")
    return redirect(url_for("console_admin.users"), 303)


@bp.post("/users/<int:user_id>/password")
@needs("admin")
def reset_password(user_id: int) -> Any:
    """A temporary password for a staff member who forgot theirs: random, shown to the admin
    once on this page (never in a cookie or a URL), audited; every session of the account
    ends. The staff member changes it on the password page after signing in."""
    user = q.user_by_id(db(), user_id)
    if user is None:
        abort(404)
    if user.username == staff().username:
        flash(_("Change your own password on the password page."), "error")
        return redirect(url_for("console_admin.users"), 303)
    temporary = secrets.token_urlsafe(12)
    set_password(
        db(),
        user,
        temporary,
        by=staff().username,
        now=loket().clock(),
        action="user.password_reset",
    )
    return users(temporary=temporary, temporary_for=user.username)


# --- audit log ------------------------------------------------------------------------------
@bp.get("/audit")
@needs("admin")
def audit() -> Any:
    """The audit log, filtered by who, what and when (dates are WIB calendar days)."""
    before = int_arg("before", 0, 0) or None
    actor, action = arg("who", 100), arg("what", 64)
    since, until = parse_date(arg("from", 10)), parse_date(arg("to", 10))
    rows, more = q.audit_page(
        db(),
        before_id=before,
        limit=PER_PAGE,
        actor=actor,
        action=action,
        since=day_start(since) if since else None,
        until=day_start(until + timedelta(days=1)) if until else None,
    )
    return render_template(
        "console/admin_audit.html",
        rows=rows,
        next_before=rows[-1].id if more and rows else None,
        first=before is None,
        who_=actor,
        what=action,
        since=since,
        until=until,
        actions=q.AUDIT_FAMILIES,
    )
