"""``loket-desk``: the GUI with no subcommand, and headless subcommands for scripts.

    loket-desk [--data-dir DIR] [--lang id|en]                       start the app
    loket-desk --self-test [--server URL]                            check this installed copy
    loket-desk [--data-dir DIR] add-operator NAME [--full-name TEXT] [--operator NAME]
    loket-desk [--data-dir DIR] setup --office CODE --device-no N --operator NAME
    loket-desk [--data-dir DIR] import FILE.csv [--operator NAME] [--dry-run] [--errors OUT.csv]
    loket-desk [--data-dir DIR] import --template OUT.csv
    loket-desk [--data-dir DIR] status [--json] [--operator NAME]
    loket-desk [--data-dir DIR] enroll --server URL --code CODE [--ca-bundle FILE] --operator NAME
    loket-desk [--data-dir DIR] sync [--operator NAME]
    loket-desk [--data-dir DIR] export-bundle OUT --operator NAME
    loket-desk [--data-dir DIR] import-ack FILE --operator NAME
    loket-desk [--data-dir DIR] relay-bundle FILE --operator NAME [--ack-out ACK]
    loket-desk [--data-dir DIR] passwd --operator NAME
    loket-desk [--data-dir DIR] purge --operator NAME
    loket-desk [--data-dir DIR] rekey --operator NAME
    loket-desk [--data-dir DIR] remember-key --operator NAME

The local database is encrypted: every command that opens it logs in first, as
``--operator NAME`` (default ``LOKET_OPERATOR``) with the password from ``LOKET_PASSWORD``,
else a prompt (store/keys.py, docs/SECURITY.md). Two exceptions: the very first
``add-operator`` of a data folder (it makes the database key), and ``sync`` without an
operator, which uses the key kept for unattended syncs in the OS credential store
(``remember-key``). An operator who has no key slot on this device yet (an account made at
the centre, at its first login here) logs in once with ``--with-operator OTHER``: another
operator who already has a slot here authorises it with their password from
``LOKET_WITH_PASSWORD`` (else a prompt); with the unattended key kept, no one else is needed.
A new password (``add-operator`` as an existing operator, ``passwd``)
comes from ``LOKET_NEW_PASSWORD``, else a prompt.

Exit status: 0 success; 1 failure (one line ``CODE: message`` on stderr, a code of the
catalog, common/errors.py);
2 wrong usage; 3 an import finished but rejected some rows (see the error file).
``sync`` has its own codes for schedulers: 0 everything sent and answered, 1 local error
(e.g. not enrolled), 2 server unreachable, 3 refused (revoked device, bad credential, TLS),
4 partly sent (some records still waiting or needing a clerk's attention).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import errors as E
from common.accounts import normalise_operator_name
from common.errors import ApiError, InvalidValue
from common.i18n import Lang

if TYPE_CHECKING:
    from desktop.services.operators import Operator
    from desktop.store import Store

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTED_ROWS = 3

ENV_PASSWORD = "LOKET_PASSWORD"
ENV_OPERATOR = "LOKET_OPERATOR"
ENV_NEW_PASSWORD = "LOKET_NEW_PASSWORD"
ENV_WITH_PASSWORD = "LOKET_WITH_PASSWORD"
log = logging.getLogger("desktop.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loket-desk",
        description="Loket desktop: offline registration at the counter and in the field.",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (default: $LOKET_DESK_DATA, else the platform's user data folder)",
    )
    parser.add_argument(
        "--lang", choices=("id", "en"), default=None, help="interface language (GUI)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installed copy (Qt, region data, SQLCipher, translations, receipt) "
        "in a temporary folder, print one line per check, exit 0 only if all pass",
    )
    parser.add_argument(
        "--server",
        dest="self_test_server",
        default=None,
        metavar="URL",
        help="with --self-test: also check that URL/readyz answers",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "setup", help="set this device's office code and device number (until enrollment)"
    )
    p.add_argument(
        "--office", required=True, metavar="CODE", help="6-digit office code, e.g. 320101"
    )
    p.add_argument(
        "--device-no",
        required=True,
        type=int,
        metavar="N",
        help="device number in the office, 0-999",
    )
    p.add_argument(
        "--office-name", default=None, metavar="TEXT", help="office name printed on receipts"
    )
    _operator_option(p)

    p = sub.add_parser(
        "add-operator",
        help="create a local operator account (as --operator NAME, except the very first)",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--full-name", default="", metavar="TEXT")
    _operator_option(p)

    p = sub.add_parser(
        "passwd",
        help=f"change the operator's password (new one from ${ENV_NEW_PASSWORD} or a prompt)",
    )
    _operator_option(p)
    p = sub.add_parser(
        "purge", help="remove personal data of decided records older than the retention period"
    )
    _operator_option(p)
    p = sub.add_parser(
        "rekey",
        help="rotate the database key (re-encrypts the file; every active operator's slot gets "
        "the new key, sealed to their key pair until their next login)",
    )
    _operator_option(p)
    p = sub.add_parser(
        "remember-key", help="keep the database key in the OS credential store for unattended syncs"
    )
    _operator_option(p)

    p = sub.add_parser(
        "import", help="import paper-form registrations from a CSV file (docs/IMPORT.md)"
    )
    p.add_argument("file", nargs="?", metavar="FILE.csv")
    p.add_argument("--template", metavar="OUT.csv", help="write an empty template and stop")
    p.add_argument(
        "--dry-run", action="store_true", help="validate and write the error file, save nothing"
    )
    p.add_argument(
        "--errors", metavar="OUT.csv", help="where rejected rows go (default FILE.errors.csv)"
    )
    _operator_option(p)

    p = sub.add_parser("status", help="counts by status and the oldest unsynced record's age")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _operator_option(p)

    p = sub.add_parser("enroll", help="enroll this device with a sync server (one-time code)")
    p.add_argument(
        "--server",
        required=True,
        metavar="URL",
        help="the sync server, e.g. https://loket.example.go.id",
    )
    p.add_argument(
        "--code", required=True, metavar="CODE", help="one-time enrollment code from the console"
    )
    p.add_argument(
        "--ca-bundle",
        default=None,
        metavar="FILE",
        help="CA certificates of an office's own authority",
    )
    p.add_argument("--device-name", default=None, metavar="TEXT", help="name shown in the console")
    _operator_option(p)

    p = sub.add_parser("sync", help="sync once (push the outbox, pull decisions), for schedulers")
    _operator_option(p)

    p = sub.add_parser(
        "export-bundle",
        help="write every record waiting to be sent into one file for the server (no network)",
    )
    p.add_argument("out", metavar="OUT", help="the bundle file to write")
    _operator_option(p)
    p = sub.add_parser(
        "import-ack", help="apply the server's acknowledgement file (answers and decisions)"
    )
    p.add_argument("file", metavar="FILE")
    _operator_option(p)
    p = sub.add_parser(
        "relay-bundle",
        help="send another device's bundle file (same office) to the server over this device's "
        "connection; its acknowledgement is written for that device",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--ack-out", default=None, metavar="ACK", help="where the acknowledgement goes (FILE.ack)"
    )
    _operator_option(p)
    return parser


def _operator_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--operator",
        default=os.environ.get(ENV_OPERATOR) or None,
        metavar="NAME",
        help=f"operator to act as (default ${ENV_OPERATOR}); password from ${ENV_PASSWORD} or a prompt",
    )
    p.add_argument(
        "--with-operator",
        default=None,
        metavar="NAME",
        help=(
            "another operator of this device who authorises --operator's first login here "
            f"(an account made at the centre has no key on the device yet); their password "
            f"from ${ENV_WITH_PASSWORD} or a prompt"
        ),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if args.self_test_server and not args.self_test:
        parser.error("--server before a command is an option of --self-test")
    if args.self_test:
        if args.command is not None or extra:
            parser.error("--self-test takes no command")
        from desktop import selftest

        return selftest.run(args.self_test_server)
    if args.command is None:
        args.qt_args = extra
        from desktop import application  # lazily: Qt is loaded only for the GUI

        return int(application.main(args) or 0)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(_run(args))
    except (ApiError, InvalidValue) as exc:
        _fail(exc.code, exc.params)
    except KeyboardInterrupt:
        _fail(E.INTERRUPTED)
    except Exception as exc:  # a bug or an environment problem: one line here, details in the log
        log.exception("loket-desk %s failed", args.command)
        _fail(E.UNEXPECTED_ERROR, {"detail": f"{type(exc).__name__}: {exc}"})
    return EXIT_FAILED


def _fail(code: str, params: dict[str, Any] | None = None) -> None:
    """The one line every failure prints: ``CODE: message`` from the catalog, in English."""
    print(f"{code}: {E.message(code, params, Lang.EN)}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from desktop import paths

    if args.command == "import" and args.template:
        from desktop.services.importer import write_template

        out = write_template(Path(args.template))
        print(f"template written: {out}")
        return EXIT_OK
    data_dir = paths.resolve_data_dir(args.data_dir)
    paths.setup_logging(data_dir)
    if args.command == "import" and args.dry_run:
        return _import(args, None, None)

    from desktop.store import StoreError

    if args.command == "add-operator":
        return _add_operator(args, data_dir)
    try:
        store, operator = _open(args, data_dir)
    except StoreError as exc:
        raise ApiError(E.STORE_ERROR, {"detail": str(exc)}) from None
    try:
        if args.command == "setup":
            return _setup(args, store)
        if args.command == "enroll":
            return _enroll(args, store)
        if args.command == "sync":
            return _sync(store)
        if args.command == "import":
            return _import(args, store, operator)
        if args.command == "status":
            return _status(args, store, operator)
        if args.command == "passwd":
            return _passwd(store, operator)
        if args.command == "purge":
            return _purge(store)
        if args.command == "rekey":
            return _rekey(store)
        if args.command == "remember-key":
            return _remember_key(store)
        if args.command in ("export-bundle", "import-ack", "relay-bundle"):
            assert operator is not None  # only an unattended sync opens the store without one
            return _bundle_command(args, store, operator.username)
        raise ApiError(E.USAGE, {"hint": "loket-desk --help"})
    finally:
        store.close()


def _open(args: argparse.Namespace, data_dir: Path) -> tuple[Store, Operator | None]:
    """The open store and the operator it was opened as (None for an unattended sync)."""
    from desktop.services.operators import needs_first_operator, unlock
    from desktop.store import Store
    from desktop.store.keys import load_unattended_key

    if args.command == "sync" and not args.operator:
        key = load_unattended_key(data_dir)
        if key is None:
            raise ApiError(E.OPERATOR_REQUIRED, {"env": ENV_OPERATOR})
        return Store.open(data_dir, key), None
    if not args.operator:
        raise ApiError(E.OPERATOR_REQUIRED, {"env": ENV_OPERATOR})
    if needs_first_operator(data_dir):
        raise ApiError(E.NO_OPERATOR)
    password = _password(f"Password for {args.operator}: ")
    authoriser = None
    if getattr(args, "with_operator", None):
        authoriser = (args.with_operator, _with_password(args.with_operator))
    return unlock(data_dir, args.operator, password, authoriser=authoriser)


def _with_password(name: str) -> str:
    return _password(f"Password for {name} (authorising): ", ENV_WITH_PASSWORD)


def _password(prompt: str, env: str = ENV_PASSWORD) -> str:
    """The password from ``env``, else asked on the terminal (never echoed)."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise ApiError(E.PASSWORD_REQUIRED, {"env": env})
    return getpass.getpass(prompt)


