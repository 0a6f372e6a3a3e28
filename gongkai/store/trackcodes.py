"""Tracking codes (查询码) an applicant can read out over the phone or copy from a note (issue 13).

A code is 20 characters of Crockford's base32 — digits and capitals without I, L, O and U, so
nothing looks like something else — in four groups of five joined by dashes: 100 random bits,
23 characters, within the column's 32. People type it back with or without the dashes, in either
case, with spaces, full-width characters from a Chinese input method, or an O for a 0 and an I or
L for a 1 (Crockford's reading rules); all of those find the code.

Codes issued before (``secrets.token_urlsafe(12)``: 16 characters, case matters) are looked up
exactly as typed, apart from the spaces around them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
GROUPS = 4
GROUP_LENGTH = 5
CODE_BITS = GROUPS * GROUP_LENGTH * 5  # 100 bits: guessing one is hopeless
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−]+")  # spaces and every dash a keyboard or IME gives
_LOOK_ALIKES = str.maketrans("OIL", "011")


def new_code() -> str:
    """A fresh tracking code, e.g. ``7K3QD-M2XPA-9RT0V-HWN4E``."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return _grouped(chars)


def canonical_code(typed: str) -> str | None:
    """The code as issued for what someone typed, or None when it cannot be one of ours.

    >>> canonical_code(" 7k3qd m2xpa-9rtOv hwn4e ")
    '7K3QD-M2XPA-9RT0V-HWN4E'
    >>> canonical_code("７Ｋ３ＱＤ－Ｍ２ＸＰＡ－９ＲＴ０Ｖ－ＨＷＮ４Ｅ")
    '7K3QD-M2XPA-9RT0V-HWN4E'
    >>> canonical_code("Xy_3-abcDEFghijk") is None
    True
    """
    text = unicodedata.normalize("NFKC", typed)  # full-width letters, digits, dashes and spaces
    chars = _SEPARATORS.sub("", text).upper().translate(_LOOK_ALIKES)
    if len(chars) != GROUPS * GROUP_LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return _grouped(chars)


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))
