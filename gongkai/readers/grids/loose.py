"""Lines of a table that a converter printed as text, joined back into the table's grid.

A PDF → Markdown converter breaks a table wherever a cell did not fit its idea of a row: a
wrapped row label becomes lines of text between two pipe tables, a 「第二十条第（一）项」
caption a line (or a bold line, a heading, a one-cell table) above each block of table 二,
table 四's header words one line above its numbers. The text reader sees paragraphs between
grids. :func:`table_grids` gives the grids the table reader should see: two grids with only
such lines between them are one grid, the lines its one-cell rows; a caption or a header line
right above a grid is its first row. The lines stay paragraphs of the document as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from gongkai.model.labels import core
from gongkai.model.layouts import ACTIVE_HEADER
from gongkai.readers.document import Grid, GridCell, Paragraph
from gongkai.readers.grids.active import is_active_label
from gongkai.readers.grids.rows import is_request_label, table_of_texts
from gongkai.readers.sections import match_heading

# A label is under 40 characters, table 四's header run together about 70; a longer line, or
# one with a full stop, is running text and ends the table.
MAX_LINE_CHARS = 120
# Lines between two pieces of one table: a few wrapped labels, never a page of text.
MAX_LINES_BETWEEN = 12

# Markdown around a line a converter made of a cell: 「### 」 「**…**」 「| … |」.
_LEADING_MARKS = "#|*"
_TRAILING_MARKS = "|*"
_RULE_RE = re.compile(r"[\s|:-]*-{3,}[\s|:-]*")


def _table_line(text: str) -> str | None:
    """The cell text a paragraph may be, without its Markdown; None when it is running text."""
    if len(text) > 2 * MAX_LINE_CHARS or "。" in text:
        return None  # running text (and never a long line through the patterns: spaces backtrack)
    return _short_table_line(text)


@lru_cache(maxsize=4096)  # short lines (headings, captions, labels) repeat from report to report
def _short_table_line(text: str) -> str | None:
    text = _undecorated(text)
    if not text or len(text) > MAX_LINE_CHARS or "|" in text or match_heading(text):
        return None
    return text


def _undecorated(text: str) -> str:
    """The text without its Markdown: 「#」「|」「*」 and spaces at its start, 「|」「*」 and spaces
    at its end. (A pattern for the end was tried at every character of every paragraph.)"""
    while True:  # marks and spaces may alternate (「| **」): strip both until neither is left
        stripped = text.lstrip(_LEADING_MARKS).lstrip().rstrip(_TRAILING_MARKS).rstrip()
        if len(stripped) == len(text):
            return text
        text = stripped


def _names_a_label(text: str) -> bool:
    """A line that names something of tables 二 or 三 (a caption, a header, a row, a group)."""
    label = core(text)
    return bool(
        table_of_texts((text,)) in ("active", "requests")
        or ACTIVE_HEADER.matches(label)
        or is_active_label(label)
        or is_request_label(label)
    )


def _name_labels(lines: list[tuple[str, int]]) -> bool:
    """Lines that name a label of the tables, one by one or together (a label wrapped over them)."""
    return any(_names_a_label(text) for text, _ in lines) or _names_a_label("".join(t for t, _ in lines))


def _one_cell_rows(lines: list[tuple[str, int]]) -> list[list[GridCell]]:
    return [[GridCell(text, line)] for text, line in lines]


def table_grids(blocks: Sequence[Paragraph | Grid]) -> list[Grid]:
    """The document's grids with the table lines printed as text joined back into them."""
    grids: list[Grid] = []
    made: set[int] = set()  # ids of the grids made here, which may be grown
    # the table lines since the last grid (or since running text), with their line numbers
    lines: list[tuple[str, int]] = []
    after_grid = False  # nothing but table lines since the last grid
    for block in blocks:
        if isinstance(block, Paragraph):
            if len(block.text) <= MAX_LINE_CHARS and "---" in block.text and _RULE_RE.fullmatch(block.text):
                continue  # 「|---|」 under a one-cell table: the text reader takes it for text
            text = _table_line(block.text)
            if text is None or len(lines) >= MAX_LINES_BETWEEN:
                lines, after_grid = [], False
            else:
                lines.append((text, block.line))
            continue
        if after_grid and lines and _name_labels(lines):
            # one table: the grid above, the lines, this grid (a copy of the document's grid
            # is made once and grown, so that a thousand pieces do not cost a million copies)
            if id(grids[-1]) not in made:
                grids[-1] = Grid(list(grids[-1].rows), grids[-1].positional)
                made.add(id(grids[-1]))
            grids[-1].rows += [*_one_cell_rows(lines), *block.rows]
            grids[-1].positional = grids[-1].positional and block.positional
        else:
            # a caption or header line right above the grid is its first row
            starts = [i for i, (text, _) in enumerate(lines) if table_of_texts((text,)) is not None]
            if starts:
                block = Grid([*_one_cell_rows(lines[starts[0] :]), *block.rows], block.positional)
                made.add(id(block))
            grids.append(block)
        lines, after_grid = [], True
    return grids


__all__ = ["table_grids"]
