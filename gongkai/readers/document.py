"""The intermediate form every reader yields: paragraphs and table grids, with provenance.

A text, HTML, DOCX or PDF reader turns its source into a :class:`Document`; one table
reader (:mod:`gongkai.readers.tables`) maps any grid onto the layout, so a fix for one
format helps all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from gongkai.model.cleantext import clean_lines
from gongkai.model.labels import BOOKMARK_RE
from gongkai.model.reading import Paragraph
from gongkai.model.text import has_unclean_text

# A page number as printed in a footer or typed into the text: 「3」「- 3 -」「— 3 —」「第3页」「3/12」.
_PAGE_NUMBER_RE = re.compile(r"^[-—－–\s]*(?:第\s*)?\d{1,4}\s*(?:页|/\s*\d{1,4})?[-—－–\s]*$")
_CAPTION_RE = re.compile(r"^(?:图|表)\s*\d{1,3}\s*$")
_STRAY_OPENINGS = "-—－–第图表"


def is_stray(line: str) -> bool:
    """A line that carries nothing of the report: a page number, a figure caption, a bookmark.

    >>> is_stray("1"), is_stray("- 2 -"), is_stray("— 3 —"), is_stray("图 1"), is_stray("2024年")
    (True, True, True, True, False)
    """
    # strip() takes the ideographic space (U+3000) too, and both patterns take it for a space
    text = (BOOKMARK_RE.sub("", line) if "[" in line else line).strip()
    if not text:
        return True
    # Both patterns can only match text that opens with a dash, 第, 图, 表 or a digit (\d: any
    # Unicode decimal digit): running text is told by its first character, without them.
    if text[0] not in _STRAY_OPENINGS and not text[0].isdecimal():
        return False
    return bool(_PAGE_NUMBER_RE.match(text) or _CAPTION_RE.match(text))


# OCR: text read with a confidence below this is uncertain, and a value so read is reported for
# checking against the original. Measured on the five seeds scanned at 200 dpi, clean and with
# scan noise (~5000 value cells): values read right score 0.72 at the lowest, 1.2 % of them
# under 0.8; every misread scored 0.0–0.6 (a 「0」 read as 「。」, a dropped minus sign, an
# unread 「0」). At 300 dpi nothing was misread and 0.4 % of values scored under 0.8.
UNCERTAIN_BELOW = 0.8


@dataclass(slots=True)
class GridCell:
    """One cell of a table grid: its text and where it came from."""

    text: str
    line: int  # source line (text formats) or a running number (others)
    colspan: int = 1
    rowspan: int = 1
    # OCR: how sure the engine was of this text (0–1); None where the text is exact.
    confidence: float | None = None


@dataclass
class Grid:
    """A table as found: rows of cells.

    ``positional`` tells whether a cell's index in its row is its column (tab-separated
    text, Markdown, HTML, DOCX after span expansion). Word's text export lists only the
    cells each row really has, so there only the order of cells is meaningful.
    """

    rows: list[list[GridCell]] = field(default_factory=list)
    positional: bool = True

    @property
    def first_line(self) -> int:
        """The source line of the grid's first cell."""
        return next((c.line for row in self.rows for c in row), 0)

    def texts(self) -> list[list[str]]:
        """The grid as plain strings, row by row (for debugging and tests)."""
        return [[c.text for c in row] for row in self.rows]


@dataclass(frozen=True)
class DocumentNotice:
    """Something a reader assumed or could not be sure of, reported as a READ-* finding."""

    rule: str  # e.g. READ-TRADITIONAL, READ-OCR
    message: str  # plain Chinese, for the officer
    line: int | None = None
    info: bool = True  # info when the reader only applied a convention, else a warning


@dataclass
class Document:
    """A source document as an ordered list of paragraphs and grids."""

    name: str
    blocks: list[Paragraph | Grid] = field(default_factory=list)
    notices: list[DocumentNotice] = field(default_factory=list)
    # Where a line is, in words, for forms whose "lines" are running numbers (PDF, DOCX…):
    # line → 「第2页表格1第5行」. Text and HTML leave it empty: their lines are the source's own.
    places: dict[int, str] = field(default_factory=dict)
    # The publication date the source itself states outside its text (a web page's meta tags).
    published: date | None = None
    # The text every block was cut from, where the reader had one (plain text): no paragraph or
    # cell holds a character it lacks, so a test for characters searches it once instead of
    # gathering every block's text (clean_document, simplify_document).
    text: str | None = field(default=None, repr=False)

    @property
    def paragraphs(self) -> list[Paragraph]:
        """The running text, in order."""
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def grids(self) -> list[Grid]:
        """The tables, in order."""
        return [b for b in self.blocks if isinstance(b, Grid)]


def clean_document(doc: Document) -> Document:
    r"""Clean every paragraph and cell of characters no report holds, in place; returns the document.

    Word's manual line break (``\x0b``, also as ``_x000B_`` in a workbook) becomes a line break;
    other control characters and U+FFFE/U+FFFF are dropped, so that what is read can be stored
    and written to any form (issue 14).
    """
    if doc.text is not None and not has_unclean_text(doc.text):
        return doc  # the common case, told from the source text without gathering the blocks'
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    texts += [c.text for b in doc.blocks if isinstance(b, Grid) for row in b.rows for c in row]
    if not has_unclean_text("".join(texts)):
        return doc  # one search of the whole text instead of one per cell
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            text = clean_lines(block.text)
            if text != block.text:
                doc.blocks[i] = Paragraph(text, block.line)
        else:
            for row in block.rows:
                for cell in row:
                    cell.text = clean_lines(cell.text)
    return doc


class UnreadableDocument(Exception):
    """The source cannot be read as a report; the message says why, for the officer."""
