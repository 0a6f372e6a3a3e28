"""Space-aligned text: tables whose columns are lined up with runs of spaces.

``pdftotext -layout``, a PDF viewer's copy and many portals' "text version" give a report's tables
this way: no tabs, no rules, each row one line with its numbers standing in columns, a label that
is too long wrapped onto the lines above or below, and page headers, footers and form feeds
between rows. Such text is a printed page whose positions are the character columns, so it is
read the way an unruled PDF page is (:mod:`gongkai.readers.positioned.unruled`): each line's fields
become pieces at their columns, and the columns are found from where the numbers stand.

Two ways of counting a column are met: the converters put each character in one column whatever
its width (a Chinese label takes half the room it takes on paper), while text aligned by hand in
a monospaced font counts a Chinese character as two. Whichever lines the numbers up better is used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from gongkai.readers.document import Grid, Paragraph, is_stray
from gongkai.readers.positioned.pieces import Piece
from gongkai.readers.positioned.unruled import unruled_tables

# A field: text up to a run of two or more spaces (a single space stays inside, as in running text).
_FIELD_RE = re.compile(r"\S+(?: \S+)*")
_NUMBER_RE = re.compile(r"^[-+]?\d[\d,，.]*%?$|^[-—–－/]$")
_HEADING_RE = re.compile(r"^[一二三四五六七八九十]{1,2}、")
_CAPTION_RE = re.compile(r"^第二十条第[(（]?[一二三四五六七八九十]{1,3}[)）]?项$")
# Where a single space parts two cells: before a numbered label (「三、本年度办理结果 （七）总计」), or
# between two Chinese characters (header words of narrow columns: 「本年新制作数量 本年新公开数量」),
# where running Chinese text has no space.
_NEXT_ITEM_RE = re.compile(
    r"(?<=\S) (?=[（(][一二三四五六七八九十]{1,3}[)）]\S)|(?<=[\u4e00-\u9fff）”/]) (?=[\u4e00-\u9fff（“])"
)
# A footer such as 「第 3 页 共 12 页」「第3页/共12页」「3 / 12」, which is_stray does not cover.
_FOOTER_RE = re.compile(
    r"^(?:第\s*\d{1,4}\s*页\s*[/，,]?\s*共\s*\d{1,4}\s*页|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$"
)

# Geometry of the page the text is laid on, in character columns: a line is one unit high and
# lines stand 1.2 apart, so a blank line is a gap the table reader sees as a break between
# labels, while consecutive lines touch like the wrapped lines of one cell.
_PITCH = 1.2
_UNIT = 1.0
# How many lines may stand between two rows of numbers of one table (wrapped labels, furniture).
_ROWS_APART = 6


def is_aligned_row(line: str) -> bool:
    """A line with two or more numbers standing apart (a table row of space-aligned text).

    >>> is_aligned_row("一、本年新收政府信息公开申请数量     12    0    3")
    True
    >>> is_aligned_row("全年共收到申请 12 件，办结 10 件。")
    False
    """
    return sum(1 for text, _ in _fields(line) if _NUMBER_RE.match(text)) >= 2


def _fields(line: str) -> list[tuple[str, int]]:
    """The line's fields and the character index each starts at.

    Fields are split at runs of two or more spaces; a field that ends in numbers set apart by single
    spaces (「1.属于国家秘密 0」, 「0 0 0」, where a converter had no room for more) is split there too.
    """
    out: list[tuple[str, int]] = []
    for match in _FIELD_RE.finditer(line):
        text, start = match.group(), match.start()
        while (cut := _NEXT_ITEM_RE.search(text)) is not None:
            out.append((text[: cut.start()], start))
            start += cut.end()
            text = text[cut.end() :]
        words = text.split(" ")
        tail = len(words)
        while tail > 0 and _NUMBER_RE.match(words[tail - 1]):
            tail -= 1
        if tail == len(words):  # no number at its end
            out.append((text, start))
            continue
        if tail > 0:
            head = " ".join(words[:tail])
            out.append((head, start))
            start += len(head) + 1
        for word in words[tail:]:
            out.append((word, start))
            start += len(word) + 1
    return out


# The East Asian wide and full-width characters (what a monospaced font sets two columns wide),
# counted with one search rather than a look-up per character: Hangul Jamo, CJK symbols to Yi,
# Hangul syllables, CJK compatibility ideographs and forms, full-width forms, CJK Extension B on.
_WIDE_RE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: two for a Chinese character, one for others.

    >>> _display_width("规章 12"), _display_width("（一）")
    (7, 6)
    """
    return len(text) + len(_WIDE_RE.findall(text))


