"""Text safe for a spreadsheet or an XML part: control characters out, formulas recognised.

Shared by the readers (text yielded into the intermediate form) and the writers (every XLSX
export). Issue 14, items 5 and 6: Word's manual line break (``\\x0b``), a stray ``\\x00`` or
``\\x1f`` or a ``\\ufffe`` cannot be written into XML at all, so an export failed on them; and a
text beginning with ``=`` ``+`` ``-`` ``@`` (or a tab or carriage return) is taken by Excel for
a formula when it is typed, pasted or read from CSV.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls XML 1.0 forbids (tab, line feed and carriage return are allowed), and the two
# non-characters U+FFFE and U+FFFF. \x0b (Word's line break) and \x0c (its page break) become
# line breaks: they separate lines in the source.
_BREAKS_RE = re.compile("[\x0b\x0c]")
_ILLEGAL_RE = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str) -> str:
    r"""The text with line-breaking controls turned into ``\n`` and other illegal characters removed.

    >>> clean_text("第一行\x0b第二行\x00\x1f\ufffe")
    '第一行\n第二行'
    """
    if not (_BREAKS_RE.search(text) or _ILLEGAL_RE.search(text)):
        return text
    return _ILLEGAL_RE.sub("", _BREAKS_RE.sub("\n", text))


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula when it is entered.

    >>> looks_like_formula('=HYPERLINK("http://x")'), looks_like_formula("-"), looks_like_formula("一")
    (True, True, False)
    """
    return text.startswith(FORMULA_PREFIXES)


def sheet_value(value: Any) -> Any:
    """A cell value ready for a workbook: text cleaned; numbers, dates and None as they are."""
    return clean_text(value) if isinstance(value, str) else value
