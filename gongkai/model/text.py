"""Text as it may enter the store: no control characters or Unicode noncharacters (issue 14 §9).

PostgreSQL text cannot hold NUL, and the other control characters (\\x0b, \\x1f …) and
noncharacters (\\ufffe …) only break the documents gongkai writes and the pages it shows. Forms,
ledger imports and command-line options pass their text through :func:`clean_text`, so that both
databases keep the same text.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates; the
# noncharacters U+FDD0–U+FDEF and U+FFFE/U+FFFF of the Basic Multilingual Plane …
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# … and U+xFFFE/U+xFFFF of the other planes. Apart: with them in its class, the pattern above is no
# longer a table lookup but a list of comparisons per character, ten times slower; and they are
# looked for only in text past U+FFFF (:func:`_past_bmp`), which a report almost never holds.
_NOT_TEXT_PAST_BMP = re.compile(
    "["
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}-{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)


def _past_bmp(value: str) -> bool:
    """Whether ``value`` holds a character past U+FFFF.

    Such a character takes two UTF-16 code units, every other one: encoding is a few times faster
    than a regex search for the range.
    """
    return len(value.encode("utf-16-le", "surrogatepass")) > 2 * len(value)


def clean_text(value: str) -> str:
    """``value`` without control characters other than tab and line breaks, and without Unicode
    noncharacters.

    >>> clean_text("a\\x00b\\x0bc\\x1fd\\ufffe\\te\\r\\nf")
    'abcd\\te\\r\\nf'
    """
    value = _NOT_TEXT.sub("", value)
    if _past_bmp(value):
        value = _NOT_TEXT_PAST_BMP.sub("", value)
    return value


def has_unclean_text(value: str) -> bool:
    """Whether :func:`clean_text` would change ``value``."""
    if _NOT_TEXT.search(value):
        return True
    return _past_bmp(value) and bool(_NOT_TEXT_PAST_BMP.search(value))


def organ_key(name: str | None) -> str:
    """An organ's name as names are compared: a report's 机关 with an organ or an alias in the
    store, and one year's report with another's in ``gongkai check``. Without spaces, full-width
    forms made half-width (（）→ ()), as long as the store keeps.

    >>> organ_key(" 某某区 科学技术局（知识产权局）") == organ_key("某某区科学技术局(知识产权局)")
    True
    """
    return "".join(unicodedata.normalize("NFKC", name or "").split())[:200]
