"""A desktop store that counts as enrolled without a server: what ``enroll_device`` writes
(office, device number, ``enrolled``), minus the server address and credential. Saving a
registration needs an enrolled device (issue 13 defect 2: before enrollment every device
was ``000000-000`` and two applicants got the same code); tests and tools that save with no
server use this. A sync on such a store ends with ``NOT_ENROLLED`` (no credential)."""

from __future__ import annotations

from typing import Any


def enroll_offline(
    store: Any, office: str = "320101", device_no: int = 1, office_name: str = ""
) -> None:
    from desktop.services.device import device_info, set_local_identity

    if device_info(store).enrolled:  # already (a process started again on the same store)
        return
    set_local_identity(store, office, device_no, office_name or None)
    store.set_setting("enrolled", True)
