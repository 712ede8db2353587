"""`loket-server`: run the sync server and administer it from the command line.

    loket-server [--data-dir DIR] [--config FILE] [--database URL] COMMAND ...

Commands: run, migrate, add-office, enroll-code, add-user, stats, rotate-bundle-key,
import-bundle, ...
See ``--help`` of each.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy.exc

from common import errors as E
from common.accounts import check_password, normalise_operator_name
from common.errors import ApiError, InvalidValue
from common.i18n import Lang
from syncserver import config as config_mod
from syncserver import db
from syncserver.config import DATA_ENV, Settings, default_data_dir
from syncserver.users import ROLES


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="loket-server", description="Loket sync server and central database."
    )
    p.add_argument(
        "--data-dir", type=Path, help=f"data folder (default: ${DATA_ENV} or the user data dir)"
    )
    p.add_argument(
        "--config", type=Path, help="config file (default: <data-dir>/loket-server.toml)"
    )
    p.add_argument(
        "--database", help="database URL (overrides the config; default SQLite in the data dir)"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="serve the API with a production WSGI server")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--database", dest="run_database", help="database URL")
    run.add_argument("--workers", type=int, help="server processes (gunicorn)")

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument(
        "--grant-to",
        metavar="ROLE",
        help="PostgreSQL: then give the server's role ROLE its privileges on the tables "
        "(data only, the audit log append-only; installers/server/README.md)",
    )

    office = sub.add_parser("add-office", help="register a labour office")
    office.add_argument("code", help="6 digits: regency code without dots (4) + office number (2)")
    office.add_argument("--name", required=True)
    office.add_argument("--regency", required=True, help="regency code, e.g. 3201 or 32.01")

    code = sub.add_parser("enroll-code", help="issue a one-time device enrollment code (last line)")
    code.add_argument("office_code")
    code.add_argument(
        "--ttl-hours", type=int, help="validity (default: the enroll_code_ttl_hours option)"
    )

    user = sub.add_parser(
        "add-user", help="create a console account (password: $LOKET_PASSWORD or a prompt)"
    )
    user.add_argument("username")
    user.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="admin: everything; reviewer: decisions and export; intake: import bundle files; "
        "viewer: read only",
    )
    user.add_argument(
        "--province",
        action="append",
        default=[],
        help="limit the account to a province (repeat)",
    )

    pw = sub.add_parser(
        "set-user-password",
        help="set a console account's password and sign out its sessions "
        "($LOKET_PASSWORD or a prompt)",
    )
    pw.add_argument("username")

    stats = sub.add_parser("stats", help="counts of registrations, flags, batches, devices")
    stats.add_argument("--json", action="store_true", help="print JSON")

    op = sub.add_parser(
        "add-operator", help="create a desktop operator of an office (synced to its devices)"
    )
    op.add_argument("office_code", metavar="OFFICE_CODE")
    op.add_argument("username", metavar="USERNAME")
    op.add_argument("--full-name", default="")
    for name, text in (
        (
            "disable-operator",
            "disable a desktop operator (refused on its devices after their next sync)",
        ),
        ("enable-operator", "enable a disabled desktop operator again"),
        (
            "set-operator-password",
            "set a desktop operator's password ($LOKET_PASSWORD or a prompt)",
        ),
    ):
        o = sub.add_parser(name, help=text)
        o.add_argument("office_code", metavar="OFFICE_CODE")
        o.add_argument("username", metavar="USERNAME")
    rv = sub.add_parser("revoke-device", help="revoke a device: every request of it is refused")
    rv.add_argument("device_id", metavar="DEVICE_ID")
    sub.add_parser(
        "rotate-bundle-key",
        help="make a new bundle key; the previous one is still accepted for bundle_key_grace_days",
    )
    ib = sub.add_parser(
        "import-bundle",
        help="import a device's records bundle (.loket) carried on a file; write its acknowledgement",
    )
    ib.add_argument("file", type=Path, metavar="FILE")
    ib.add_argument(
        "--ack-out",
        type=Path,
        metavar="ACK",
        help="where to write the acknowledgement (default: beside FILE as FILE.ack)",
    )
    va = sub.add_parser("verify-audit", help="check the audit log's hash chain (exit 1 if broken)")
    va.add_argument("--json", action="store_true", help="print JSON")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    data_dir = args.data_dir or default_data_dir()
    overrides: dict[str, Any] = {"database": getattr(args, "run_database", None) or args.database}
    if args.command == "run":
        overrides.update(host=args.host, port=args.port, workers=args.workers)
    return config_mod.load(data_dir, args.config, overrides=overrides)


def _engine(settings: Settings) -> Any:
    return db.make_engine(
        settings.database, busy_timeout_ms=settings.sqlite_busy_timeout_ms, pool_size=2
    )


def _ensure_schema(engine: Any) -> None:
    if db.current_revision(engine) != db.head_revision():
        raise ApiError(E.DATABASE_NOT_MIGRATED)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except config_mod.ConfigError as exc:
        _fail(E.CONFIG_INVALID, {"detail": str(exc)})
        return 2
    try:
        return int(COMMANDS[args.command](args, settings) or 0)
    except (ApiError, InvalidValue) as exc:
        _fail(exc.code, exc.params)
        return 1
    except ValueError as exc:  # a check that has no catalog code of its own
        _fail(E.INVALID_VALUE, {"detail": str(exc)})
        return 1
    except sqlalchemy.exc.OperationalError as exc:  # database down, refused, unreachable
        _fail(E.DATABASE_UNREACHABLE, {"detail": str(exc.orig).splitlines()[0]})
        return 1


def _fail(code: str, params: dict[str, Any] | None = None) -> None:
    """The one line every failure prints: ``loket-server: CODE: message`` from the catalog."""
    print(f"loket-server: {code}: {E.message(code, params, Lang.EN)}", file=sys.stderr)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver.server import check_database, serve

    check_database(settings)
    print(
        f"loket-server: serving on http://{settings.host}:{settings.port}/",
        file=sys.stderr,
        flush=True,
    )
    serve(settings)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(settings)
    try:
        db.migrate(engine)
        print(f"database at revision {db.current_revision(engine)}")
        if args.grant_to:
            db.grant_app_role(engine, args.grant_to)
            print(f"role {args.grant_to}: data privileges granted, audit log append-only")
    finally:
        engine.dispose()
    return 0


def _session(settings: Settings) -> Any:
    engine = _engine(settings)
    _ensure_schema(engine)
    return engine, db.session_factory(engine)


def cmd_add_office(args: argparse.Namespace, settings: Settings) -> int:
    from common.regions import regions
    from syncserver.queries import devices as q

    regency = args.regency.replace(".", "")
    if not re.fullmatch(r"[0-9]{4}", regency):
        raise InvalidValue(E.REGENCY_CODE_INVALID)
    if (
        not re.fullmatch(r"[0-9]{6}", args.code)
        or not args.code.startswith(regency)
        or args.code[4:] == "00"
    ):
        raise InvalidValue(E.OFFICE_CODE_INVALID)
    dotted = f"{regency[:2]}.{regency[2:]}"
    if dotted not in regions():
        raise InvalidValue(E.REGENCY_UNKNOWN, {"regency": dotted})
    engine, sessions = _session(settings)
    try:
        with db.transaction(sessions) as s:
            if q.get_office(s, args.code) is not None:
                raise InvalidValue(E.OFFICE_EXISTS, {"office": args.code})
            q.add_office(s, args.code, dotted, args.name, datetime.now(UTC))
    finally:
        engine.dispose()
    print(f"office {args.code} added: {args.name} ({dotted})")
    return 0


def cmd_enroll_code(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver.enrollment import issue_code

    hours = args.ttl_hours or settings.enroll_code_ttl_hours
    now = datetime.now(UTC)
    engine, sessions = _session(settings)
    try:
        with db.transaction(sessions) as s:
            code = issue_code(s, args.office_code, now, timedelta(hours=hours))
    finally:
        engine.dispose()
    until = (now + timedelta(hours=hours)).isoformat(timespec="minutes")
    print(f"enrollment code for office {args.office_code}, valid until {until}, single use:")
    print(code)
    return 0


def _new_password() -> str:
    password = os.environ.get("LOKET_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise ApiError(E.PASSWORD_REQUIRED, {"env": "LOKET_PASSWORD"})
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise ApiError(E.PASSWORD_MISMATCH)
    return check_password(password)


def cmd_add_user(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver.users import add_user

    password = _new_password()
    engine, sessions = _session(settings)
    try:
        with db.transaction(sessions) as s:
            add_user(s, args.username, password, args.role, args.province)
    finally:
        engine.dispose()
    print(f"user {args.username} added with role {args.role}")
    return 0


def cmd_set_user_password(args: argparse.Namespace, settings: Settings) -> int:
    """The way back in when no admin can sign in: a new password, every session ended."""
    from syncserver.queries import users as users_q
    from syncserver.users import set_password

    password = _new_password()

    def change(s: Any) -> int:
        user = users_q.get_user(s, args.username)
        if user is None:
            raise InvalidValue(E.USER_UNKNOWN, {"name": args.username})
        return set_password(s, user, password, by=CLI_ACTOR, now=datetime.now(UTC))

    ended = _in_transaction(settings, change)
    print(f"password of {args.username} changed; {ended} session(s) signed out")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver.queries.stats import totals

    engine, sessions = _session(settings)
    try:
        with db.transaction(sessions) as s:
            data = totals(s)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return 0


def _in_transaction(settings: Settings, fn: Any) -> Any:
    engine, sessions = _session(settings)
    try:
        with db.transaction(sessions) as s:
            return fn(s)
    finally:
        engine.dispose()


CLI_ACTOR = "cli"  # who the audit log names for actions taken with loket-server on the host


def cmd_add_operator(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver import operators

    password = _new_password()
    now = datetime.now(UTC)
    office, name = args.office_code, args.username
    _in_transaction(
        settings,
        lambda s: operators.add_operator(s, office, name, password, args.full_name, CLI_ACTOR, now),
    )
    name = normalise_operator_name(name)
    print(f"operator {name} added to office {office}; its devices get it on their next sync")
    return 0


def cmd_set_operator_active(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver import operators

    active = args.command == "enable-operator"
    now = datetime.now(UTC)
    _in_transaction(
        settings,
        lambda s: operators.set_active(s, args.office_code, args.username, active, CLI_ACTOR, now),
    )
    state = "enabled" if active else "disabled"
    print(f"operator {args.username} {state}; devices apply it on their next sync")
    return 0


def cmd_set_operator_password(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver import operators

    password = _new_password()
    now = datetime.now(UTC)
    _in_transaction(
        settings,
        lambda s: operators.set_password(
            s, args.office_code, args.username, password, CLI_ACTOR, now
        ),
    )
    print(f"password of operator {args.username} changed; devices apply it on their next sync")
    return 0


def cmd_revoke_device(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver.queries import devices as q
    from syncserver.queries.reviews import append_audit

    def revoke(s: Any) -> bool:
        now = datetime.now(UTC)
        done = q.revoke_device(s, args.device_id, now)
        if done:
            append_audit(
                s,
                now=now,
                actor_kind="staff",
                actor=CLI_ACTOR,
                action="device.revoke",
                target_kind="device",
                target_id=args.device_id,
            )
        return done

    if not _in_transaction(settings, revoke):
        raise InvalidValue(E.DEVICE_UNKNOWN, {"device": args.device_id})
    print(f"device {args.device_id} revoked")
    return 0


def cmd_rotate_bundle_key(args: argparse.Namespace, settings: Settings) -> int:
    """A new current bundle key (syncserver/bundle_keys.py), audited; devices learn it at
    their next pull or acknowledgement.

    The audit row is written first and the key file replaced inside the same transaction:
    when the database cannot be reached nothing rotates, and when the file cannot be written
    the audit row is rolled back."""
    from common import bundle as B
    from syncserver import bundle_keys
    from syncserver.queries.reviews import append_audit

    now = datetime.now(UTC)
    pair = B.KeyPair.generate()
    path = bundle_keys.key_file(settings)

    def rotate_audited(s: Any) -> bundle_keys.ServerKeys:
        append_audit(
            s,
            now=now,
            actor_kind="staff",
            actor=CLI_ACTOR,
            action="bundle_key.rotate",
            target_kind="bundle_key",
            target_id=pair.public().key_id,
        )
        s.flush()
        return bundle_keys.rotate(path, bundle_keys.grace_of(settings), now, pair)

    keys = _in_transaction(settings, rotate_audited)
    print(f"new bundle key {keys.current.key_id} in {path}")
    for key in keys.public_list(now)[1:]:
        print(f"previous key {key.key_id} accepted until {key.accept_until}")
    return 0


def cmd_import_bundle(args: argparse.Namespace, settings: Settings) -> int:
    """Import one records bundle (syncserver/bundles.py) and write its acknowledgement
    atomically; a bundle imported before exits 0 too, and says so."""
    from common.bundle import MAX_BUNDLE_BYTES
    from common.private_files import replace_private_bytes
    from syncserver.bundles import import_bundle

    path: Path = args.file
    try:
        size = path.stat().st_size
    except OSError:
        raise ApiError(E.FILE_NOT_FOUND, {"path": str(path)}) from None
    if size > MAX_BUNDLE_BYTES:
        raise ApiError(E.BUNDLE_TOO_LARGE, {"max": MAX_BUNDLE_BYTES})
    raw = path.read_bytes()
    ack_out: Path = args.ack_out or path.with_name(path.name + ".ack")
    engine, sessions = _session(settings)
    try:
        done = import_bundle(
            sessions,
            settings,
            raw,
            now=datetime.now(UTC),
            uploaded_by=f"{CLI_ACTOR}:{getpass.getuser()}",
            via="cli",
        )
    finally:
        engine.dispose()
    replace_private_bytes(ack_out, done.ack)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(done.counts.items())) or "none"
    if done.already_imported:
        print(
            f"bundle {done.bundle_id} from device {done.device_id} was imported before: "
            f"nothing changed ({done.records} records: {counts})"
        )
    else:
        print(
            f"imported bundle {done.bundle_id} from device {done.device_id} "
            f"(office {done.office_code}): {done.records} records in {done.batches} batches "
            f"({counts})"
        )
    print(f"acknowledgement written to {ack_out}")
    return 0


def cmd_verify_audit(args: argparse.Namespace, settings: Settings) -> int:
    from syncserver.audit import summary, verify_chain

    report = _in_transaction(settings, verify_chain)
    if args.json:
        print(json.dumps(summary(report), indent=2))
    elif report.ok:
        print(f"audit log intact: {report.entries} entries, head {report.head}")
    else:
        print(f"audit log BROKEN at entry {report.first_bad_id}: {report.reason}")
    return 0 if report.ok else 1


COMMANDS = {
    "add-operator": cmd_add_operator,
    "disable-operator": cmd_set_operator_active,
    "enable-operator": cmd_set_operator_active,
    "set-operator-password": cmd_set_operator_password,
    "revoke-device": cmd_revoke_device,
    "verify-audit": cmd_verify_audit,
    "rotate-bundle-key": cmd_rotate_bundle_key,
    "import-bundle": cmd_import_bundle,
    "run": cmd_run,
    "migrate": cmd_migrate,
    "add-office": cmd_add_office,
    "enroll-code": cmd_enroll_code,
    "add-user": cmd_add_user,
    "set-user-password": cmd_set_user_password,
    "stats": cmd_stats,
}

if __name__ == "__main__":
    raise SystemExit(main())
