"""Sync bundles: the network path's messages carried on a file (issue 16; docs/PROTOCOL.md,
"Bundles").

A bundle is one file, sealed by its sender to one recipient:

* its payload (JSON) is compressed with zstd, then encrypted with HPKE (RFC 9180, base mode:
  DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305) to the recipient's X25519
  public key, so only the holder of the recipient's private key reads it;
* the whole file (frame, routing header, ciphertext) is signed with the sender's Ed25519
  key, so anyone who knows the sender's public key can check it was not changed on the way
  (a relaying office PC, the server before it decrypts anything);
* the routing header (who sent it, to which key, for which office) is in the clear, because
  routing needs it, and it is bound into the encryption (HPKE ``info``): a header swapped
  onto another bundle's ciphertext makes the ciphertext fail to open even if re-signed.

Both constructions are the ``cryptography`` package's (already a dependency for the key
slots), not a combination made here. No Qt, no Flask: the desktop and the server share it.

Frame (version 1), all integers big-endian::

    magic "LOKETBDL" (8) | format version (1) | kind (1) | header length (2) | header (JSON)
    | ciphertext length (4) | ciphertext (HPKE enc (32) + AEAD output) | signature (64)

The signature covers ``SIGNING_CONTEXT`` followed by every byte before it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from common import errors as E
from common import wire
from common.errors import ApiError

MAGIC = b"LOKETBDL"
FORMAT_VERSION = 1
#: Prefixes the signed bytes and the HPKE ``info``, so neither key use can be confused with
#: another protocol's (or another format version's).
SIGNING_CONTEXT = b"loket-bundle-v1 signature\x00"
ENCRYPTION_CONTEXT = b"loket-bundle-v1 payload\x00"
#: Bytes a bundle file may have at most (10,000 registrations take under 2 MB).
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
#: Bytes the decompressed payload may have at most (a compression bomb is refused).
MAX_PAYLOAD_BYTES = 512 * 1024 * 1024
MAX_HEADER_BYTES = 2048
SIGNATURE_BYTES = 64
KEY_BYTES = 32

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
_PREFIX = struct.Struct(">8sBBH")  # magic, version, kind, header length
_LENGTH = struct.Struct(">I")
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z:\-]{0,63}")
_OFFICE = re.compile(r"[0-9]{6}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


#: The header's fields in their order on the wire, each with the pattern its text must match.
_HEADER_FIELDS: dict[str, re.Pattern[str]] = {
    "bundle_id": _ID,
    "sender_id": _ID,
    "sender_key": _KEY_ID,
    "office_code": _OFFICE,
    "recipient_id": _ID,
    "recipient_key": _KEY_ID,
}


class Kind(IntEnum):
    """What a bundle carries."""

    RECORDS = 1  # a device's batches, to the server
    ACK = 2  # the server's answers and the office's changes, to one device


# --- keys ------------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be base64 text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"{what} is not base64") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{what} must be {KEY_BYTES} bytes")
    return raw


@dataclass(frozen=True, slots=True)
class PublicKeys:
    """One party's public halves: ``encryption`` (X25519) and ``signing`` (Ed25519), raw."""

    encryption: bytes
    signing: bytes

    def __post_init__(self) -> None:
        if len(self.encryption) != KEY_BYTES or len(self.signing) != KEY_BYTES:
            raise ValueError(f"public keys are {KEY_BYTES} bytes each")

    @property
    def key_id(self) -> str:
        """16 hex digits naming this pair (SHA-256 of both halves), written in headers."""
        return hashlib.sha256(b"loket-key\x00" + self.encryption + self.signing).hexdigest()[:16]

    def to_dict(self) -> dict[str, str]:
        return {
            "key_id": self.key_id,
            "encryption_key": _b64(self.encryption),
            "signing_key": _b64(self.signing),
        }

    @classmethod
    def of(cls, named: Any) -> PublicKeys:
        """From anything with ``key_id``, ``encryption_key`` and ``signing_key`` attributes
        (a :class:`common.protocol.BundleKey`, a device row), checked as :meth:`from_dict`."""
        return cls.from_dict(
            {
                "key_id": named.key_id,
                "encryption_key": named.encryption_key,
                "signing_key": named.signing_key,
            }
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublicKeys:
        """From :meth:`to_dict`'s shape; a ``key_id`` that does not match the keys is refused
        (ValueError), so a hand-edited or corrupted entry is never trusted under another name."""
        keys = cls(
            _unb64(data.get("encryption_key"), "encryption_key"),
            _unb64(data.get("signing_key"), "signing_key"),
        )
        if "key_id" in data and data["key_id"] != keys.key_id:
            raise ValueError("key_id does not match the keys")
        return keys


@dataclass(frozen=True, slots=True)
class KeyPair:
    """One party's private keys (raw 32-byte seeds). Keep them in an encrypted store or a
    private (0600) file; never log them."""

    encryption_secret: bytes
    signing_secret: bytes

    def __post_init__(self) -> None:
        if len(self.encryption_secret) != KEY_BYTES or len(self.signing_secret) != KEY_BYTES:
            raise ValueError(f"private keys are {KEY_BYTES} bytes each")

    def __repr__(self) -> str:  # never the secrets, in a traceback or a log line
        return f"KeyPair(key_id={self.public().key_id})"

    @classmethod
    def generate(cls) -> KeyPair:
        enc = X25519PrivateKey.generate().private_bytes_raw()
        sig = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(enc, sig)

    def _enc(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(self.encryption_secret)

    def _sig(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_secret)

    def public(self) -> PublicKeys:
        raw = (Encoding.Raw, PublicFormat.Raw)
        return PublicKeys(
            self._enc().public_key().public_bytes(*raw), self._sig().public_key().public_bytes(*raw)
        )

    def to_secret_dict(self) -> dict[str, str]:
        return {
            "key_id": self.public().key_id,
            "encryption_secret": _b64(self.encryption_secret),
            "signing_secret": _b64(self.signing_secret),
        }

    @classmethod
    def from_secret_dict(cls, data: dict[str, Any]) -> KeyPair:
        pair = cls(
            _unb64(data.get("encryption_secret"), "encryption_secret"),
            _unb64(data.get("signing_secret"), "signing_secret"),
        )
        if "key_id" in data and data["key_id"] != pair.public().key_id:
            raise ValueError("key_id does not match the keys")
        return pair


# --- the frame -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Header:
    """The routing header, readable without any key. ``sender_id``: the device id, or
    ``server``; ``recipient_id``: ``server`` or the device id; the ``*_key`` fields are
    :attr:`PublicKeys.key_id` values."""

    kind: Kind
    bundle_id: str
    sender_id: str
    sender_key: str
    office_code: str
    recipient_id: str
    recipient_key: str

    def to_json(self) -> bytes:
        return orjson.dumps({name: getattr(self, name) for name in _HEADER_FIELDS})

    @classmethod
    def from_json(cls, kind: Kind, raw: bytes) -> Header:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "header"}) from None
        if not isinstance(data, dict) or set(data) != set(_HEADER_FIELDS):
            raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "header"})
        for name, pattern in _HEADER_FIELDS.items():
            value = data[name]
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "header"})
        return cls(kind=kind, **{name: data[name] for name in _HEADER_FIELDS})