def _new_password(prompt: str) -> str:
    value = os.environ.get(ENV_NEW_PASSWORD)
    if value:
        return value
    if not sys.stdin.isatty():
        raise ApiError(E.PASSWORD_REQUIRED, {"env": ENV_NEW_PASSWORD})
    password = getpass.getpass(prompt)
    if getpass.getpass("Repeat the password: ") != password:
        raise ApiError(E.PASSWORD_MISMATCH)
    return password


def _enroll(args: argparse.Namespace, store: Store) -> int:
    from desktop.sync.commands import enroll_device

    info = enroll_device(
        store,
        args.server,
        args.code,
        ca_bundle=args.ca_bundle,
        device_name=args.device_name,
        say=lambda line: print(line, flush=True),
    )
    print(
        f"enrolled with {args.server}: device {info.device_id}, office {info.office_code} "
        f"({info.office_name}), device number {info.device_no:03d}"
    )
    return EXIT_OK


def _sync(store: Store) -> int:
    from desktop.sync.commands import sync_once

    code, _report = sync_once(store, say=lambda line: print(line, flush=True), lang="en")
    return int(code)


def _size_text(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def _bundle_command(args: argparse.Namespace, store: Store, operator: str) -> int:
    from desktop.services import bundles

    if args.command == "export-bundle":
        out = bundles.export_bundle(store, Path(args.out), operator=operator)
        print(
            f"exported {out.records} records in {out.batches} batches to {out.path} "
            f"({_size_text(out.bytes)}); bundle {out.bundle_id}, number {out.seq}"
        )
        return EXIT_OK
    if args.command == "import-ack":
        ack = bundles.import_ack(store, Path(args.file), operator=operator)
        if ack.already_applied:
            print(f"acknowledgement of bundle {ack.bundle_id} was applied before; nothing changed")
            return EXIT_OK
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(ack.outcomes.items())) or "none"
        print(
            f"acknowledgement of bundle {ack.bundle_id} applied: {sum(ack.outcomes.values())} "
            f"answers ({outcomes}), {ack.changes_applied} changes, {ack.needs_attention} need "
            f"attention, {ack.pending_after} still pending"
        )
        return EXIT_OK
    relay = bundles.relay_bundle(
        store,
        Path(args.file),
        operator=operator,
        ack_out=Path(args.ack_out) if args.ack_out else None,
    )
    counts = ", ".join(f"{k} {v}" for k, v in sorted(relay.counts.items())) or "none"
    again = " (imported before)" if relay.already_imported else ""
    print(
        f"relayed bundle {relay.bundle_id} of device {relay.device_id}{again}: "
        f"{relay.records} records ({counts}); acknowledgement written to {relay.ack_path}"
    )
    return EXIT_OK


