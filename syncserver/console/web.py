"""What every console blueprint shares: the access guard, error pages, request parsing."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.exceptions import HTTPException

from common.errors import ApiError
from syncserver.console import access
from syncserver.console.i18n import gettext as _

PREFIX = "/console"
PAGE_SIZE = 50


def blueprint(name: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(f"console_{name}", __name__, url_prefix=PREFIX + url_prefix)
    bp.before_request(access.guard)
    for code in (403, 404, 405, 409):
        bp.register_error_handler(code, _error_page)
    bp.register_error_handler(ApiError, _api_error_page)
    return bp


def _api_error_page(exc: ApiError) -> Any:
    """A catalog error raised by a page (e.g. a decision on a record another reviewer has
    claimed): the console's error page with the message, at the code's status (>= 400, so
    the request's transaction is rolled back)."""
    from syncserver.console.refusals import refused

    return refused(exc.code, exc.params)


_TITLES = {
    403: "You may not open this page",
    404: "Not found",
    405: "This action is not available here",
    409: "Someone changed this in the meantime",
}


def _error_page(exc: HTTPException) -> Any:
    code = exc.code or 500
    return render_template(
        "console/error.html", code=code, title=_(_TITLES.get(code, "Error")), message=""
    ), code


def arg(name: str, max_len: int = 100) -> str:
    return (request.args.get(name) or "").strip()[:max_len]


def form(name: str, max_len: int = 500) -> str:
    return (request.form.get(name) or "").strip()[:max_len]


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def int_arg(name: str, default: int = 0, lo: int = 0, hi: int = 10**9) -> int:
    try:
        return max(lo, min(hi, int(request.args.get(name, default))))
    except (TypeError, ValueError):
        return default


def page_args(**overrides: Any) -> dict[str, Any]:
    """The current query string with some arguments replaced (None removes one)."""
    args = {k: v for k, v in request.args.items() if v}
    for key, value in overrides.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return args