@dataclass(frozen=True, slots=True)
class Sealed:
    """A bundle file split into its parts (:func:`read`); nothing checked but the frame."""

    header: Header
    header_bytes: bytes
    ciphertext: bytes
    signed: bytes  # everything the signature covers, after SIGNING_CONTEXT
    signature: bytes

    @property
    def kind(self) -> Kind:
        return self.header.kind


def seal(
    kind: Kind,
    payload_json: bytes,
    *,
    bundle_id: str,
    sender_id: str,
    office_code: str,
    sender: KeyPair,
    recipient: PublicKeys,
    recipient_id: str,
) -> bytes:
    """The bundle file carrying ``payload_json`` from ``sender`` to ``recipient``."""
    header = Header(
        kind=kind,
        bundle_id=bundle_id,
        sender_id=sender_id,
        sender_key=sender.public().key_id,
        office_code=office_code,
        recipient_id=recipient_id,
        recipient_key=recipient.key_id,
    )
    header_bytes = header.to_json()
    # checked as a reader would: a bundle this side cannot read back is never written
    Header.from_json(kind, header_bytes)
    if len(header_bytes) > MAX_HEADER_BYTES:
        raise ValueError("header too long")
    compressed = wire.compress(payload_json, "zstd")
    ciphertext = _SUITE.encrypt(
        compressed,
        X25519PublicKey.from_public_bytes(recipient.encryption),
        info=ENCRYPTION_CONTEXT + header_bytes,
    )
    body = b"".join(
        (
            _PREFIX.pack(MAGIC, FORMAT_VERSION, int(kind), len(header_bytes)),
            header_bytes,
            _LENGTH.pack(len(ciphertext)),
            ciphertext,
        )
    )
    if len(body) + SIGNATURE_BYTES > MAX_BUNDLE_BYTES:
        raise ApiError(E.BUNDLE_TOO_LARGE, {"max": MAX_BUNDLE_BYTES})
    return body + sender._sig().sign(SIGNING_CONTEXT + body)