def _setup(args: argparse.Namespace, store: Store) -> int:
    from desktop.services.device import set_local_identity

    info = set_local_identity(store, args.office, args.device_no, args.office_name)
    print(f"device {info.device_id}: office {info.office_code}, device number {info.device_no:03d}")
    return EXIT_OK


def _add_operator(args: argparse.Namespace, data_dir: Path) -> int:
    """The very first operator of a data folder makes the database key (no login: there is
    nobody to log in as); any later one is added by an existing operator (``--operator``)."""
    from desktop.services.operators import add_operator, create_first_operator, needs_first_operator
    from desktop.store import StoreError

    try:
        if needs_first_operator(data_dir):
            if os.environ.get(ENV_NEW_PASSWORD) or not os.environ.get(ENV_PASSWORD):
                password = _new_password(f"Password for the new operator {args.name}: ")
            else:
                password = os.environ[ENV_PASSWORD]
            store, _ = create_first_operator(data_dir, args.name, password, args.full_name)
            store.close()
        else:
            store, _operator = _open(args, data_dir)
            try:
                add_operator(
                    store,
                    args.name,
                    _new_password(f"Password for the new operator {args.name}: "),
                    args.full_name,
                )
            finally:
                store.close()
    except StoreError as exc:
        raise ApiError(E.STORE_ERROR, {"detail": str(exc)}) from None
    print(f"operator {normalise_operator_name(args.name)} created")
    return EXIT_OK


