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


# Each line's kind as one letter: the lines of a document make a string of them, in which a
# regex finds the end of a run of table lines, or the next line that is not blank, in one call.
BLANK = "b"
CELL = "c"  # Word export: one tab, then the cell (possibly empty: an empty cell)
TSV = "t"  # tab-separated row (PDF export)
PIPE = "p"  # Markdown table row
TEXT = "x"
STRAY = "s"  # text that carries nothing (is_stray): a page number, a caption, a bookmark
_TEXTS = (TEXT, STRAY)
_BLOCK_START = re.compile(f"[{TEXT}{CELL}{TSV}{PIPE}]")  # a line that starts a paragraph or a table
_CONTENT = re.compile(f"[^{BLANK}{STRAY}]")  # a line neither blank nor stray
_NOT_CELL = re.compile(f"[^{CELL}]")


def _text_kind(line: str) -> str:
    """A line that holds no tab: PIPE (a Markdown table row), STRAY or TEXT."""
    if "|" in line:
        stripped = line.strip()
        if stripped[0] == "|" and stripped[-1] == "|" and stripped.count("|") >= 3:
            return PIPE
    return STRAY if is_stray(line) else TEXT


def _line_kinds(lines: list[str]) -> str:
    """Each line's kind, one letter a line (BLANK, CELL, TSV, PIPE, TEXT or STRAY)."""
    # One comprehension with the tests inline: this runs for every line of every report.
    return "".join(
        [
            BLANK
            if not line
            else CELL
            if line[0] == "\t" and line.find("\t", 1) < 0
            else BLANK
            if line.isspace()
            else TSV
            if "\t" in line
            else _text_kind(line)
            for line in lines
        ]
    )


def _unmark(text: str) -> str:
    return BOOKMARK_RE.sub("", text) if "[" in text else text


def _run_end(pattern: re.Pattern[str], kinds: str, i: int) -> int:
    """Index of the first line from ``i`` whose kind ``pattern`` matches (or ``len(kinds)``)."""
    found = pattern.search(kinds, i)
    return len(kinds) if found is None else found.start()


