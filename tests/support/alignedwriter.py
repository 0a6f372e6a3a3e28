"""A writer, for tests only: a report as space-aligned text (issue 16).

What ``pdftotext -layout``, a PDF viewer's copy or a portal's "text version" give: no tabs and no
rules, each table row one line with its numbers standing in columns lined up with spaces, labels
too long for their column wrapped onto lines of their own, and page footers, form feeds and
running headers between rows. A :class:`Style` draws the random parts: how columns are counted
(a Chinese character one column, as converters do, or two, as in a monospaced font), the widths
of the label and value columns, where a wrapped label's numbers stand, how numbers sit in their
columns, where a group's name stands, and where pages break.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gongkai.model.layouts import REQUEST_BALANCE_NOTE
from support.textwriter import SECTION_TITLES, Report, _narrative, _Parts

__all__ = ["Style", "random_style", "write_aligned_text"]


@dataclass(frozen=True)
class Style:
    """The random choices of one document's layout."""

    wide_chinese: bool = True  # a Chinese character counts two columns (monospaced font)
    labels: tuple[int, int, int] = (10, 8, 12)  # table 三's three label columns, in characters
    value: int = 8  # a value column's width, in columns
    align: str = "right"  # numbers in their column: right, left or centre
    numbers_on: str = "last"  # cells of a row at its top (first), middle or bottom (last) line
    group_in_middle: bool = False  # a group's name on its middle row, as a centred merged cell
    page_rows: int = 0  # lines between page breaks (0: one page)
    form_feeds: bool = True  # pages end in a form feed, running header on top (else footer only)
    restretch: bool = False  # each page spaces table 三's value columns anew (as pdftotext does)


def random_style(rng: random.Random) -> Style:
    """A style drawn with ``rng``."""
    wide = rng.random() < 0.5
    return Style(
        wide_chinese=wide,
        labels=(rng.randint(5, 10), rng.randint(4, 8), rng.randint(6, 14)),
        value=rng.randint(8, 14) if wide else rng.randint(5, 9),
        align=rng.choice(["right", "left", "centre"]),
        numbers_on=rng.choice(["first", "middle", "last"]),
        group_in_middle=rng.random() < 0.5,
        page_rows=rng.choice([0, rng.randint(12, 40)]),
        form_feeds=rng.random() < 0.7,
        restretch=not wide and rng.random() < 0.5,
    )


