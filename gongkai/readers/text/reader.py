"""Plain text and Markdown-like text → :class:`~gongkai.readers.document.Document`.

Three table shapes are found in real text exports (see format-and-law.md §7):

* **one cell per line** (Word's text export): each cell is a line starting with a tab,
  rows are separated by blank lines, and a line without a tab right after a cell
  continues it (「商业\\n企业」). Merged cells are left out, so only the order of cells counts.
* **tab-separated rows** (PDF export): one row per line, empty fields for merged cells.
* **Markdown pipe tables**: ``| a | b |`` rows, ``|---|`` separator lines skipped.

Stray lines inside and between tables (page numbers, 「图 1」 captions, bookmarks) are dropped.
"""

from __future__ import annotations

import re

from gongkai.model.labels import BOOKMARK_RE
from gongkai.readers.document import Document, Grid, GridCell, Paragraph, UnreadableDocument, is_stray
from gongkai.readers.values import is_value_text

# The three tables of a report hold about 200 cells, 1,000 with labels and blanks.
MAX_GRID_CELLS = 20_000

_TOP_HEADING_RE = re.compile(r"^\s*(?:#|[一二三四五六七八九十]{1,2}、)")
# Matched against the stripped line: with the spaces around the line in the pattern, two `\s*` side
# by side backtracked over a long run of spaces in quadratic time (found by the fuzzer).
_PIPE_SEPARATOR_RE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")


def _kind(line: str) -> str:
    """blank, cell (Word export: one tab, then the cell), tsv, pipe (Markdown table) or text."""
    if not line:
        return "blank"
    if line[0] == "\t" and line.find("\t", 1) < 0:
        return "cell"  # possibly empty: an empty cell of a Word export
    if line.isspace():
        return "blank"
    if "\t" in line:
        return "tsv"
    if "|" in line:
        stripped = line.strip()
        if stripped[0] == "|" and stripped[-1] == "|" and stripped.count("|") >= 3:
            return "pipe"
    return "text"


def _unmark(text: str) -> str:
    return BOOKMARK_RE.sub("", text) if "[" in text else text


class _Lines(list):
    """The text's lines with each line's kind worked out once."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines)
        self.kinds = [_kind(line) for line in lines]
        self.stray = [k == "text" and is_stray(line) for k, line in zip(self.kinds, lines, strict=True)]


def text_to_document(text: str, name: str = "<text>") -> Document:
    """Split text into paragraphs and grids, keeping each piece's line number."""
    lines = _Lines(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    doc = Document(name)
    if _space_aligned(lines):
        # loaded for such text only: it brings the positioned-page reader with it
        from gongkai.readers.text.aligned import aligned_blocks

        doc.blocks = [block for _, block in aligned_blocks([_unmark(line) for line in lines])]
        return doc
    i = 0
    while i < len(lines):
        kind = lines.kinds[i]
        if kind in ("cell", "tsv", "pipe"):
            grid, i = _read_word_table(lines, i) if kind == "cell" else _read_row_table(lines, i, kind)
            doc.blocks.append(grid)
        else:
            if kind == "text" and not lines.stray[i]:
                doc.blocks.append(Paragraph(_unmark(lines[i]).strip(), i + 1))
            i += 1
    return doc


# Space-aligned text is told by its rows of numbers; a report's tables have dozens of them, while
# running text with a few numbers set apart by wide spaces is rare.
MIN_ALIGNED_ROWS = 3
# Two numbers set apart by two or more spaces: the least a row of such a table has.
_SPACED_NUMBERS_RE = re.compile(r"\d {2,}[-+]?\d")


def _space_aligned(lines: _Lines) -> bool:
    """Text whose tables are lined up with spaces: no tabs, pipes or Word cells, and rows of numbers."""
    if any(kind in ("cell", "tsv", "pipe") for kind in lines.kinds):
        return False
    if not any(_SPACED_NUMBERS_RE.search(line) for line in lines):
        return False
    from gongkai.readers.text.aligned import is_aligned_row

    rows = 0
    for kind, line in zip(lines.kinds, lines, strict=True):
        if kind == "text" and "  " in line and is_aligned_row(line):
            rows += 1
            if rows >= MIN_ALIGNED_ROWS:
                return True
    return False


def _next_content(lines: _Lines, i: int) -> int:
    """Index of the next line that is neither blank nor stray (or ``len(lines)``)."""
    while i < len(lines) and (lines.kinds[i] == "blank" or lines.stray[i]):
        i += 1
    return i


# A label wrapped over lines is a few dozen characters (the longest official one is under 40). Past
# this, a line of text ends the table rather than joining the cell: gluing thousands of lines onto
# one cell, each time checking the whole cell anew, took a fuzzed 500 KB file over 30 s.
MAX_WRAPPED_CELL_CHARS = 300


def _too_big(first: int) -> UnreadableDocument:
    return UnreadableDocument(f"第{first + 1}行起的表格超过{MAX_GRID_CELLS}个单元格，不是年度报告的统计表")


def _read_word_table(lines: _Lines, i: int) -> tuple[Grid, int]:
    grid = Grid(positional=False)
    row: list[GridCell] = []
    kinds = lines.kinds
    first, stop = i, i + MAX_GRID_CELLS  # a cell is at least one line
    while i < len(lines):
        if i > stop:
            raise _too_big(first)
        line = lines[i]
        kind = kinds[i]
        if kind == "cell":
            row.append(GridCell(_unmark(line[1:]).strip(), i + 1))
            i += 1
        elif (
            kind == "text"
            and row
            and kinds[i - 1] != "blank"
            and len(row[-1].text) <= MAX_WRAPPED_CELL_CHARS
            and not is_value_text(row[-1].text)  # wrapped labels only: never glue text onto a number
            and not _TOP_HEADING_RE.match(line)
        ):
            # A cell's text wrapped onto a line of its own (「商业」「企业」).
            row[-1].text += _unmark(line).strip()
            i += 1
        elif kind in ("blank", "text"):
            if row:
                grid.rows.append(row)
                row = []
            nxt = _next_content(lines, i)
            if nxt < len(lines) and kinds[nxt] == "cell":
                i = nxt  # blank lines and page numbers between rows
                continue
            return grid, nxt if kind == "blank" or nxt > i else i
        else:
            break
    if row:
        grid.rows.append(row)
    return grid, i


def _split_row(line: str, kind: str, number: int) -> list[GridCell]:
    """The cells of a row on line ``number``: a pipe row's between its bars, else tab-separated."""
    if kind == "pipe":
        return [GridCell(c.strip(), number) for c in line.strip().strip("|").split("|")]
    if "[" not in line:  # no bookmark in any cell: the common case, without a call per cell
        return [GridCell(c.strip(), number) for c in line.split("\t")]
    return [GridCell(_unmark(c).strip(), number) for c in line.split("\t")]


def _read_row_table(lines: _Lines, i: int, kind: str) -> tuple[Grid, int]:
    grid = Grid(positional=True)
    first, cells = i, 0
    while i < len(lines):
        line = lines[i]
        line_kind = lines.kinds[i]
        if line_kind == kind:
            if not (kind == "pipe" and _PIPE_SEPARATOR_RE.fullmatch(line.strip())):
                grid.rows.append(_split_row(line, kind, i + 1))
                cells += len(grid.rows[-1])
                if cells > MAX_GRID_CELLS:
                    raise _too_big(first)
            i += 1
            continue
        nxt = _next_content(lines, i)
        if nxt < len(lines) and lines.kinds[nxt] == kind and nxt > i:
            i = nxt  # a page number or blank line inside the table
            continue
        break
    return grid, i