def read(raw: bytes) -> Sealed:
    """Split a bundle file into its parts, checking only the frame: magic, version, kind,
    lengths that add up exactly (a truncated or extended file is refused), a well-formed
    routing header. Nothing here is trusted until :func:`verify`."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise ApiError(E.BUNDLE_TOO_LARGE, {"max": MAX_BUNDLE_BYTES})
    if len(raw) < _PREFIX.size or raw[: len(MAGIC)] != MAGIC:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "not a Loket bundle"})
    _magic, version, kind_no, header_len = _PREFIX.unpack_from(raw, 0)
    if version != FORMAT_VERSION:
        raise ApiError(E.BUNDLE_VERSION_UNSUPPORTED, {"version": version})
    try:
        kind = Kind(kind_no)
    except ValueError:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "kind"}) from None
    if header_len > MAX_HEADER_BYTES:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "header length"})
    at = _PREFIX.size
    header_bytes = raw[at : at + header_len]
    at += header_len
    if len(raw) < at + _LENGTH.size:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "truncated"})
    (cipher_len,) = _LENGTH.unpack_from(raw, at)
    at += _LENGTH.size
    if len(raw) != at + cipher_len + SIGNATURE_BYTES:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "truncated"})
    header = Header.from_json(kind, header_bytes)
    return Sealed(
        header=header,
        header_bytes=header_bytes,
        ciphertext=raw[at : at + cipher_len],
        signed=raw[: at + cipher_len],
        signature=raw[at + cipher_len :],
    )


def verify(sealed: Sealed, signer: PublicKeys) -> None:
    """Check the signature with the sender's public key (BUNDLE_TAMPERED when it fails: the
    file was changed, or it was not made by that key)."""
    if sealed.header.sender_key != signer.key_id:
        raise ApiError(E.BUNDLE_TAMPERED, details={"detail": "signed by another key"})
    try:
        Ed25519PublicKey.from_public_bytes(signer.signing).verify(
            sealed.signature, SIGNING_CONTEXT + sealed.signed
        )
    except InvalidSignature:
        raise ApiError(E.BUNDLE_TAMPERED) from None


def open_payload(sealed: Sealed, recipient: KeyPair, *, limit: int = MAX_PAYLOAD_BYTES) -> bytes:
    """Decrypt and decompress the payload (its JSON). Call :func:`verify` first.
    BUNDLE_WRONG_RECIPIENT: made to another key; BUNDLE_TAMPERED: the ciphertext or the
    header it is bound to does not open; BUNDLE_TOO_LARGE: it decompresses past ``limit``."""
    if sealed.header.recipient_key != recipient.public().key_id:
        raise ApiError(E.BUNDLE_WRONG_RECIPIENT)
    try:
        compressed = _SUITE.decrypt(
            sealed.ciphertext, recipient._enc(), info=ENCRYPTION_CONTEXT + sealed.header_bytes
        )
    except (InvalidTag, ValueError):
        raise ApiError(E.BUNDLE_TAMPERED, details={"detail": "payload"}) from None
    try:
        return wire.decompress(compressed, "zstd", limit)
    except ApiError as exc:  # bounded like a push body; named as a bundle's problem
        if exc.code == E.BODY_TOO_LARGE:
            raise ApiError(E.BUNDLE_TOO_LARGE, {"max": limit}) from None
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "payload"}) from None
