"""Operator accounts and logging in, which is also how the encrypted store is opened.

The local database is encrypted (store/keys.py): logging in means opening the operator's key
slot with their password (:func:`unlock`), which gives the database key, which opens the
store; then the operator's row must be active (``ACCOUNT_DISABLED`` otherwise). Failures are
counted in the key slots file (the database is still locked then): five wrong passwords in a
row lock the account for five minutes.

Every account's slot is made from the argon2id hash in its row (``KeySlots.add_from_hash``),
for local accounts (``loket-desk add-operator``) and for accounts synced from the server
(``source='server'``, see sync/engine.apply_change) alike, so the database key can be
re-wrapped for every operator when it is rotated (:func:`rekey_database`).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from common import errors as E
from common.errors import ApiError
from common.record import utcnow
from desktop import paths
from desktop.store import Store
from desktop.store.keys import LOCK_MINUTES, PENDING_FILE, KeySlots
from desktop.store.keys import MAX_FAILURES as MAX_FAILURES
from desktop.store.models import OperatorAccount
from desktop.store.store import WrongKeyError, is_plaintext, read_plaintext_operators

LOCK_FOR = timedelta(minutes=LOCK_MINUTES)
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

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


def normalise_username(username: str) -> str:
    return username.strip().lower()


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
    with store.session() as s:
        if s.scalar(select(OperatorAccount.id).where(OperatorAccount.username == name)):
            raise ValueError(f"operator {name!r} already exists")
        # the slot first, inside the transaction: if writing it fails, no row is added
        KeySlots(store.data_dir).add_from_hash(store.key, name, password_hash)
        s.add(
            OperatorAccount(
                username=name,
                full_name=" ".join(full_name.split()),
                password_hash=password_hash,
                active=True,
                failed_attempts=0,
                locked_until=None,
                created_at=clock(),
                source="local",
            )
        )


def _check_new(username: str, password: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise ValueError(
            "user name must be 1-64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
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
        raise ValueError("this device already has operators: log in as one of them to add another")
    name = _check_new(username, password)
    store = Store.open(Path(data_dir), KeySlots.new_key())
    try:
        add_operator(store, name, password, full_name, clock=clock)
    except BaseException:
        store.close()
        raise
    return store, Operator(name, " ".join(full_name.split()))


def unlock(
    data_dir: Path, username: str, password: str, *, clock: Callable[[], datetime] = utcnow
) -> tuple[Store, Operator]:
    """Log in before anything is open: the operator's slot gives the database key, the key
    opens the store, the operator's row must be active. Returns the open store and operator.

    Raises ApiError ``LOGIN_FAILED`` (unknown user or wrong password: the same answer),
    ``ACCOUNT_LOCKED`` (after five failures, for five minutes) or ``ACCOUNT_DISABLED``.
    A plaintext database from before encryption is converted at its first unlock
    (:func:`_unlock_plaintext`).
    """
    data_dir = Path(data_dir)
    name = normalise_username(username)
    slots = KeySlots(data_dir)
    if not slots.exists() and is_plaintext(paths.db_path(data_dir)):
        key = _unlock_plaintext(data_dir, slots, name, password)
    else:
        key = slots.unlock(name, password, now=clock())
    try:
        store = Store.open(data_dir, key)
    except WrongKeyError:
        store = _finish_interrupted_rekey(data_dir, slots, name, password)
    try:
        operator = _active_operator(store, name)
    except BaseException:
        store.close()
        raise
    return store, operator


def _finish_interrupted_rekey(data_dir: Path, slots: KeySlots, name: str, password: str) -> Store:
    """The slots' key no longer opens the database: a re-key stopped after ``PRAGMA rekey``
    and before its new slots were moved into place. The side file has them."""
    pending = KeySlots(data_dir, PENDING_FILE)
    if not pending.path.exists():
        raise WrongKeyError(f"the key slots do not open {paths.db_path(data_dir)}")
    key = pending.unlock(name, password)
    store = Store.open(data_dir, key)  # WrongKeyError again: genuinely not this database's key
    slots.replace_with(pending)
    return store


def _unlock_plaintext(data_dir: Path, slots: KeySlots, name: str, password: str) -> bytes:
    """First login on a database made before encryption: check the password against the row,
    make the database key and a slot for every active operator (from their argon2id hashes, so
    they all keep their passwords); Store.open then converts the file."""
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
    for user, (password_hash, active) in rows.items():
        if active and password_hash.startswith("$argon2id$"):
            slots.add_from_hash(key, user, password_hash)
    return key


def _active_operator(store: Store, name: str) -> Operator:
    with store.session(write=False) as s:
        account = s.scalar(select(OperatorAccount).where(OperatorAccount.username == name))
    if account is None:  # a slot without an account (should not happen): nobody to log in as
        raise ApiError(E.LOGIN_FAILED)
    if not account.active:
        raise ApiError(E.ACCOUNT_DISABLED)
    return Operator(account.username, account.full_name)


def authenticate(
    store: Store, username: str, password: str, *, clock: Callable[[], datetime] = utcnow
) -> Operator:
    """The operator for a correct user name and password on an already open store (the idle
    lock, and a second login after a logout): the password must open the operator's slot and
    give this store's key; the row must be active.

    Raises ApiError ``LOGIN_FAILED`` (unknown user or wrong password), ``ACCOUNT_LOCKED``
    (locked after too many failures, even with the right password) or ``ACCOUNT_DISABLED``.
    """
    name = normalise_username(username)
    key = KeySlots(store.data_dir).unlock(name, password, now=clock())
    if not hmac.compare_digest(key, store.key):  # a slot of another data folder's key
        raise ApiError(E.LOGIN_FAILED)
    return _active_operator(store, name)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(store: Store, username: str, password: str) -> None:
    """A new password: the row's hash and this operator's slot only (the data is not
    re-encrypted; every other operator's slot still opens the same key)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    password_hash = hasher.hash(password)
    with store.session() as s:
        row = _get(s, username)
        row.password_hash = password_hash
        row.failed_attempts = 0
        row.locked_until = None
        KeySlots(store.data_dir).add_from_hash(store.key, row.username, password_hash)


def set_active(store: Store, username: str, active: bool) -> None:
    """Disable or enable an account on this device. A disabled account's slot stays (so it
    can be enabled again) but its login is refused with ``ACCOUNT_DISABLED``; accounts
    disabled at the server lose their slot at the next sync (sync/engine.apply_change)."""
    with store.session() as s:
        _get(s, username).active = active


def rekey_database(store: Store) -> int:
    """Rotate the database key: ``PRAGMA rekey`` under a new random key, and a new slot for
    every active operator (from their row's argon2id hash); slots of disabled or unknown
    accounts are dropped. Returns the number of slots written. A key kept for unattended
    syncs in the OS credential store is replaced too.

    The new slots are written to a side file before the rekey and moved into place after it,
    so a crash in between leaves a file :func:`unlock` can still use (docs/SECURITY.md).
    """
    from desktop.store.keys import load_unattended_key, save_unattended_key

    with store.session(write=False) as s:
        rows = s.execute(
            select(OperatorAccount.username, OperatorAccount.password_hash).where(
                OperatorAccount.active.is_(True)
            )
        ).all()
    new_key = KeySlots.new_key()
    slots = KeySlots(store.data_dir)
    pending = KeySlots.pending(store.data_dir)
    for username, password_hash in rows:
        if password_hash.startswith("$argon2id$"):
            pending.add_from_hash(new_key, username, password_hash)
    if not pending.usernames():
        pending.path.unlink(missing_ok=True)
        raise ValueError("no active operator with an argon2id hash: the new key would be lost")
    had_unattended = load_unattended_key(store.data_dir) is not None
    store.rekey(new_key)
    slots.replace_with(pending)
    if had_unattended:
        save_unattended_key(store.data_dir, new_key)
    return len(pending.usernames())


def list_operators(store: Store) -> list[OperatorInfo]:
    with store.session(write=False) as s:
        rows = s.scalars(select(OperatorAccount).order_by(OperatorAccount.username)).all()
        return [
            OperatorInfo(r.username, r.full_name, r.active, r.source, r.locked_until, r.created_at)
            for r in rows
        ]


def _get(session, username: str) -> OperatorAccount:  # type: ignore[no-untyped-def]
    row = session.scalar(
        select(OperatorAccount).where(OperatorAccount.username == normalise_username(username))
    )
    if row is None:
        raise ValueError(f"no operator {username!r}")
    return row
