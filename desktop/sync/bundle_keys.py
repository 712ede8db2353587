"""This device's bundle keys and the server's (issue 16; docs/PROTOCOL.md, "Bundles").

The device's private keys are made once, at enrollment (or at the first sync of a device
enrolled before bundles existed), and kept in the encrypted store; the server gets the
public halves. The server's public keys arrive with enrollment, with a pull that asks for
them and inside every acknowledgement bundle, so a key rotation reaches a device that never
meets a network too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from common import bundle as B
from common import errors as E
from common.errors import ApiError
from common.protocol import BundleKey, decode
from desktop.store import settings as S


def device_keys(s: Session) -> B.KeyPair:
    """This device's key pair, made (in ``s``, a write session) the first time."""
    stored = S.BUNDLE_DEVICE_KEYS.get(s)
    if stored:
        return B.KeyPair.from_secret_dict(stored)
    pair = B.KeyPair.generate()
    S.BUNDLE_DEVICE_KEYS.set(s, pair.to_secret_dict())
    S.BUNDLE_KEY_REGISTERED.set(s, False)
    return pair


def stored_device_keys(s: Session) -> B.KeyPair | None:
    stored = S.BUNDLE_DEVICE_KEYS.get(s)
    return B.KeyPair.from_secret_dict(stored) if stored else None


def as_message(keys: B.PublicKeys, accept_until: str | None = None) -> BundleKey:
    return BundleKey(**keys.to_dict(), accept_until=accept_until)


def public_keys(key: BundleKey) -> B.PublicKeys:
    return B.PublicKeys.of(key)


def save_server_keys(s: Session, keys: list[BundleKey]) -> None:
    """Keep the server's accepted keys (each checked: a key whose id does not name it is
    refused, never stored)."""
    for key in keys:
        public_keys(key)
    S.SERVER_BUNDLE_KEYS.set(
        s,
        [
            {
                "key_id": k.key_id,
                "encryption_key": k.encryption_key,
                "signing_key": k.signing_key,
                "accept_until": k.accept_until,
            }
            for k in keys
        ],
    )


def server_keys(s: Session) -> list[BundleKey]:
    return [decode(BundleKey, d) for d in S.SERVER_BUNDLE_KEYS.get(s)]


def current_server_key(s: Session) -> B.PublicKeys:
    """The server key new bundles are sealed to (BUNDLE_NO_KEYS when none is known)."""
    keys = server_keys(s)
    if not keys:
        raise ApiError(E.BUNDLE_NO_KEYS)
    current = next((k for k in keys if k.accept_until is None), keys[0])
    return public_keys(current)


def server_signer(s: Session, key_id: str) -> B.PublicKeys:
    """The server key that signed an acknowledgement (BUNDLE_TAMPERED for a key this device
    was never given: not this server's, or forged)."""
    for key in server_keys(s):
        if key.key_id == key_id:
            return public_keys(key)
    raise ApiError(E.BUNDLE_TAMPERED, details={"detail": "signed by an unknown key"})
