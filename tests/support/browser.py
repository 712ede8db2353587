"""Debian's Chromium for browser tests (Playwright cannot download its own browser here).

    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_kwargs())

Playwright passes --no-sandbox itself (chromium_sandbox defaults to False), which Chromium needs
when running as root.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_CHROMIUM = "/usr/bin/chromium"


def find_chromium() -> str | None:
    """``$LOKET_CHROMIUM`` or /usr/bin/chromium, if executable."""
    path = os.environ.get("LOKET_CHROMIUM") or DEFAULT_CHROMIUM
    return path if os.access(path, os.X_OK) else None


def launch_kwargs(executable_path: str | None = None, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch`` using Debian's Chromium, headless."""
    kwargs: dict[str, Any] = {
        "executable_path": executable_path or find_chromium() or DEFAULT_CHROMIUM,
        "headless": True,
        # /dev/shm is small in containers; GPU is absent anyway.
        "args": ["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
    }
    kwargs.update(extra)
    return kwargs