def _by_characters(line: str, index: int) -> int:
    return index


def _by_display(line: str, index: int) -> int:
    return _display_width(line[:index])


_Measure = Callable[[str, int], int]


def _width(text: str, measure: _Measure) -> int:
    return len(text) if measure is _by_characters else _display_width(text)


def _misalignment(rows: list[tuple[str, list[tuple[str, int]]]], measure: _Measure) -> int:
    """How many distinct right edges the numbers of the rows have under ``measure`` (fewer is better)."""
    edges = set()
    for line, fields in rows:
        for text, start in fields:
            if _NUMBER_RE.match(text):
                edges.add(measure(line, start) + _width(text, measure))
    return len(edges)


def _pieces(line: str, fields: list[tuple[str, int]], top: float, measure: _Measure) -> list[Piece]:
    return [
        Piece(text, x0, top, x0 + _width(text, measure), top + _UNIT)
        for text, start in fields
        for x0 in [float(measure(line, start))]
    ]


def _numbers(line: list[Piece]) -> list[Piece]:
    return [p for p in line if _NUMBER_RE.match(p.text)]


def _tables(lines: list[list[Piece]]) -> list[list[int]]:
    """Indexes of the lines with two or more numbers, in runs of one table each.

    A run goes on over a few lines of labels between rows, and ends at what starts another table: a
    heading, a block's caption (「第二十条第（五）项」), a sentence, or a header line of column names.
    """
    runs: list[list[int]] = []
    ended = True
    for i, line in enumerate(lines):
        if len(_numbers(line)) >= 2:
            if not ended and i - runs[-1][-1] <= _ROWS_APART:
                runs[-1].append(i)
            else:
                runs.append([i])
            ended = False
        elif not _numbers(line) and _starts_table(line):
            ended = True
    return runs


def _starts_table(line: list[Piece]) -> bool:
    texts = [p.text for p in line]
    return (
        len(texts) >= 4
        or any(text.endswith("。") or _CAPTION_RE.search(text) for text in texts)
        or (len(texts) == 1 and bool(_HEADING_RE.match(texts[0])))
    )


@dataclass
class _Columns:
    """Where the numbers of one page of a table stand: each column's usual left and right edge."""

    left: list[float]
    right: list[float]

    @cached_property
    def pitch(self) -> float:
        """The narrowest distance between two columns."""
        return min((b - a for a, b in pairwise(self.right)), default=float("inf"))

    def near(self, p: Piece, c: int) -> bool:
        """Whether ``p`` stands less than half a column from column ``c``."""
        return abs((p.x0 + p.x1 - self.left[c] - self.right[c]) / 2) < self.pitch / 2

    def nearest(self, p: Piece) -> int:
        centre = (p.x0 + p.x1) / 2
        return min(range(len(self.right)), key=lambda c: abs((self.left[c] + self.right[c]) / 2 - centre))


def _page_columns(rows: list[list[Piece]]) -> _Columns | None:
    """The columns shown by two or more rows that each have a number in every column, or None.

    Rows with blanks may all have fewer numbers than the table has columns, each in other columns:
    then their numbers, taken in order, disagree with each other by half a column or more, and show
    no columns.
    """
    if len(rows) < 2:  # one row agrees with itself whatever columns it misses: it shows nothing
        return None
    left = [Counter(p.x0 for p in column).most_common(1)[0][0] for column in zip(*rows, strict=True)]
    right = [Counter(p.x1 for p in column).most_common(1)[0][0] for column in zip(*rows, strict=True)]
    columns = _Columns(left, right)
    half = columns.pitch / 2
    agree = all(abs(p.x1 - edge) < half for row in rows for p, edge in zip(row, right, strict=True))
    return columns if columns.pitch > 0 and agree else None


