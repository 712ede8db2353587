"""This device's identity: id, office, device number (used in registration codes).

Until the sync client enrolls the device with a server, the office code and device number
come from local settings (``loket-desk setup --office CODE --device-no N``); the device id is a
UUID made the first time it is asked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from common import errors as E
from common.digits import is_digits
from common.errors import InvalidValue
from desktop.store import Store
from desktop.store import settings as S

DEFAULT_OFFICE = S.DEFAULT_OFFICE


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    device_id: str
    office_code: str
    device_no: int
    server_url: str | None
    enrolled: bool
    office_name: str = ""


def _info(s: Session, device_id: str) -> DeviceInfo:
    return DeviceInfo(
        device_id=device_id,
        office_code=S.OFFICE_CODE.get(s),
        device_no=S.DEVICE_NO.get(s),
        server_url=S.SERVER_URL.get(s),
        enrolled=S.ENROLLED.get(s),
        office_name=S.OFFICE_NAME.get(s),
    )


def device_info(store: Store) -> DeviceInfo:
    """The identity, read without the write lock; the device id is made (in a write) the first
    time it is asked for."""
    with store.read() as s:
        device_id = S.DEVICE_ID.get(s)
        if device_id:
            return _info(s, device_id)
    with store.write() as s:
        device_id = S.DEVICE_ID.get(s)
        if not device_id:
            device_id = str(uuid.uuid4())
            S.DEVICE_ID.set(s, device_id)
        return _info(s, device_id)


def validate_identity(office_code: str, device_no: int) -> str:
    """The office code normalised to 6 digits; ValueError when either value is unusable."""
    office = office_code.replace(".", "").replace("-", "").strip()
    if len(office) != 6 or not is_digits(office):
        raise InvalidValue(E.OFFICE_CODE_INVALID, {"value": office_code})
    if not 0 <= int(device_no) <= 999:
        raise InvalidValue(E.DEVICE_NO_INVALID, {"value": device_no})
    return office


def set_local_identity(
    store: Store, office_code: str, device_no: int, office_name: str | None = None
) -> DeviceInfo:
    """Set the office and device number of a device not enrolled with a server.

    Refused (ValueError) once the device is enrolled: then the server's values hold.
    """
    office = validate_identity(office_code, device_no)
    with store.write() as s:
        if S.ENROLLED.get(s):
            raise InvalidValue(E.DEVICE_ENROLLED)
        S.OFFICE_CODE.set(s, office)
        S.DEVICE_NO.set(s, int(device_no))
        if office_name is not None:
            S.OFFICE_NAME.set(s, office_name)
    return device_info(store)