class _Page:
    """Lines being written, with fields set at columns, and the breaks between pages."""

    def __init__(self, style: Style, title: str) -> None:
        self.style = style
        self.title = title
        self.lines: list[str] = []
        self.on_page = 0
        self.page = 1

    def width(self, text: str) -> int:
        if not self.style.wide_chinese:
            return len(text)
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    def chars(self, columns: int) -> int:
        """How many Chinese characters fit in ``columns``."""
        return max(1, columns // 2 if self.style.wide_chinese else columns)

    def put(self, fields: list[tuple[int, str]]) -> None:
        """One line: each text starting at its column, at least a space apart, trailing blanks kept off."""
        out = ""
        for column, text in sorted(fields):
            if not text:
                continue
            gap = column - self.width(out)
            out += " " * (max(gap, 1) if out else max(gap, 0)) + text
        self.lines.append(out)
        self.on_page += 1

    def text(self, line: str) -> None:
        self.put([(0, line)])

    def blank(self) -> None:
        self.lines.append("")

    def maybe_break(self) -> bool:
        """End the page here when it is full; says whether it did."""
        if not self.style.page_rows or self.on_page < self.style.page_rows:
            return False
        footer = "- {} -" if self.page % 2 else "第 {} 页"
        self.lines += ["", " " * 30 + footer.format(self.page)]
        self.page += 1
        self.on_page = 0
        if self.style.form_feeds:
            self.lines += ["\f" + " " * 8 + self.title, ""]
        else:
            self.lines.append("")
        return True


def _wrap(text: str, chars: int) -> list[str]:
    """``text`` in lines of ``chars`` characters; no line starts with a stop or a comma (避头尾)."""
    lines: list[str] = []
    for i in range(0, len(text), chars):
        part = text[i : i + chars]
        while lines and part and part[0] in "。，；：、）”":
            lines[-1] += part[0]
            part = part[1:]
        if part:
            lines.append(part)
    return lines or [""]


def _placed(value: str, left: int, width: int, page: _Page) -> tuple[int, str]:
    room = width - 1 - page.width(value)  # a column keeps a space on its right
    shift = {"right": room, "left": 0, "centre": room // 2}[page.style.align]
    return left + max(shift, 0), value


def _rows(page: _Page, rows: list[tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]]) -> None:
    """Table rows: label cells (column, wrapped lines) and the row's numbers (column, text).

    Every cell of a row is set at the top, middle or bottom of the row (the table's vertical
    alignment, ``numbers_on``), the numbers as a cell of one line.
    """
    for labels, numbers in rows:
        cells = [*labels, *((column, [text]) for column, text in numbers)]
        height = max((len(lines) for _, lines in cells), default=1)
        grid: list[list[tuple[int, str]]] = [[] for _ in range(height)]
        for column, lines in cells:
            room = height - len(lines)
            start = {"first": 0, "middle": room // 2, "last": room}[page.style.numbers_on]
            for k, line in enumerate(lines):
                grid[start + k].append((column, line))
        for fields in grid:
            page.put(fields)
        page.maybe_break()


def _header(page: _Page, cells: list[tuple[int, int, int, str]]) -> None:
    """Header cells (first line, left, width, text), each wrapped in its width and centred in it."""
    grid: dict[int, list[tuple[int, str]]] = {}
    for first, left, width, text in cells:
        for k, part in enumerate(_wrap(text, page.chars(width - 1))):
            room = width - 1 - page.width(part)
            grid.setdefault(first + k, []).append((left + max(room // 2, 0), part))
    for k in range(max(grid) + 1):
        page.put(grid.get(k, []))


def _active(page: _Page, parts: _Parts) -> None:
    blocks = parts.active_blocks()
    label_width = max(page.width(label) for _, _, rows in blocks for label, _ in rows) + 4
    for caption, headers, rows in blocks:
        width = max(page.style.value, *(page.width(v) + 2 for _, values in rows for v in values))
        lefts = [label_width + c * width for c in range(len(headers))]
        page.put([(0, caption)])
        _header(
            page,
            [(0, 0, label_width, "信息内容")]
            + [(0, x, width, h) for x, h in zip(lefts, headers, strict=True)],
        )
        _rows(
            page,
            [
                (
                    [(0, [label])],
                    [_placed(v, x, width, page) for x, v in zip(lefts, values, strict=True) if v],
                )
                for label, values in rows
            ],
        )


def _requests(page: _Page, parts: _Parts, rng: random.Random) -> None:
    a, b, c = (page.chars(1) * 0 + n for n in page.style.labels)
    cols = [a, b, c] if not page.style.wide_chinese else [2 * a, 2 * b, 2 * c]
    starts = [0, cols[0] + 2, cols[0] + cols[1] + 4]
    values_left = starts[2] + cols[2] + 2

    def value_lefts(width: int) -> list[int]:
        return [values_left + k * width for k in range(7)]

    width = max(
        page.style.value,
        *(page.width(v) + 2 for key, _ in parts.request_labels() for v in parts.request_values(key)),
    )
    lefts = value_lefts(width)
    span = lefts[-1] - lefts[0]
    _header(
        page,
        [
            (0, lefts[0], span, "申请人情况"),
            (0, lefts[6], width, "总计"),
            (1, lefts[0], width, "自然人"),
            (1, lefts[1], lefts[6] - lefts[1], "法人或其他组织"),
        ]
        + [
            (2, x, width, h)
            for x, h in zip(
                lefts[1:6], ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], strict=True
            )
        ]
        + [(1, 0, values_left - 2, REQUEST_BALANCE_NOTE.official)],
    )
    entries = parts.request_labels()
    # where a group's name stands: on its first row, or on its middle row as a centred cell shows it
    first_of: dict[int, int] = {}
    for i, (_, labels) in enumerate(entries):
        if len(labels) == 3 and labels[1]:
            first_of[i] = i
    rows = []
    for i, (key, labels) in enumerate(entries):
        # a page does not end between the header and the first row
        if i and page.maybe_break() and page.style.restretch:
            width = max(width, page.style.value) + rng.randint(0, 3)
            lefts = value_lefts(width)
        cells: list[tuple[int, list[str]]] = []
        if len(labels) == 1:  # spans the three label columns
            cells.append((0, _wrap(labels[0], page.chars(values_left - 2))))
        elif len(labels) == 2:
            if labels[0]:
                cells.append((0, _wrap(labels[0], page.chars(cols[0]))))
            cells.append((starts[1], _wrap(labels[1], page.chars(cols[1] + cols[2] + 2))))
        else:
            cells.append((starts[2], _wrap(labels[2], page.chars(cols[2]))))
        group = _group_name(entries, i, page.style.group_in_middle)
        if group:
            cells.append((starts[1], _wrap(group, page.chars(cols[1]))))
        numbers = [
            _placed(v, x, width, page) for x, v in zip(lefts, parts.request_values(key), strict=True) if v
        ]
        rows.append((cells, numbers))
        _rows(page, rows)
        rows = []


def _group_name(entries: list[tuple[str, list[str]]], i: int, middle: bool) -> str:
    """The group name to print on row ``i`` (first row of its group, or its middle row)."""
    labels = entries[i][1]
    if len(labels) != 3:
        return ""
    if not middle:
        return labels[1]
    start = i
    while not entries[start][1][1]:
        start -= 1
    end = start + 1
    while end < len(entries) and len(entries[end][1]) == 3 and not entries[end][1][1]:
        end += 1
    return entries[start][1][1] if i == (start + end - 1) // 2 else ""


def _appeals(page: _Page, parts: _Parts) -> None:
    values = parts.appeal_values()
    width = max(page.style.value, page.width("结果") + 2, *(page.width(v) + 2 for v in values))
    lefts = [k * width for k in range(15)]
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [(0, 0, 5 * width, "行政复议"), (0, lefts[5], 10 * width, "行政诉讼")]
    cells += [(1, lefts[5], 5 * width, "未经复议直接起诉"), (1, lefts[10], 5 * width, "复议后起诉")]
    cells += [(1, lefts[k], width, leaves[k]) for k in range(5)]
    cells += [(2, lefts[k], width, leaves[k % 5]) for k in range(5, 15)]
    _header(page, cells)
    _rows(page, [([], [_placed(v, x, width, page) for x, v in zip(lefts, values, strict=True) if v])])


def write_aligned_text(report: Report | Mapping[str, Any], style: Style | None = None, seed: int = 0) -> str:
    """The report as space-aligned text in ``style`` (drawn from ``seed`` when not given)."""
    rng = random.Random(seed)
    style = style or random_style(rng)
    parts = _Parts(report)
    title = f"{parts.agency}{parts.year}年政府信息公开工作年度报告"
    page = _Page(style, title)
    page.put([(8, title)])
    page.blank()
    narrative = _narrative(parts)
    tables = {
        2: lambda: _active(page, parts),
        3: lambda: _requests(page, parts, rng),
        4: lambda: _appeals(page, parts),
    }
    for number, heading in enumerate(SECTION_TITLES, start=1):
        page.put([(4, heading)])
        for paragraph in narrative[number]:
            for line in _wrap(paragraph, rng.randint(30, 45)):
                page.put([(4, line)])
                page.maybe_break()
        if number in tables:
            page.blank()
            tables[number]()
            page.blank()
    return "\n".join(page.lines) + "\n"