def _line_up(lines: list[list[Piece]], pages: list[int]) -> None:
    """Set each table's text in the columns of its first page, in place.

    A converter places characters by their position on paper but has no room for a Chinese label
    in one column a character, so it pushes a number a column or two right after a long label
    (「7.属于行政执法案卷 0」), and ``pdftotext`` spaces each page's columns its own way. The rows with
    the most numbers show a page's columns (one number in each). A later page's text is moved onto
    the first page's columns, where the header stands (stretched between them); a number that
    lines up with none of its column's (left, right or centre) is set at its column's right edge;
    and a label that runs into the numbers' room is cut back.
    """
    for run in _tables(lines):
        widest = max(len(_numbers(lines[i])) for i in run)
        # no row fills every column the header names (rows with blanks): the numbers stay put
        filled = _header_names(lines, run[0]) <= widest
        columns = _columns_by_page(lines, pages, run, widest) if filled else {}
        if not columns:
            continue
        first = columns[next(iter(columns))]
        for i in range(run[0], run[-1] + 1):
            own = columns.get(pages[i], first)
            moved = []
            for p in lines[i]:
                if _NUMBER_RE.match(p.text):
                    c = own.nearest(p)
                    # a number half a column or more from every column shown stands in one that
                    # no row fills (rows with blanks): it stays where it is
                    if own.near(p, c) and not (
                        p.x0 == own.left[c] or p.x1 == own.right[c] or _centred(p, own, c)
                    ):
                        p = Piece(p.text, own.right[c] - (p.x1 - p.x0), p.top, own.right[c], p.bottom)
                moved.append(Piece(p.text, _onto(p.x0, own, first), p.top, _onto(p.x1, own, first), p.bottom))
            lines[i] = moved
        values_left = min(p.x0 for i in run for p in _numbers(lines[i]))
        for i in range(run[0], run[-1] + 1):
            lines[i] = [
                Piece(p.text, p.x0, p.top, max(p.x0 + _UNIT, values_left - _UNIT), p.bottom)
                if p.x0 < values_left < p.x1 + _UNIT and not _NUMBER_RE.match(p.text)
                else p
                for p in lines[i]
            ]


def _columns_by_page(
    lines: list[list[Piece]], pages: list[int], run: list[int], widest: int
) -> dict[int, _Columns]:
    """Each page's columns, shown by its rows with the most numbers (pages whose rows disagree: none)."""
    columns: dict[int, _Columns] = {}
    for page in dict.fromkeys(pages[i] for i in run):
        found = _page_columns(
            [_numbers(lines[i]) for i in run if pages[i] == page and len(_numbers(lines[i])) == widest]
        )
        # a number of the page half a column from every column shown: the widest rows miss a column
        # (rows with blanks), and show none
        numbers = [p for i in run if pages[i] == page for p in _numbers(lines[i])]
        if found is not None and all(found.near(p, found.nearest(p)) for p in numbers):
            columns[page] = found
    return columns


def _header_names(lines: list[list[Piece]], first: int) -> int:
    """How many columns of numbers the header over the row ``first`` names (its fullest line's
    names right of the row's label), looking a few lines up."""
    label = lines[first][0]
    label_end = label.x1 if not _NUMBER_RE.match(label.text) else float("-inf")
    above = lines[max(0, first - _ROWS_APART) : first]
    return max(
        (sum(p.x0 > label_end and not _NUMBER_RE.match(p.text) for p in line) for line in above), default=0
    )


def _centred(p: Piece, columns: _Columns, c: int) -> bool:
    return abs(p.x0 + p.x1 - columns.left[c] - columns.right[c]) <= 1