def _passwd(store: Store, operator: Operator | None) -> int:
    from desktop.services.operators import set_password

    assert operator is not None  # only an unattended sync opens the store without one
    set_password(store, operator.username, _new_password(f"New password for {operator.username}: "))
    print(f"password of {operator.username} changed")
    return EXIT_OK


def _purge(store: Store) -> int:
    from desktop.services.retention import purge_expired

    result = purge_expired(store)
    print(
        f"purged personal data of {result.purged} decided record(s) older than {result.days} days"
    )
    return EXIT_OK


def _rekey(store: Store) -> int:
    from desktop.services.operators import rekey_database

    slots = rekey_database(store)
    print(f"database key rotated; key slots re-wrapped for {slots} operator(s)")
    return EXIT_OK


def _remember_key(store: Store) -> int:
    from desktop.store.keys import save_unattended_key

    if not save_unattended_key(store.data_dir, store.key):
        raise ApiError(E.NO_CREDENTIAL_STORE)
    print("database key kept in the OS credential store for unattended syncs")
    return EXIT_OK


def _import(args: argparse.Namespace, store: Store | None, operator: Operator | None) -> int:
    from desktop.services.device import DEFAULT_OFFICE, device_info
    from desktop.services.importer import import_csv

    if not args.file:
        raise ApiError(E.USAGE, {"hint": "loket-desk import FILE.csv | --template OUT.csv"})
    path = Path(args.file)
    if not path.is_file():
        raise ApiError(E.FILE_NOT_FOUND, {"path": str(path)})
    if store is not None and device_info(store).office_code == DEFAULT_OFFICE:
        print(
            "warning: this device has no office code yet (loket-desk setup --office CODE --device-no N)",
            file=sys.stderr,
        )
    report = import_csv(
        store,
        path,
        operator=operator,
        dry_run=args.dry_run,
        errors_path=Path(args.errors) if args.errors else None,
    )
    print(("dry run: " if args.dry_run else "imported: ") + report.summary())
    return EXIT_REJECTED_ROWS if report.rejected else EXIT_OK


