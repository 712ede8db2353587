"""One running app per data folder (issue 13): two windows on one encrypted store would each
hold their own view of it, give out sequence numbers in parallel and fight over the lock-out
counts. The first instance holds a ``QLockFile`` in the data folder and listens on a local
socket named after the folder; a second one finds the lock taken, asks the first to bring its
window to the front, and exits.

A lock left by a crashed instance is not a problem: QLockFile writes its process id into the
file and takes over a lock whose process is gone.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "loket.lock"
_RAISE = b"raise\n"


def server_name(data_dir: Path) -> str:
    """The local socket's name: one per data folder (its resolved path), short enough for the
    Unix socket path limit."""
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()[:20]
    return f"loket-{digest}"


class InstanceGuard(QObject):
    """``acquire()`` in the first instance (True: carry on); in a second one it is False and
    ``notify_first()`` raises the first instance's window."""

    raiseRequested = Signal()  # a second instance was started on this folder

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.name = server_name(self.data_dir)
        self._lock = QLockFile(str(self.data_dir / LOCK_NAME))
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        if not self._lock.tryLock(200):
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.name)  # we hold the lock: any socket left is stale
        if not server.listen(self.name):
            log.warning("no instance socket %s: %s", self.name, server.errorString())
        server.newConnection.connect(self._connected)
        self._server = server
        return True

    def _connected(self) -> None:
        """Read the one short line a second instance sends (it writes it right after
        connecting, so the short wait never shows); the socket stays the server's child."""
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            if socket is None:
                break
            if socket.bytesAvailable() or socket.waitForReadyRead(1000):
                if bytes(socket.readAll().data()).startswith(_RAISE.strip()):
                    log.info("a second instance was started on this data folder: raising it")
                    self.raiseRequested.emit()
            socket.close()

    def notify_first(self, timeout_ms: int = 2000) -> bool:
        """Ask the running instance to raise its window; False when it cannot be reached."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(_RAISE)
        ok = socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return ok

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()
