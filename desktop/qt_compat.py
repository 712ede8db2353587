"""Work-arounds for bugs in the Qt binding, each detected rather than assumed.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without taking a reference. Every
emit from Python code therefore drops one reference to ``True``; on Python 3.11, where ``True``
is an ordinary object (3.12 made it immortal), a few hundred emits later the interpreter
aborts with "Fatal Python error: bool_dealloc". :func:`guard_signal_emit_refcount` probes for
the leak and, if present, makes ``True``/``False`` effectively immortal as Python 3.12 does.
Imported by every module of the app that uses Qt signals (``tasks``, ``application``).
Remove once the pinned PySide6 is fixed (the probe then reports nothing to do).
"""

from __future__ import annotations

import ctypes
import sys

_applied: bool | None = None


def guard_signal_emit_refcount() -> bool:
    """True when the leak was found and neutralised (idempotent)."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal bools: a lost reference does no harm
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    if sys.getrefcount(True) >= before:
        return False
    for obj in (True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    _applied = True
    return True


guard_signal_emit_refcount()
