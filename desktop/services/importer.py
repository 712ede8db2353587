"""Paper-form import: a CSV of applicants (docs/IMPORT.md) validated row by row; the valid
rows are saved as channel ``paper``, the rejected ones written with their reasons to an error
CSV that the field officer fixes and imports again.

Re-importing is safe: a row whose NIK is already on this device with the same content
(``consent_at`` aside) counts as *already present* and is not saved again; the same NIK with
different content is rejected with ``NIK_ALREADY_REGISTERED`` (correct the record in the app).

The file is read as Excel writes it (desktop/services/spreadsheet.py: encoding, separator,
day-first and serial dates); the error file is written in the same encoding and separator, so
it opens in the same Excel the same way.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from common import errors as E
from common.csvformat import COLUMNS, REQUIRED_COLUMNS
from common.enums import Channel
from common.errors import ApiError, Severity
from common.i18n import Lang, as_lang
from common.private_files import open_private
from common.record import Applicant, utcnow
from common.validation import Problem, check
from desktop.services.operators import Operator
from desktop.services.registrations import (
    Action,
    BatchOutcome,
    RegistrationService,
    comparable_hash,
)
from desktop.services.spreadsheet import AmbiguousDate, Dialect, Encoding, decode, read_date, sniff
from desktop.store import Store

NIK_ALREADY_REGISTERED = E.NIK_ALREADY_REGISTERED

#: Columns the error file adds; the importer ignores them, so a fixed error file imports as is.
ERROR_COLUMNS: tuple[str, ...] = ("source_row", "error_codes", "error_messages")
BATCH_ROWS = 200  # rows per transaction when saving


@dataclass(slots=True)
class ImportReport:
    total: int = 0
    saved: int = 0
    already_present: int = 0
    rejected: int = 0
    errors_path: Path | None = None
    dry_run: bool = False
    saved_ids: list[str] = field(default_factory=list)
    #: every problem of every rejected row, in file order (the import dialog lists them)
    rejections: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.total} rows: {self.saved} {'valid' if self.dry_run else 'saved'}, "
            f"{self.already_present} already present, {self.rejected} rejected"
        )
        if self.errors_path is not None:
            text += f" (rejected rows in {self.errors_path})"
        return text


@dataclass(frozen=True, slots=True)
class Rejection:
    """One reason a row was rejected: its line in the file, the field (``""`` for the whole
    row) and the problem, whose message is available in either language."""

    row: int
    problem: Problem

    @property
    def field(self) -> str:
        return self.problem.field

    @property
    def code(self) -> str:
        return self.problem.code

    def message(self, lang: str | Lang | None = None) -> str:
        return message_of(self.problem, lang)


@dataclass(slots=True)
class _Row:
    number: int  # line number in the file (the header is line 1)
    cells: dict[str, str]
    applicant: Applicant | None = None
    problems: list[Problem] = field(default_factory=list)


#: The error file's name beside the input, the one name the app, the CLI and docs/IMPORT.md use.
ERRORS_SUFFIX = ".errors.csv"


def default_errors_path(path: Path) -> Path:
    """``forms.csv`` -> ``forms.errors.csv`` beside it."""
    return path.with_name(f"{path.stem}{ERRORS_SUFFIX}")


def _problem(error: str, field_name: str = "", **params: Any) -> Problem:
    return Problem(error, field_name, Severity.ERROR, params)


@dataclass(frozen=True, slots=True)
class _Words:
    """A message parameter that is itself words (``baris 3`` / ``row 3``): resolved in the
    message's language, so no Indonesian word lands in an English sentence or the reverse."""

    id: str
    en: str


def message_of(problem: Problem, lang: str | Lang | None = None) -> str:
    """``problem.message(lang)`` with :class:`_Words` parameters in that language."""
    if any(isinstance(v, _Words) for v in problem.params.values()):
        english = as_lang(lang) is Lang.EN
        params = {
            k: (v.en if english else v.id) if isinstance(v, _Words) else v
            for k, v in problem.params.items()
        }
        problem = replace(problem, params=params)
    return problem.message(lang)


