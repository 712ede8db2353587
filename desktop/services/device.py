"""This device's identity: id, office, device number (used in registration codes).

Until the sync client enrolls the device with a server, the office code and device number
come from local settings (``loket-desk setup --office CODE --device-no N``); the device id is a
UUID made the first time it is asked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from common import errors as E
from common.errors import InvalidValue
from desktop.store import Store
from desktop.store import settings as S

DEFAULT_OFFICE = "000000"


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    device_id: str
    office_code: str
    device_no: int
    server_url: str | None
    enrolled: bool
    office_name: str = ""


def device_info(store: Store) -> DeviceInfo:
    with store.session() as s:
        device_id = S.read(s, "device_id")
        if not device_id:
            device_id = str(uuid.uuid4())
            S.write(s, "device_id", device_id)
        return DeviceInfo(
            device_id=device_id,
            office_code=str(S.read(s, "office_code", DEFAULT_OFFICE)),
            device_no=int(S.read(s, "device_no", 0)),
            server_url=S.read(s, "server_url"),
            enrolled=bool(S.read(s, "enrolled", False)),
            office_name=str(S.read(s, "office_name", "")),
        )


def validate_identity(office_code: str, device_no: int) -> str:
    """The office code normalised to 6 digits; ValueError when either value is unusable."""
    office = office_code.replace(".", "").replace("-", "").strip()
    if len(office) != 6 or not office.isdigit():
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
    with store.session() as s:
        if S.read(s, "enrolled", False):
            raise InvalidValue(E.DEVICE_ENROLLED)
        S.write(s, "office_code", office)
        S.write(s, "device_no", int(device_no))
        if office_name is not None:
            S.write(s, "office_name", office_name)
    return device_info(store)