def _age_text(age: timedelta | None) -> str:
    if age is None:
        return "-"
    minutes = int(age.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def _status(args: argparse.Namespace, store: Store, operator: Operator | None) -> int:
    from desktop.services.device import device_info
    from desktop.services.registrations import RegistrationService

    assert operator is not None  # only an unattended sync opens the store without one
    service = RegistrationService(store, operator)
    info = device_info(store)
    counts = service.counts_by_status()
    age = service.oldest_unsynced_age()
    pending = service.pending_count()
    if args.json:
        print(
            json.dumps(
                {
                    "device_id": info.device_id,
                    "office_code": info.office_code,
                    "device_no": info.device_no,
                    "enrolled": info.enrolled,
                    "counts": {status.value: n for status, n in counts.items()},
                    "total": sum(n for st, n in counts.items() if st.value != "draft"),
                    "pending": pending,
                    "oldest_unsynced_seconds": None if age is None else round(age.total_seconds()),
                },
                indent=2,
            )
        )
        return EXIT_OK
    enrolled = "enrolled" if info.enrolled else "not enrolled"
    print(f"office {info.office_code}, device {info.device_no:03d} ({enrolled})")
    for status, n in counts.items():
        print(f"  {status.label(Lang.EN):<28} {n:>8}")
    print(f"pending sync: {pending}; oldest unsynced: {_age_text(age)}")
    return EXIT_OK
