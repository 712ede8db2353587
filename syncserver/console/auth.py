"""Sign-in, sign-out, the own password and the language switch.

Every attempt is first claimed from the throttle (console/throttle.py: growing delays per
address and username, a limit per address and one server-wide, never a lock-out); a refused
attempt is answered 429 before any password hash. Failed sign-ins that were checked are
written to the audit log (actor: the username tried; target: the client address, which is
the proxy's X-Forwarded-For only with ``trusted_proxies``).
"""

from __future__ import annotations

import functools
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for

from common.accounts import MIN_PASSWORD_LENGTH
from syncserver.console import access, sessions, throttle
from syncserver.console.access import PUBLIC, needs
from syncserver.console.i18n import gettext as _
from syncserver.console.web import blueprint, form
from syncserver.context import loket
from syncserver.context import session as db
from syncserver.queries import console_admin as q
from syncserver.queries import users as users_q
from syncserver.queries.reviews import append_audit
from syncserver.users import hash_password, set_password, verify_password

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
    ext = loket()
    now = ext.clock()
    # before the request's own transaction and before any hash: a refused attempt is cheap
    refusal = throttle.claim(ext.sessions, ext.settings, _address(), username, now)
    if refusal is not None:
        error = _(
            "Too many sign-in attempts. Wait %(n)s seconds and try again.", n=refusal.wait_seconds
        )
        page = render_template("console/login.html", error=error, next=nxt, username=username)
        return page, 429, {"Retry-After": str(refusal.wait_seconds)}
    s = db()
    user = users_q.get_user(s, username) if username else None
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    if not ok or user is None or not user.active:
        append_audit(
            s,
            now=now,
            actor_kind="staff",
            actor=username[:100] or "-",
            action=q.LOGIN_FAILED,
            target_kind="address",
            target_id=_address(),
            details={"reason": "disabled" if ok and user is not None else "password"},
        )
        return render_template(
            "console/login.html",
            error=_("Wrong username or password, or the account is disabled."),
            next=nxt,
            username=username,
        )
    throttle.succeeded(s, ext.settings, _address(), username, now)
    sessions.begin(s, ext.settings, int(user.id), now)
    q.touch_login(s, user.id, now)
    append_audit(
        s,
        now=now,
        actor_kind="staff",
        actor=user.username,
        action="login",
        target_kind="staff_user",
        target_id=user.username,
        details={"address": _address()},
    )
    return redirect(nxt, 303)


@bp.post("/logout")
@needs("view")
def logout() -> Any:
    who = access.staff()
    append_audit(
        db(),
        now=loket().clock(),
        actor_kind="staff",
        actor=who.username,
        action="logout",
        target_kind="staff_user",
        target_id=who.username,
    )
    sessions.end(db())
    return redirect(url_for("console_auth.login"), 303)


@bp.get("/password")
@needs("view")
def password() -> Any:
    return render_template("console/password.html", min_length=MIN_PASSWORD_LENGTH)


@bp.post("/password")
@needs("view")
def password_post() -> Any:
    """Staff change their own password: the current one (throttled like a sign-in, so a
    session left open cannot be used to guess it), the new one twice. Every other session
    of the account ends."""
    ext, who = loket(), access.staff()
    now = ext.clock()
    current_pw = request.form.get("current") or ""
    new, again = request.form.get("new") or "", request.form.get("again") or ""
    error: str | None = None
    if len(new) < MIN_PASSWORD_LENGTH:
        error = _("The password must have at least 8 characters.")
    elif new != again:
        error = _("The two new passwords differ.")
    if error is not None:
        return _password_page(error, 200)
    db().commit()  # the guard's reads end first: SQLite has one writer, the throttle's is next
    refusal = throttle.claim(ext.sessions, ext.settings, _address(), who.username, now)
    if refusal is not None:
        error = _(
            "Too many sign-in attempts. Wait %(n)s seconds and try again.", n=refusal.wait_seconds
        )
        return _password_page(error, 429)
    user = users_q.get_user(db(), who.username)
    if user is None or not verify_password(user.password_hash, current_pw):
        return _password_page(_("The current password is wrong."), 200)
    throttle.succeeded(db(), ext.settings, _address(), who.username, now)
    set_password(db(), user, new, by=who.username, now=now, keep_session=sessions.current_id_hash())
    flash(_("Your password was changed; your other sessions were signed out."), "ok")
    return redirect(url_for("console_dashboard.index"), 303)


def _password_page(error: str, status: int) -> Any:
    page = render_template("console/password.html", error=error, min_length=MIN_PASSWORD_LENGTH)
    return page, status


@bp.post("/lang")
@needs(PUBLIC)
def set_lang() -> Any:
    lang = form("lang", 5)
    if lang in ("id", "en"):
        session["lang"] = lang
    return redirect(access.safe_next(form("next", 500), url_for("console_dashboard.index")), 303)
