"""Operator accounts and logging in, which is also how the encrypted store is opened.

The local database is encrypted (store/keys.py): logging in means opening the operator's key
slot with their password (:func:`unlock`), which gives the database key, which opens the
store; then the operator's row must be active (``ACCOUNT_DISABLED`` otherwise).

The lock-out is this module's (:func:`open_slot`): five wrong passwords in a row lock the
account for five minutes. The count is kept in the key slots file (store/keys.py), not in the
database, because the database is still locked when a login fails.

A slot is made only from the operator's password, under a salt made on this device
(``KeySlots.add_from_password``), never from the argon2id verifier in the account's row: the
verifier is what the sync server holds and sends (security issue 12, finding 1). So an account
created centrally (``source='server'``, sync/engine.apply_change) has no slot until its first
login on the device, which needs the store opened another way at that moment (:func:`unlock`
with ``authoriser=``: another operator present enters their own name and password; or the
key kept for unattended syncs); the password is then checked against the synced verifier and
wraps the key. Without either the login is refused with ``OPERATOR_NEEDS_AUTHORISATION``.

Rotating the key (:func:`rekey_database`) seals the new key to each active operator's public
key (store/keys.py), so nobody loses access and no password is needed. Slots of format 1
(made from verifiers by earlier versions) are opened once: the first login after the upgrade
re-keys the database, writes that operator a format-2 slot and drops the others.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from common import errors as E
from common.accounts import check_operator_name, check_password
from common.accounts import normalise_operator_name as normalise_username
from common.errors import ApiError, InvalidValue
from common.record import utcnow
from desktop import paths
from desktop.store import Store
from desktop.store.keys import PENDING_FILE, KeySlots
from desktop.store.models import OperatorAccount
from desktop.store.queries import operators as Q
from desktop.store.store import WrongKeyError, is_plaintext, read_plaintext_operators

#: Wrong passwords in a row that lock an account, and for how long.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=5)

#: argon2id (argon2-cffi's default type) with its default cost: ~50 ms per check.
hasher = PasswordHasher()
_dummy_hash: str | None = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hasher.hash("loket-dummy-password")
    return _dummy_hash


@dataclass(frozen=True, slots=True)
class Operator:
    username: str
    full_name: str = ""


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    username: str
    full_name: str
    active: bool
    source: str
    locked_until: datetime | None
    created_at: datetime


# --- the lock-out -------------------------------------------------------------------------------
def locked_until(slots: KeySlots, username: str) -> datetime | None:
    """When ``username``'s lock-out ends (the last one set; it may be over already)."""
    record = slots.failures(username)
    until = record.get("locked_until") if record else None
    return datetime.fromisoformat(until) if until else None


def check_locked(slots: KeySlots, username: str, now: datetime) -> None:
    """ApiError ACCOUNT_LOCKED while ``username`` is locked out."""
    until = locked_until(slots, username)
    if until is not None and until > now:
        raise ApiError(E.ACCOUNT_LOCKED)


def record_failure(slots: KeySlots, username: str, now: datetime) -> ApiError:
    """Count a failed login; the error to raise (ACCOUNT_LOCKED at the fifth in a row)."""
    record: dict[str, Any] = slots.failures(username) or {"count": 0, "locked_until": None}
    record["count"] += 1
    if record["count"] >= MAX_FAILURES:
        record["count"] = 0
        record["locked_until"] = (now + LOCK_FOR).isoformat()
    slots.set_failures(username, record)
    locked = record["locked_until"] and record["count"] == 0
    return ApiError(E.ACCOUNT_LOCKED if locked else E.LOGIN_FAILED)


def open_slot(slots: KeySlots, username: str, password: str, now: datetime) -> bytes:
    """The database key from ``username``'s slot, under the lock-out: ACCOUNT_LOCKED while
    locked; LOGIN_FAILED (no such slot, or a wrong password: the same answer), counted; a
    success clears the count."""
    check_locked(slots, username, now)
    key = slots.open(username, password)
    if key is None:
        raise record_failure(slots, username, now)
    slots.set_failures(username, None)
    return key