def write_template(path: Path) -> Path:
    """An empty import file: the header row only (UTF-8 with BOM, so Excel reads it)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerow(COLUMNS)
    return path


def read_rows(path: Path) -> tuple[list[str], list[_Row], Dialect]:
    """The header, the non-blank rows and how the file was written (encoding, separator).
    ApiError for a file that cannot be used at all."""
    data, encoding = decode(Path(path).read_bytes())
    dialect = sniff(data, encoding)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=dialect.delimiter)
    if dialect.sep_line:
        next(reader)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ApiError(E.IMPORT_COLUMNS_MISSING, {"columns": ", ".join(REQUIRED_COLUMNS)}) from None
    width = len(header)
    while header and header[-1] == "":  # Excel writes ";;;" for formatted but empty columns
        header.pop()
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ApiError(E.IMPORT_COLUMNS_MISSING, {"columns": ", ".join(missing)})
    unknown = [h for h in header if h not in COLUMNS and h not in ERROR_COLUMNS]
    if unknown:
        raise ApiError(E.UNKNOWN_FIELD, {"field": ", ".join(unknown)})
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ApiError(E.IMPORT_COLUMNS_REPEATED, {"columns": ", ".join(dupes)})
    rows: list[_Row] = []
    for values in reader:
        number = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(header) < len(values) <= width and not any(v.strip() for v in values[len(header) :]):
            values = values[: len(header)]  # the empty columns after the last heading
        cells = dict(zip(header, values, strict=False))
        row = _Row(number, cells)
        if len(values) != len(header):
            row.problems.append(
                _problem(E.IMPORT_ROW_MALFORMED, row=number, cells=len(values), columns=len(header))
            )
            if len(values) > len(header):
                cells["_extra"] = dialect.delimiter.join(values[len(header) :])
        rows.append(row)
    return header, rows, dialect


#: Date columns as Excel writes them (day first, serial numbers): read into ``YYYY-MM-DD``.
DATE_COLUMNS: tuple[str, ...] = ("birth_date",)
#: Long numbers Excel turns into ``3,20101E+15`` when the column is not Text: the digits are
#: gone, so the row is refused with a message that says how to keep them.
LONG_NUMBER_COLUMNS: tuple[str, ...] = ("nik", "kk_number", "phone")
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d+")
#: A mobile number whose leading 0 Excel dropped (a General column): ``81234567890``.
_PHONE_WITHOUT_ZERO = re.compile(r"8\d{7,12}")


def _raw_applicant(
    cells: dict[str, str], now: datetime, problems: list[Problem] | None = None
) -> dict[str, Any]:
    """Cells as validation input: blank cells are left out (the field's default applies, see
    docs/IMPORT.md); a blank ``consent_at`` with consent given becomes the import time. Dates
    in Excel's forms become ISO dates; an ambiguous one is added to ``problems``."""
    raw: dict[str, Any] = {}
    for name in COLUMNS:
        value = cells.get(name)
        if value is not None and value.strip() != "":
            raw[name] = value
    for name in LONG_NUMBER_COLUMNS:
        if name in raw and _SCIENTIFIC.fullmatch(raw[name].strip()):
            if problems is not None:
                problems.append(_problem(E.IMPORT_NUMBER_MANGLED, name, value=raw[name].strip()))
            del raw[name]
    if "phone" in raw and _PHONE_WITHOUT_ZERO.fullmatch(raw["phone"].strip()):
        raw["phone"] = "0" + raw["phone"].strip()
    for name in DATE_COLUMNS:
        if name in raw:
            try:
                day = read_date(raw[name])
            except AmbiguousDate:
                if problems is not None:
                    problems.append(_problem(E.IMPORT_DATE_AMBIGUOUS, name, value=raw[name]))
                del raw[name]
                continue
            if day is not None:
                raw[name] = day.isoformat()
    if "consent_at" not in raw and "consent_given" in raw:
        raw["consent_at"] = now.isoformat()
    return raw


