"""Work-arounds for bugs in the Qt binding, each detected by a probe rather than assumed.

PySide6 6.12.0 on Python 3.11: methods returning ``void`` hand back ``None`` without taking a
reference, and ``SignalInstance.emit()`` does the same with ``True`` (the binding seems to
rely on Python 3.12's immortal singletons). Each call from Python code therefore drops one
reference to ``None`` / ``True``; after enough calls the interpreter aborts with
"Fatal Python error: none_dealloc" (or ``bool_dealloc``), typically while collecting garbage
at exit or deep into a long session. :func:`guard_singleton_refcounts` probes for the leak
and, if present, makes ``None``, ``True`` and ``False`` effectively immortal, exactly what
Python 3.12 does for them. It must run before the app makes many Qt calls: ``tasks`` and
``application`` import this module first. With a fixed binding (or Python >= 3.12) the probe
finds nothing and this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

_applied: bool | None = None
_IMMORTAL = 1 << 40


def _leaks(fn: Callable[[], object], singleton: object) -> bool:
    before = sys.getrefcount(singleton)
    for _ in range(8):
        fn()
    return sys.getrefcount(singleton) < before


def guard_singleton_refcounts() -> bool:
    """True when a leak was found and neutralised (idempotent)."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal singletons: a lost reference does no harm
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    if not (_leaks(probe.ping.emit, True) or _leaks(lambda: probe.setObjectName("p"), None)):
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _IMMORTAL
    _applied = True
    return True


guard_singleton_refcounts()
