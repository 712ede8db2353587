"""Sign-in, sign-out and the language switch.

Failed sign-ins are written to the audit log (actor: the username tried; target: the client
address); more than ``login_max_failures`` of them for one username and address within
``login_window_minutes`` refuse further attempts until the window has passed. The count is
read from the database, so the limit holds across server processes and machines.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from flask import redirect, render_template, request, session, url_for

from syncserver.app import loket
from syncserver.app import session as db
from syncserver.console import access
from syncserver.console.access import PUBLIC, needs
from syncserver.console.i18n import gettext as _
from syncserver.console.web import blueprint, form
from syncserver.queries import console_admin as q
from syncserver.queries import users as users_q
from syncserver.queries.reviews import append_audit
from syncserver.users import hash_password, verify_password

bp = blueprint("auth")


@functools.cache
def _dummy_hash() -> str:
    """Checked against for unknown usernames: the same work, so timing does not tell."""
    return hash_password("not-a-real-password")


def _address() -> str:
    return (request.remote_addr or "unknown")[:64]


@bp.get("/login")
@needs(PUBLIC)
def login() -> Any:
    if access.current() is not None:
        return redirect(url_for("console_dashboard.index"))
    return render_template("console/login.html", next=request.args.get("next", ""), username="")


@bp.post("/login")
@needs(PUBLIC)
def login_post() -> Any:
    username = form("username", 64)
    password = request.form.get("password") or ""
    nxt = access.safe_next(form("next", 500), url_for("console_dashboard.index"))
    settings = loket().settings
    now = loket().clock()
    s = db()
    user = users_q.get_user(s, username) if username else None
    since = now - timedelta(minutes=int(settings.get("login_window_minutes", 15)))
    if user is not None and user.last_login_at is not None:
        last = (
            user.last_login_at
            if user.last_login_at.tzinfo
            else user.last_login_at.replace(tzinfo=now.tzinfo)
        )
        since = max(since, last)
    failures = q.recent_login_failures(s, username, _address(), since)
    if failures >= int(settings.get("login_max_failures", 5)):
        error = _("Too many failed attempts. Wait %(n)s minutes and try again.",
                  n=int(settings.get("login_window_minutes", 15)))  # fmt: skip
        return render_template("console/login.html", error=error, next=nxt, username=username), 429
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    if not ok or user is None or not user.active:
        append_audit(
            s, now=now, actor_kind="staff", actor=username[:100] or "-", action=q.LOGIN_FAILED,
            target_kind="address", target_id=_address(),
            details={"reason": "disabled" if ok and user is not None else "password"},
        )  # fmt: skip
        return render_template(
            "console/login.html", error=_("Wrong username or password, or the account is disabled."),
            next=nxt, username=username,
        )  # fmt: skip
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session["uid"] = int(user.id)
    session["pw"] = access.password_stamp(user.password_hash)
    if lang:
        session["lang"] = lang
    q.touch_login(s, user.id, now)
    append_audit(
        s, now=now, actor_kind="staff", actor=user.username, action="login",
        target_kind="staff_user", target_id=user.username, details={"address": _address()},
    )  # fmt: skip
    return redirect(nxt, 303)


@bp.post("/logout")
@needs("view")
def logout() -> Any:
    who = access.staff()
    append_audit(
        db(), now=loket().clock(), actor_kind="staff", actor=who.username, action="logout",
        target_kind="staff_user", target_id=who.username,
    )  # fmt: skip
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("console_auth.login"), 303)


@bp.post("/lang")
@needs(PUBLIC)
def set_lang() -> Any:
    lang = form("lang", 5)
    if lang in ("id", "en"):
        session["lang"] = lang
    return redirect(access.safe_next(form("next", 500), url_for("console_dashboard.index")), 303)