def _errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def import_csv(
    store_or_none: Store | None,
    path: Path,
    *,
    operator: Operator | None,
    dry_run: bool = False,
    errors_path: Path | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> ImportReport:
    """Validate every row of ``path``; save the valid ones (unless ``dry_run``); write the
    rejected rows to ``errors_path`` (default ``<file>.errors.csv``) when there are any.

    A dry run needs neither a store nor an operator; given a store it also reports rows
    already present. A real run needs both. File-level problems raise ApiError.
    """
    path = Path(path)
    if not dry_run and (store_or_none is None or operator is None):
        raise ValueError("an import that saves needs a store and an operator")
    now = clock()
    today = now.astimezone().date()
    header, rows, dialect = read_rows(path)
    report = ImportReport(total=len(rows), dry_run=dry_run)

    seen: dict[str, tuple[str, int]] = {}  # nik -> (comparable hash, row number) within the file
    valid: list[_Row] = []
    for row in rows:
        if row.problems:
            continue
        read_problems: list[Problem] = []
        result = check(_raw_applicant(row.cells, now, read_problems), today)
        if read_problems or not result.ok:
            found = _errors_only(result.problems)
            # an ambiguous date was left out: not also "required"
            dropped = {p.field for p in read_problems}
            found = [p for p in found if not (p.code == E.REQUIRED and p.field in dropped)]
            row.problems.extend(read_problems + found)
            continue
        row.applicant = result.applicant
        digest = comparable_hash(result.applicant.to_dict())
        first = seen.get(result.applicant.nik)
        if first is None:
            seen[result.applicant.nik] = (digest, row.number)
            valid.append(row)
        elif first[0] == digest:
            report.already_present += 1  # the same applicant twice in one file
        else:
            row.problems.append(_nik_taken(_Words(f"baris {first[1]}", f"row {first[1]}")))

    service = (
        RegistrationService(store_or_none, operator or Operator("-"), clock)
        if store_or_none is not None
        else None
    )
    if service is not None and not dry_run:
        for start in range(0, len(valid), BATCH_ROWS):
            chunk = valid[start : start + BATCH_ROWS]
            items = service.save_batch(
                [r.applicant for r in chunk if r.applicant is not None],
                channel=Channel.PAPER,
                action=Action.IMPORTED,
                details=[{"file": path.name, "row": r.number} for r in chunk],
            )
            for r, item in zip(chunk, items, strict=True):
                _count(report, r, item.outcome, service, item.registration_id)
    elif service is not None:  # dry run against the store: report what is already there
        for r in valid:
            assert r.applicant is not None
            existing = service.find_by_nik(r.applicant.nik)
            if existing is None:
                report.saved += 1
            elif comparable_hash(existing.applicant.to_dict()) == comparable_hash(
                r.applicant.to_dict()
            ):
                report.already_present += 1
            else:
                r.problems.append(_nik_taken(existing.code))
    else:
        report.saved = len(valid)

    rejected = [r for r in rows if r.problems]
    report.rejected = len(rejected)
    report.rejections = [Rejection(r.number, p) for r in rejected for p in r.problems]
    if rejected:
        report.errors_path = Path(errors_path) if errors_path else default_errors_path(path)
        _write_errors(report.errors_path, header, rejected, dialect)
    if service is not None and not dry_run:
        service.audit(
            Action.IMPORTED,
            None,
            {
                "file": path.name,
                "total": report.total,
                "saved": report.saved,
                "already_present": report.already_present,
                "rejected": report.rejected,
            },
        )
    return report


def _nik_taken(where: str | _Words) -> Problem:
    return _problem(NIK_ALREADY_REGISTERED, "nik", code=where)


def _count(
    report: ImportReport,
    row: _Row,
    outcome: BatchOutcome,
    service: RegistrationService,
    rid: str | None,
) -> None:
    if outcome is BatchOutcome.SAVED:
        report.saved += 1
        if rid:
            report.saved_ids.append(rid)
    elif outcome is BatchOutcome.ALREADY_PRESENT:
        report.already_present += 1
    else:
        existing = service.get(rid) if rid else None
        row.problems.append(_nik_taken(existing.code if existing else "?"))


def _write_errors(path: Path, header: list[str], rows: list[_Row], dialect: Dialect) -> None:
    """The rejected rows as they were, plus why, in the input's encoding and separator (and its
    ``sep=`` line): a ``;`` file from an Indonesian Excel gets a ``;`` error file back. In
    Windows-1252 a message character it lacks becomes ``?`` (the cells came from such a file,
    so they always fit)."""
    columns = [h for h in header if h not in ERROR_COLUMNS] + list(ERROR_COLUMNS)
    errors = "replace" if dialect.encoding is Encoding.CP1252 else "strict"
    # the rejected rows are applicants' personal data: 0600 from creation, beside the
    # clerk's own file (common/private_files.py)
    with os.fdopen(open_private(path), "wb") as raw:
        raw.write(dialect.bom)
        with io.TextIOWrapper(
            raw, encoding=dialect.encoding.value, errors=errors, newline=""
        ) as fh:
            if dialect.sep_line:
                fh.write(f"sep={dialect.delimiter}\r\n")
            writer = csv.writer(fh, delimiter=dialect.delimiter)
            writer.writerow(columns)
            for row in rows:
                cells = {**row.cells}
                cells["source_row"] = str(row.number)
                cells["error_codes"] = ";".join(p.code for p in row.problems)
                cells["error_messages"] = " | ".join(message_of(p, Lang.ID) for p in row.problems)
                writer.writerow([cells.get(c, "") for c in columns])
