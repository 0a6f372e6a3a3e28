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

from gongkai.model.text import clean_text

# Word's manual line break (\x0b) and page break (\x0c) separate lines in a document: they become
# line breaks; every other character that is no text goes as it does from a form
# (gongkai.model.text, the one list of them).
_BREAKS_RE = re.compile("[\x0b\x0c]")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_lines(text: str) -> str:
    r"""A document's text: line-breaking controls turned into ``\n``, other characters that are no
    text removed (:func:`gongkai.model.text.clean_text`).

    >>> clean_lines("第一行\x0b第二行\x00\x1f\ufffe")
    '第一行\n第二行'
    """
    return clean_text(_BREAKS_RE.sub("\n", text))


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula when it is entered.

    >>> looks_like_formula('=HYPERLINK("http://x")'), looks_like_formula("-"), looks_like_formula("一")
    (True, True, False)
    """
    return text.startswith(FORMULA_PREFIXES)


def csv_cell(value: object) -> object:
    """A value as a CSV file keeps it for a spreadsheet: text it would run as a formula behind an
    apostrophe, everything else as it is.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("示例局"), csv_cell(3)
    ("'=HYPERLINK(1)", '示例局', 3)
    """
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value


def sheet_value(value: Any) -> Any:
    """A cell value ready for a workbook: text cleaned; numbers, dates and None as they are."""
    return clean_lines(value) if isinstance(value, str) else value
