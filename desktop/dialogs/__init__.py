"""Dialogs of the desktop app. Each is opened with ``open()`` (window-modal, never a nested
event loop), so the window keeps painting and tests can drive it by keyboard."""
