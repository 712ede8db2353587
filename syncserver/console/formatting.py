"""Template filters: times in WIB, status and outcome labels, region names, masked NIKs,
applicant field values for people."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, pass_context

from common.enums import (
    LABELS,
    Channel,
    Disability,
    Education,
    EmploymentStatus,
    RejectReason,
    Sex,
    Skill,
    Status,
)
from common.nik import mask_nik
from common.record import FIELD_LABELS
from common.regions import regions
from common.timezones import WIB as ZONE_WIB
from syncserver.console.i18n import current_lang
from syncserver.console.i18n import gettext as _

WIB = ZONE_WIB.tzinfo

#: Reasons a reviewer can give for a rejection (common.enums.RejectReason; the device shows
#: the same labels).
REJECT_REASONS: tuple[str, ...] = tuple(r.value for r in RejectReason)


def reason_label(code: str) -> str:
    reason = RejectReason.parse(code)
    return reason.label(current_lang()) if reason is not None else code


_ENUM_FIELDS = {
    "sex": Sex,
    "education": Education,
    "employment_status": EmploymentStatus,
    "disability": Disability,
}
_BOOL_FIELDS = {
    "domicile_same",
    "former_migrant_worker",
    "declaration_not_excluded",
    "consent_given",
}
_VILLAGE_FIELDS = {"village_code", "domicile_village_code"}


def as_wib(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WIB)


def fmt_datetime(value: datetime | None) -> str:
    local = as_wib(value)
    return local.strftime("%Y-%m-%d %H:%M WIB") if local else "–"


def fmt_date(value: datetime | None) -> str:
    local = as_wib(value)
    return local.strftime("%Y-%m-%d") if local else "–"


def ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return _("never")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = (now or datetime.now(UTC)) - value
    days = delta.days
    if days >= 1:
        return _("%(n)s days ago", n=days)
    hours = int(delta.total_seconds() // 3600)
    if hours >= 1:
        return _("%(n)s hours ago", n=hours)
    return _("%(n)s minutes ago", n=max(0, int(delta.total_seconds() // 60)))


def status_label(code: str | None) -> str:
    if not code:
        return "–"
    try:
        return Status(code).label(current_lang())
    except ValueError:
        return code


def channel_label(code: str | None) -> str:
    try:
        return Channel(code or "").label(current_lang())
    except ValueError:
        return code or "–"


def region_name(code: str | None) -> str:
    if not code:
        return "–"
    name = regions().name(code)
    return name or code


def region_path(code: str | None) -> str:
    if not code:
        return "–"
    return regions().full_path(code, current_lang()) or code


def field_label(name: str) -> str:
    texts = FIELD_LABELS.get(name)
    if texts is None:
        return name
    return texts[1] if current_lang().value == "en" else texts[0]


def field_value(name: str, value: Any) -> str:
    """An applicant field's value for a person: labels for codes, names for villages."""
    if value is None or value == "":
        return "–"
    lang = current_lang()
    if name in _BOOL_FIELDS or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in _ENUM_FIELDS:
        labels = LABELS[_ENUM_FIELDS[name]]
        pair = labels.get(str(value)) or labels.get(str(value).upper())
        return (pair[1] if lang.value == "en" else pair[0]) if pair else str(value)
    if name in _VILLAGE_FIELDS:
        return f"{region_path(str(value))} ({value})"
    if name == "skills" and isinstance(value, list):
        out = []
        for v in value:
            pair = LABELS[Skill].get(str(v))
            out.append((pair[1] if lang.value == "en" else pair[0]) if pair else str(v))
        return ", ".join(out)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def masked(nik: str | None) -> str:
    return mask_nik(nik or "")


#: Fields whose full value, beside a masked NIK, would give the NIK back: the NIK is the
#: district, the birth date (day + 40 for women) and a 4-digit sequence, so a page that masks
#: the NIK shows the birth year only (as the masked CSV export does).
_MASKED_IDS = ("nik", "kk_number")


def shown(name: str, value: Any, full: bool) -> str:
    """An applicant field as a page shows it: everything for those who may see the full NIK;
    otherwise the NIK and family card masked and the birth date cut to its year."""
    if not full:
        if name in _MASKED_IDS:
            return masked(value)
        if name == "birth_date" and value:
            return str(value)[:4]
    return field_value(name, value)


def per_render(fn: Any) -> Any:
    """``fn`` as a filter Jinja calls at every render, never at compile time.

    Why: Jinja folds a filter applied to a literal (``{{ 'verified'|status }}``) into the
    compiled template, in whatever language the first request had, and the compiled template
    serves every later request; a filter that takes the template context is never folded.
    Every console filter may depend on the request (language, clock), so all are wrapped."""

    @pass_context
    def filter_(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    filter_.__name__ = getattr(fn, "__name__", "filter")
    filter_.__doc__ = fn.__doc__
    return filter_


def _num(n: Any) -> str:
    return f"{int(n or 0):,}".replace(",", "." if current_lang().value == "id" else ",")


def install(env: Environment) -> None:
    filters = dict(
        dt=fmt_datetime,
        date=fmt_date,
        ago=ago,
        status=status_label,
        channel=channel_label,
        region=region_name,
        region_path=region_path,
        field_label=field_label,
        field_value=field_value,
        masknik=masked,
        shown=shown,
        num=_num,
    )
    env.filters.update({name: per_render(fn) for name, fn in filters.items()})
