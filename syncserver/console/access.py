"""Who is signed in, and what their role may do.

Every console view declares the permission it needs with :func:`needs`; a view without a
declaration is refused (fail closed), so a route added later cannot be left open by mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from syncserver.console import sessions
from syncserver.context import session as db_session
from syncserver.queries import console_admin as q

F = TypeVar("F", bound=Callable[..., Any])

#: What each role may do. ``view``: read pages; ``decide``: decisions and duplicate
#: resolutions; ``export``: CSV export; ``intake``: importing bundle files carried from
#: offices without a connection (the "operator of intake", issue 16); ``admin``: offices,
#: devices, accounts, full NIKs.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"view", "decide", "export", "intake", "admin"}),
    "reviewer": frozenset({"view", "decide", "export"}),
    "intake": frozenset({"view", "intake"}),
    "viewer": frozenset({"view"}),
}
PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    username: str
    role: str
    provinces: tuple[str, ...]  # empty: every province

    def can(self, perm: str) -> bool:
        return perm in PERMISSIONS.get(self.role, frozenset())

    def sees_province(self, province_code: str | None) -> bool:
        return not self.provinces or (province_code or "") in self.provinces


def needs(perm: str) -> Callable[[F], F]:
    """Declare the permission a view needs (``public`` for the sign-in page)."""

    def mark(view: F) -> F:
        view.console_perm = perm  # type: ignore[attr-defined]
        return view

    return mark


def current() -> Staff | None:
    """The signed-in staff member: a live server-side session (console/sessions.py) of an
    active account."""
    if "staff" in g:
        staff: Staff | None = g.staff
        return staff
    staff = None
    ext = current_app.extensions["loket"]
    row = sessions.live(db_session(), ext.settings, ext.clock())
    if row is not None:
        user = q.user_by_id(db_session(), row.user_id)
        if user is not None and user.active:
            staff = Staff(user.id, user.username, user.role, tuple(user.provinces or ()))
    g.staff = staff
    return staff


def staff() -> Staff:
    """The signed-in staff member (inside a view the guard let through)."""
    s = current()
    assert s is not None
    return s


def guard() -> Response | None:
    """``before_request`` of every console blueprint."""
    view = current_app.view_functions.get(request.endpoint or "")
    perm = getattr(view, "console_perm", None)
    if perm == PUBLIC:
        return None
    if perm is None:
        abort(403)
    who = current()
    if who is None:
        session.pop("sid", None)
        nxt = request.full_path if request.method == "GET" else ""
        return redirect(url_for("console_auth.login", next=nxt.rstrip("?") or None), 303)
    if not who.can(perm):
        abort(403)
    return None


def safe_next(target: str | None, default: str) -> str:
    """A same-site path to go back to (never another host: no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