def _onto(x: float, own: _Columns, first: _Columns) -> float:
    """``x`` on a page whose columns are ``own``, moved to where it stands between ``first``'s."""
    if own is first:
        return x
    a, b = own.right, first.right
    if x <= a[0]:  # the labels: stretched from the left margin to the first column
        return x * b[0] / a[0] if a[0] > 0 else x
    for (a0, a1), (b0, b1) in zip(pairwise(a), pairwise(b), strict=True):
        if x <= a1:
            return b0 + (x - a0) * (b1 - b0) / (a1 - a0)
    return x + b[-1] - a[-1]


def furniture(lines: list[str]) -> set[int]:
    """Indexes of page furniture: page numbers, footers, and headers or footers repeated on pages.

    Pages are told by form feeds (``pdftotext``); a line next to a page break that is met again next
    to another one is a running header or footer. Without form feeds, the document's first line
    (its title, repeated as a running header) met again later is one.
    """
    skip = {
        i
        for i, line in enumerate(lines)
        if line.strip() and (is_stray(line) or _FOOTER_RE.match(line.replace("\f", "").strip()))
    }
    breaks = [i for i, line in enumerate(lines) if "\f" in line]
    edges: list[int] = []
    for b in breaks:
        edges += _near(lines, b, -1, skip) + _near(lines, b, +1, skip)
    key = [" ".join(line.replace("\f", "").split()) for line in lines]
    if breaks:
        counts = Counter(key[i] for i in set(edges))
        skip |= {i for i in edges if key[i] and counts[key[i]] >= 2}
    else:
        first = next((i for i, k in enumerate(key) if k), None)
        if first is not None and len(key[first]) >= 8:
            skip |= {i for i in range(first + 1, len(key)) if key[i] == key[first]}
    return skip


def _near(lines: list[str], start: int, step: int, skip: set[int]) -> list[int]:
    """The first content line from a page break, going ``step`` (a header below it, a footer above)."""
    i = start if step > 0 else start - 1
    while 0 <= i < len(lines):
        if lines[i].replace("\f", "").strip() and i not in skip:
            return [i]
        i += step
    return []


def aligned_blocks(lines: list[str]) -> list[Paragraph | Grid]:
    """Paragraphs and tables of space-aligned ``lines``, in order; cells and paragraphs carry their
    source line numbers (``lines[0]`` is line 1)."""
    skip = furniture(lines)
    kept = [i for i, line in enumerate(lines) if i not in skip and line.replace("\f", "").strip()]
    fields = {i: _fields(lines[i].replace("\f", "")) for i in kept}
    rows = [
        (lines[i].replace("\f", ""), fields[i])
        for i in kept
        if sum(1 for text, _ in fields[i] if _NUMBER_RE.match(text)) >= 2
    ]
    measure = min((_by_characters, _by_display), key=lambda m: _misalignment(rows, m))
    # A blank line keeps its room, so the table reader sees the gap; furniture leaves none.
    placed: list[list[Piece]] = []
    source: list[int] = []
    pages: list[int] = []
    page = 1
    top = 0.0
    previous = None
    for i in kept:
        between = range(previous + 1, i) if previous is not None else range(0)
        if any(j not in skip for j in between) and not any(j in skip or "\f" in lines[j] for j in between):
            top += _PITCH  # a blank line between; a page break between rows of a table leaves none
        page += sum(line.count("\f") for line in lines[(previous or 0) + 1 : i + 1])
        pages.append(page)
        text = lines[i].replace("\f", "")
        pieces = _pieces(text, fields[i], top, measure)
        placed.append(pieces)
        source.append(i)
        top += _PITCH
        previous = i
    _line_up(placed, pages)
    out: list[tuple[int, Paragraph | Grid]] = []  # each block with the index of its first line
    used: set[int] = set()
    for _top, grid, ids in unruled_tables(placed, _UNIT, centred_labels=False):
        used |= ids
        for row in grid.rows:
            for cell in row:
                cell.line = source[cell.line - 1] + 1
        out.append((grid.first_line - 1, grid))
    for k, pieces in enumerate(placed):
        if id(pieces) not in used:
            text = lines[source[k]].replace("\f", "").strip()
            out.append((source[k], Paragraph(text, source[k] + 1)))
    out.sort(key=lambda item: item[0])
    return [block for _, block in out]