def add_operator(
    store: Store,
    username: str,
    password: str,
    full_name: str = "",
    *,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Create a local operator and their key slot (the store must be open: its key is
    wrapped for the new password). ValueError for a bad or taken user name or a short password."""
    name = _check_new(username, password)
    password_hash = hasher.hash(password)  # slow: outside the transaction
    with store.write() as s:
        if Q.exists(s, name):
            raise InvalidValue(E.OPERATOR_EXISTS, {"name": name})
        # the slot first, inside the transaction: if writing it fails, no row is added
        KeySlots(store.data_dir).add_from_password(store.key, name, password)
        Q.add(s, name, password_hash, clock(), full_name=" ".join(full_name.split()))


def _check_new(username: str, password: str) -> str:
    name = check_operator_name(username)
    check_password(password)
    return name


def needs_first_operator(data_dir: Path) -> bool:
    """True for a data folder where nobody can log in yet: no key slot, and no database or a
    plaintext one (from before encryption) without operators. The GUI then offers "create the
    first operator"; the CLI lets ``add-operator`` run without ``--operator``."""
    if KeySlots(data_dir).exists():
        return False
    db = paths.db_path(Path(data_dir))
    if not db.exists() or db.stat().st_size == 0:
        return True
    return is_plaintext(db) and not read_plaintext_operators(db)


def create_first_operator(
    data_dir: Path,
    username: str,
    password: str,
    full_name: str = "",
    *,
    clock: Callable[[], datetime] = utcnow,
) -> tuple[Store, Operator]:
    """Make the database key, open (create, or convert a plaintext) store with it, and add the
    first operator with their slot. The open store and the operator are returned."""
    if not needs_first_operator(data_dir):
        raise InvalidValue(E.OPERATORS_EXIST)
    name = _check_new(username, password)
    store = Store.open(Path(data_dir), KeySlots.new_key())
    try:
        add_operator(store, name, password, full_name, clock=clock)
    except BaseException:
        store.close()
        raise
    return store, Operator(name, " ".join(full_name.split()))


def unlock(
    data_dir: Path,
    username: str,
    password: str,
    *,
    authoriser: tuple[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> tuple[Store, Operator]:
    """Log in before anything is open: the operator's slot gives the database key, the key
    opens the store, the operator's row must be active. Returns the open store and operator.

    An operator without a slot here (created centrally, or whose slot no longer matches a
    password changed at the server) gets one when the store can be opened another way now:
    ``authoriser`` (another operator's name and password) or the unattended key
    (:func:`_first_login`). Raises ApiError ``LOGIN_FAILED`` (unknown user or wrong password:
    the same answer), ``ACCOUNT_LOCKED`` (after five failures, for five minutes),
    ``ACCOUNT_DISABLED`` or ``OPERATOR_NEEDS_AUTHORISATION``. A plaintext database from
    before encryption is converted at its first unlock (:func:`_unlock_plaintext`); slots of
    format 1 are replaced at the first login after the upgrade (:func:`_retire_v1`).
    """
    data_dir = Path(data_dir)
    name = normalise_username(username)
    slots = KeySlots(data_dir)
    if not slots.exists() and is_plaintext(paths.db_path(data_dir)):
        key = _unlock_plaintext(data_dir, slots, name, password)
    elif not slots.has(name):
        return _first_login(data_dir, slots, name, password, authoriser, clock)
    else:
        try:
            key = open_slot(slots, name, password, clock())
        except ApiError as exc:  # a password changed at the server: the slot has the old one
            if exc.code != E.LOGIN_FAILED or not _other_way(data_dir, authoriser):
                raise
            return _first_login(data_dir, slots, name, password, authoriser, clock, counted=True)
    return _open_as(data_dir, slots, name, password, key)


def _open_as(
    data_dir: Path, slots: KeySlots, name: str, password: str, key: bytes
) -> tuple[Store, Operator]:
    """The store opened with ``key`` (from ``name``'s slot), ``name`` checked active and its
    format-1 slots retired; the store is closed again if any of that fails."""
    store = _open_with(data_dir, slots, name, password, key)
    try:
        operator = _active_operator(store, name)
        _retire_v1(store, name, password)
    except BaseException:
        store.close()
        raise
    return store, operator


def _open_with(data_dir: Path, slots: KeySlots, name: str, password: str, key: bytes) -> Store:
    try:
        return Store.open(data_dir, key)
    except WrongKeyError:
        return _finish_interrupted_rekey(data_dir, slots, name, password)


def _other_way(data_dir: Path, authoriser: tuple[str, str] | None) -> bool:
    from desktop.store.keys import load_unattended_key

    return authoriser is not None or load_unattended_key(data_dir) is not None


def _first_login(
    data_dir: Path,
    slots: KeySlots,
    name: str,
    password: str,
    authoriser: tuple[str, str] | None,
    clock: Callable[[], datetime],
    counted: bool = False,
) -> tuple[Store, Operator]:
    """Open the store another way (an operator present, else the unattended key), check
    ``password`` against the account's synced verifier, then make its slot from the password.
    ``counted``: the slot already counted this attempt as a failure (not counted twice).

    The verifier only *checks* the password here; the slot's key comes from the password
    under a salt made on this device, which the server never sees."""
    from desktop.store.keys import load_unattended_key

    check_locked(slots, name, clock())
    if authoriser is not None and normalise_username(authoriser[0]) != name:
        a_name, a_password = normalise_username(authoriser[0]), authoriser[1]
        key = open_slot(slots, a_name, a_password, clock())
        store, _ = _open_as(data_dir, slots, a_name, a_password, key)
    else:
        unattended = load_unattended_key(data_dir)
        if unattended is None:
            raise ApiError(E.OPERATOR_NEEDS_AUTHORISATION)
        try:
            store = Store.open(data_dir, unattended)
        except WrongKeyError:
            raise ApiError(E.OPERATOR_NEEDS_AUTHORISATION) from None
    try:
        operator = _enrol(store, slots, name, password, clock, counted)
        _retire_v1(store, name, password)
    except BaseException:
        store.close()
        raise
    return store, operator


def _enrol(
    store: Store,
    slots: KeySlots,
    name: str,
    password: str,
    clock: Callable[[], datetime],
    counted: bool = False,
) -> Operator:
    """``name``'s slot on the open ``store``, if ``password`` matches the account's row
    (a mismatch counts towards the lock-out, unless ``counted`` already)."""
    account = _check_row(store, slots, name, password, clock, counted)
    if not account.active:
        raise ApiError(E.ACCOUNT_DISABLED)
    slots.add_from_password(store.key, name, password)
    return Operator(account.username, account.full_name)


def _check_row(
    store: Store,
    slots: KeySlots,
    name: str,
    password: str,
    clock: Callable[[], datetime],
    counted: bool = False,
) -> OperatorAccount:
    """The account row of ``name`` if ``password`` matches its (synced) verifier, else
    LOGIN_FAILED, counted towards the lock-out unless ``counted`` already."""
    with store.read() as s:
        account = Q.by_username(s, name)
    matches = _verify(account.password_hash if account is not None else _dummy(), password)
    if account is None or not matches:  # an unknown name costs the same check
        raise ApiError(E.LOGIN_FAILED) if counted else record_failure(slots, name, clock())
    return account


def _retire_v1(store: Store, name: str, password: str) -> None:
    """Slots of format 1 were made from the server's verifiers, so anyone holding those had
    the database key: at the first login after the upgrade the database is re-keyed under a
    fresh key, ``name`` gets a format-2 slot from ``password``, and every format-1 slot is
    dropped (their operators then log in for the first time on this device)."""
    if KeySlots(store.data_dir).has_v1():
        _rotate(store, fresh=(name, password))


def _finish_interrupted_rekey(data_dir: Path, slots: KeySlots, name: str, password: str) -> Store:
    """The slots' key no longer opens the database: a re-key stopped after ``PRAGMA rekey``
    and before its new slots were moved into place. The side file has them."""
    pending = KeySlots(data_dir, PENDING_FILE)
    if not pending.path.exists():
        raise WrongKeyError(f"the key slots do not open {paths.db_path(data_dir)}")
    key = open_slot(pending, name, password, utcnow())
    store = Store.open(data_dir, key)  # WrongKeyError again: genuinely not this database's key
    slots.replace_with(pending)
    return store


def _unlock_plaintext(data_dir: Path, slots: KeySlots, name: str, password: str) -> bytes:
    """First login on a database made before encryption: check the password against the row,
    make the database key and this operator's slot from the password; Store.open then
    converts the file. The other operators log in for the first time later
    (:func:`_first_login`): their slots cannot come from their hashes."""
    rows = {u: (h, a) for u, h, a in read_plaintext_operators(paths.db_path(data_dir))}
    found = rows.get(name)
    if found is None:
        _verify(_dummy(), password)  # same cost as a real check: no user-name oracle
        raise ApiError(E.LOGIN_FAILED)
    if not _verify(found[0], password):
        raise ApiError(E.LOGIN_FAILED)
    if not found[1]:
        raise ApiError(E.ACCOUNT_DISABLED)
    key = KeySlots.new_key()
    slots.add_from_password(key, name, password)
    return key


def _active_operator(store: Store, name: str) -> Operator:
    with store.read() as s:
        account = Q.by_username(s, name)
    if account is None:  # a slot without an account (should not happen): nobody to log in as
        raise ApiError(E.LOGIN_FAILED)
    if not account.active:
        raise ApiError(E.ACCOUNT_DISABLED)
    return Operator(account.username, account.full_name)


def authenticate(
    store: Store,
    username: str,
    password: str,
    *,
    authoriser: tuple[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Operator:
    """The operator for a correct user name and password on an already open store (the idle
    lock, and a second login after a logout): the password must open the operator's slot and
    give this store's key; the row must be active. An operator without a slot here gets one
    as in :func:`unlock` (``authoriser``, or the unattended key of this store).

    Raises ApiError ``LOGIN_FAILED`` (unknown user or wrong password), ``ACCOUNT_LOCKED``
    (locked after too many failures, even with the right password), ``ACCOUNT_DISABLED`` or
    ``OPERATOR_NEEDS_AUTHORISATION``.
    """
    name = normalise_username(username)
    slots = KeySlots(store.data_dir)
    if slots.has(name):
        try:
            key = open_slot(slots, name, password, clock())
        except ApiError as exc:
            if exc.code != E.LOGIN_FAILED or not _authorised(store, slots, authoriser, clock):
                raise
            return _enrol(store, slots, name, password, clock, counted=True)
        if not hmac.compare_digest(key, store.key):  # a slot of another data folder's key
            raise ApiError(E.LOGIN_FAILED)
        return _active_operator(store, name)
    check_locked(slots, name, clock())
    if not _authorised(store, slots, authoriser, clock):
        # the store is open, so the row can be checked: an unknown name or a wrong password
        # looks like any failed login; only the right password hears that a slot is missing
        _check_row(store, slots, name, password, clock)
        raise ApiError(E.OPERATOR_NEEDS_AUTHORISATION)
    return _enrol(store, slots, name, password, clock)


def _authorised(
    store: Store,
    slots: KeySlots,
    authoriser: tuple[str, str] | None,
    clock: Callable[[], datetime],
) -> bool:
    """True when another active operator's password opens this store's key, or the
    unattended key of this store is kept in the OS credential store."""
    from desktop.store.keys import load_unattended_key

    if authoriser is None:
        unattended = load_unattended_key(store.data_dir)
        return unattended is not None and hmac.compare_digest(unattended, store.key)
    a_name = normalise_username(authoriser[0])
    key = open_slot(slots, a_name, authoriser[1], clock())
    if not hmac.compare_digest(key, store.key):
        raise ApiError(E.LOGIN_FAILED)
    _active_operator(store, a_name)
    return True


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(store: Store, username: str, password: str) -> None:
    """A new password: the row's hash and this operator's slot only (the data is not
    re-encrypted; every other operator's slot still opens the same key)."""
    check_password(password)
    password_hash = hasher.hash(password)
    with store.write() as s:
        row = _get(s, username)
        row.password_hash = password_hash
        KeySlots(store.data_dir).add_from_password(store.key, row.username, password)


def set_active(store: Store, username: str, active: bool) -> None:
    """Disable or enable an account on this device. A disabled account's slot stays (so it
    can be enabled again) but its login is refused with ``ACCOUNT_DISABLED``; accounts
    disabled at the server lose their slot at the next sync (sync/engine.apply_change)."""
    with store.write() as s:
        _get(s, username).active = active


def rekey_database(store: Store) -> int:
    """Rotate the database key: ``PRAGMA rekey`` under a new random key, sealed to the public
    key of every active operator's slot (store/keys.py; their next login wraps it under their
    password again). Slots of disabled or unknown accounts, and of format 1, are dropped;
    nothing is made from a password hash. Returns the number of slots written. A key kept
    for unattended syncs in the OS credential store is replaced too.

    The new slots are written to a side file before the rekey and moved into place after it,
    so a crash in between leaves a file :func:`unlock` can still use (docs/SECURITY.md).
    """
    return _rotate(store, fresh=None)


def _rotate(store: Store, fresh: tuple[str, str] | None) -> int:
    """The re-key of :func:`rekey_database`; ``fresh`` (name, password) also gets a slot
    wrapped under their password (the upgrade from format 1)."""
    from desktop.store.keys import load_unattended_key, save_unattended_key

    with store.read() as s:
        active = Q.active_usernames(s)
    new_key = KeySlots.new_key()
    slots = KeySlots(store.data_dir)
    pending = KeySlots.pending(store.data_dir)
    for username in slots.usernames():
        slot = slots.slot(username)
        if username in active and slot is not None and slots.public_key(username) is not None:
            pending.add_sealed(new_key, username, slot)
    if fresh is not None:
        pending.add_from_password(new_key, fresh[0], fresh[1])
    if not pending.usernames():
        pending.path.unlink(missing_ok=True)
        raise InvalidValue(E.REKEY_NO_SLOT)
    had_unattended = load_unattended_key(store.data_dir) is not None
    store.rekey(new_key)
    slots.replace_with(pending)
    if had_unattended:
        save_unattended_key(store.data_dir, new_key)
    return len(pending.usernames())


def list_operators(store: Store) -> list[OperatorInfo]:
    """Every account, by user name; ``locked_until`` from the lock-out (:func:`open_slot`)."""
    with store.read() as s:
        rows = Q.all_by_username(s)
    slots = KeySlots(store.data_dir)
    return [
        OperatorInfo(
            r.username,
            r.full_name,
            r.active,
            r.source,
            locked_until(slots, r.username),
            r.created_at,
        )
        for r in rows
    ]


def _get(s: Session, username: str) -> OperatorAccount:
    row = Q.by_username(s, normalise_username(username))
    if row is None:
        raise InvalidValue(E.OPERATOR_UNKNOWN, {"name": username})
    return row