def text_to_document(text: str, name: str = "<text>") -> Document:
    """Split text into paragraphs and grids, keeping each piece's line number."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    kinds = _line_kinds(lines)
    doc = Document(name, text=text)
    if _space_aligned(text, lines, kinds):
        # loaded for such text only: it brings the positioned-page reader with it
        from gongkai.readers.text.aligned import aligned_blocks

        doc.blocks = aligned_blocks([_unmark(line) for line in lines])
        return doc
    marked = "[" in text  # bookmarks to take out of the cells
    i = 0
    while (found := _BLOCK_START.search(kinds, i)) is not None:
        i = found.start()
        kind = kinds[i]
        if kind == TEXT:
            doc.blocks.append(Paragraph(_unmark(lines[i]).strip(), i + 1))
            i += 1
            continue
        if kind == CELL:
            grid, i = _read_word_table(lines, kinds, i, marked)
        else:
            grid, i = _read_row_table(lines, kinds, i)
        doc.blocks.append(grid)
    return doc


# Space-aligned text is told by its rows of numbers; a report's tables have dozens of them, while
# running text with a few numbers set apart by wide spaces is rare.
MIN_ALIGNED_ROWS = 3
# Two numbers set apart by two or more spaces: the least a row of such a table has.
_SPACED_NUMBERS_RE = re.compile(r"\d {2,}[-+]?\d")


def _space_aligned(text: str, lines: list[str], kinds: str) -> bool:
    """Text whose tables are lined up with spaces: no tabs, pipes or Word cells, and rows of numbers."""
    if CELL in kinds or TSV in kinds or PIPE in kinds:
        return False
    if not _SPACED_NUMBERS_RE.search(text):  # the pattern holds no line break: one search for all lines
        return False
    from gongkai.readers.text.aligned import is_aligned_row

    rows = 0
    for kind, line in zip(kinds, lines, strict=True):
        if kind == TEXT and "  " in line and is_aligned_row(line):
            rows += 1
            if rows >= MIN_ALIGNED_ROWS:
                return True
    return False


# A label wrapped over lines is a few dozen characters (the longest official one is under 40). Past
# this, a line of text ends the table rather than joining the cell: gluing thousands of lines onto
# one cell, each time checking the whole cell anew, took a fuzzed 500 KB file over 30 s.
MAX_WRAPPED_CELL_CHARS = 300


def _too_big(first: int) -> UnreadableDocument:
    return UnreadableDocument(f"第{first + 1}行起的表格超过{MAX_GRID_CELLS}个单元格，不是年度报告的统计表")


def _read_word_table(lines: list[str], kinds: str, i: int, marked: bool) -> tuple[Grid, int]:
    """The Word-export table from line ``i`` (a cell) and the index of the line after it.

    ``marked``: the text holds a 「[」, so cells may hold bookmarks to take out.
    """
    grid = Grid(positional=False)
    row: list[GridCell] = []
    first, stop = i, i + MAX_GRID_CELLS  # a cell is at least one line
    while i < len(lines):
        if i > stop:
            raise _too_big(first)
        kind = kinds[i]
        if kind == CELL:
            # The whole run of cell lines at once. A cell line starts with its tab: stripping the
            # line strips the cell.
            end = _run_end(_NOT_CELL, kinds, i)
            if end - 1 > stop:
                raise _too_big(first)
            run = lines[i:end]
            texts = map(str.strip, map(_unmark, run) if marked else run)
            row.extend(map(GridCell, texts, range(i + 1, end + 1)))
            i = end
        elif (
            kind in _TEXTS
            and row
            and kinds[i - 1] != BLANK
            and len(row[-1].text) <= MAX_WRAPPED_CELL_CHARS
            and not is_value_text(row[-1].text)  # wrapped labels only: never glue text onto a number
            and not _TOP_HEADING_RE.match(lines[i])
        ):
            # A cell's text wrapped onto a line of its own (「商业」「企业」).
            row[-1].text += _unmark(lines[i]).strip()
            i += 1
        elif kind == BLANK or kind in _TEXTS:
            if row:
                grid.rows.append(row)
                row = []
            nxt = _run_end(_CONTENT, kinds, i)  # past blank lines and page numbers
            if nxt < len(lines) and kinds[nxt] == CELL:
                i = nxt  # blank lines and page numbers between rows
                continue
            return grid, nxt if kind == BLANK or nxt > i else i
        else:
            break
    if row:
        grid.rows.append(row)
    return grid, i


def _split_row(line: str, kind: str, number: int) -> list[GridCell]:
    """The cells of a row on line ``number``: a pipe row's between its bars, else tab-separated."""
    if kind == PIPE:
        return [GridCell(c.strip(), number) for c in line.strip().strip("|").split("|")]
    if "[" not in line:  # no bookmark in any cell: the common case, without a call per cell
        return [GridCell(c.strip(), number) for c in line.split("\t")]
    return [GridCell(_unmark(c).strip(), number) for c in line.split("\t")]


_NOT_OF_KIND = {TSV: re.compile(f"[^{TSV}]"), PIPE: re.compile(f"[^{PIPE}]")}


def _read_row_table(lines: list[str], kinds: str, i: int) -> tuple[Grid, int]:
    """The table of tab-separated or pipe rows from line ``i`` and the index of the line after it."""
    grid = Grid(positional=True)
    kind = kinds[i]
    first, cells = i, 0
    while True:
        end = _run_end(_NOT_OF_KIND[kind], kinds, i)  # lines i … end - 1 are rows
        for number in range(i + 1, end + 1):
            line = lines[number - 1]
            if kind == PIPE and "---" in line and _PIPE_SEPARATOR_RE.fullmatch(line.strip()):
                continue
            row = _split_row(line, kind, number)
            grid.rows.append(row)
            cells += len(row)
            if cells > MAX_GRID_CELLS:
                raise _too_big(first)
        nxt = _run_end(_CONTENT, kinds, end)
        if nxt < len(lines) and kinds[nxt] == kind and nxt > end:
            i = nxt  # a page number or blank line inside the table
            continue
        return grid, end
