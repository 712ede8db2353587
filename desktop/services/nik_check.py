"""Whether a NIK is registered already, asked at the server (issue 13 #4).

The form asks right after the 16th digit: the local store at once, and, when the sync status
is online, the server for the other devices of this office (``POST
/api/v1/registrations/nik-check``; the server answers only about the device's own office).
This runs on the I/O pool with short timeouts: a slow or absent server never holds up typing,
and any failure just leaves the local answer.
"""

from __future__ import annotations

from typing import Any

from common.protocol import NikMatch

#: Seconds to connect and to wait for the answer: the clerk is typing the next field meanwhile.
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 3.0


def remote_nik_matches(store: Any, nik: str, lang: str = "id") -> list[NikMatch]:
    """The office's registrations with ``nik`` at the server (raises ApiError when the device
    is not enrolled or the server cannot be reached)."""
    from desktop.sync.commands import make_client

    client = make_client(store, lang)
    client.timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    try:
        return list(client.nik_check(nik).matches)
    finally:
        client.close()
