"""The version handshake, desktop side (issue 18 #5; docs/PROTOCOL.md "Version handshake").

Every pull sends this app's version (:data:`APP_VERSION`, ``client_version=``); the server's
answer states its minimum and current client versions, which the engine stores in the
settings (:data:`desktop.store.settings.CLIENT_MIN_VERSION`, ``CLIENT_CURRENT_VERSION``).
:func:`notice` tells what to say: an update is *required* (below the minimum) or *available*
(below the current one). Neither ever stops saving, exporting or syncing: the server never
refuses records because of the client's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from common import __version__
from common.protocol import version_key

#: This desktop's version: sent at enrollment (``app_version``) and with every pull.
APP_VERSION = __version__


class VersionState(StrEnum):
    UNKNOWN = "unknown"  # the server has not said (not synced yet, or an older server)
    UP_TO_DATE = "up_to_date"
    AVAILABLE = "available"
    REQUIRED = "required"


@dataclass(frozen=True, slots=True)
class VersionNotice:
    state: VersionState
    minimum: str | None
    current: str | None


def notice(minimum: str | None, current: str | None, own: str = APP_VERSION) -> VersionNotice:
    """What the server's stated versions mean for a desktop of version ``own``."""
    if minimum and version_key(own) < version_key(minimum):
        state = VersionState.REQUIRED
    elif current and version_key(own) < version_key(current):
        state = VersionState.AVAILABLE
    elif minimum or current:
        state = VersionState.UP_TO_DATE
    else:
        state = VersionState.UNKNOWN
    return VersionNotice(state, minimum, current)


def english_line(n: VersionNotice) -> str | None:
    """The line ``loket-desk sync`` prints (English, like its other lines), or None."""
    if n.state is VersionState.REQUIRED:
        return (
            f"update required: this is version {APP_VERSION}, the minimum is {n.minimum} "
            "(records are still accepted); call the office's IT"
        )
    if n.state is VersionState.AVAILABLE:
        return f"new version available: {n.current} (this is {APP_VERSION})"
    return None
