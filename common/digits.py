"""What counts as a digit in Loket: ASCII 0-9 only.

``str.isdigit()`` and ``re``'s ``\\d`` also take "²", "٣", "९" or "９"; such a "digit" in a NIK
validated cleanly and escaped the duplicate check against the same NIK, and ``int("²")``
raises where ``"²".isdigit()`` said yes. Every digit check in common, desktop and syncserver
uses :func:`is_digits` or the class ``[0-9]``.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9, at least one."""
    return text.isascii() and text.isdigit()
