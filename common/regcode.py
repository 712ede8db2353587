"""Registration codes: human-readable, unique without a network, typo-evident.

Format ``OOOOOO-DDD-SSSSSS-C``: the office code (regency code and office number, 6 digits),
the device's number within the office (3 digits, given at enrollment), the device's own
sequence (6 or more digits), and a check character computed with the Luhn mod N algorithm
over the 32-symbol alphabet below, which catches every single-character error and every
swap of two adjacent characters. The alphabet has no I, L, O or U, so a code read over the
phone is not misheard. Input is read case-insensitively, with O as 0 and I/L as 1.

Unique across all devices because the device part is the server's: a desktop gives out codes
only once enrolled (``desktop.services.registrations.may_make_codes``), and the server takes a
new registration only with the pushing device's own office and number
(``syncserver.ingest.new_code_errors``). Device part 000 was a desktop not enrolled yet
(before issue 13, two such devices both gave ``000000-000-000001-Y``); it is refused now.
"""

from __future__ import annotations

import re

from common.digits import is_digits

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_N = len(ALPHABET)
_LOOKALIKES = str.maketrans("OIL", "011")
_CODE_RE = re.compile(r"^([0-9]{6})-([0-9]{3})-([0-9]{6,})-([0-9A-Z])$")


#: Each symbol's addend in Luhn mod N: as it is (factor 1), and doubled with its "digits" in
#: base N summed (factor 2). Looked up, not computed: the server checks every pushed code.
_ONCE = {ch: i for i, ch in enumerate(ALPHABET)}
_TWICE = {ch: (2 * i) // _N + (2 * i) % _N for i, ch in enumerate(ALPHABET)}


def check_char(payload: str) -> str:
    """Luhn mod 32 check character over the symbols of ``payload`` (dashes ignored): from
    the right, factors 2, 1, 2, ... (KeyError for a symbol not in the alphabet)."""
    symbols = payload.replace("-", "")
    once, twice = _ONCE, _TWICE
    total = sum([twice[ch] for ch in symbols[::-2]]) + sum([once[ch] for ch in symbols[-2::-2]])
    return ALPHABET[-total % _N]


def make_code(office_code: str, device_no: int, sequence: int) -> str:
    office = office_code.replace(".", "").replace("-", "")
    if len(office) != 6 or not is_digits(office):
        raise ValueError(f"office code must be 6 digits, got {office_code!r}")
    if not 0 <= device_no <= 999:
        raise ValueError("device number must be 0-999")
    payload = f"{office}-{device_no:03d}-{sequence:06d}"
    return f"{payload}-{check_char(payload)}"


def normalise_code(text: str) -> str:
    t = text.strip().upper().replace(" ", "")
    t = t.translate(_LOOKALIKES)
    if "-" not in t and len(t) >= 16:
        t = f"{t[:6]}-{t[6:9]}-{t[9:-1]}-{t[-1]}"
    return t


def is_valid_code(text: str) -> bool:
    code = normalise_code(text)
    m = _CODE_RE.match(code)
    if not m:
        return False
    return check_char(code[: code.rfind("-")]) == m.group(4)
