"""A report as an OFD package (GB/T 33190-2016), for tests: no Python OFD writer can be relied on.

The layout is done here, in millimetres on A4 pages: the title in a template page (page 1 only),
section headings, narrative paragraphs wrapped to the text width, and the three tables of
:mod:`support.htmlwriter`'s model with the official merged cells, ruled by ``PathObject`` lines.
Cell text wraps inside fixed column widths (「|」 is a line break); a table that does not fit
continues on the next page, nothing repeated, a merged cell cut in two with its text in one part.

The text is written in the ways OFD producers write it, so that a reader meets each: one
``TextCode`` per character with its own ``X`` (headings), ``DeltaX`` lists with the 「g n d」
shorthand (paragraphs, cells), several ``TextCode`` lines in one object (wrapped cells), a
scaling ``CTM`` (the title), objects grouped in ``PageBlock`` (tables), page numbers.

:func:`package` assembles any pages, so tests can build damaged or unusual packages too.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from support.htmlwriter import TABLES, Table, _place
from support.textwriter import SECTION_TITLES, _narrative, _Parts

NS = "http://www.ofdspec.org/2016"
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
LEFT, RIGHT, TOP, BOTTOM = 25.0, 185.0, 25.0, 270.0  # the text area
SONG, HEI = 2, 3  # font IDs in PublicRes.xml
FIRST_ID = 10  # IDs below are the fonts' and the template's

BODY_SIZE, HEADING_SIZE, TITLE_SIZE, CELL_SIZE = 3.7, 4.2, 5.6, 2.8
CELL_PAD, CELL_LEADING = 1.2, 1.4  # padding inside a cell; line height as a multiple of the size
# Column widths (mm) of tables 二, 三 and 四, by their width in grid columns; 160 mm in all.
COLUMN_WIDTHS = {
    4: [64.0, 32.0, 32.0, 32.0],
    10: [14.0, 16.0, 32.0, *[14.0] * 7],
    15: [160.0 / 15] * 15,
}
LABEL_COLUMNS = {4: 1, 10: 3, 15: 0}
Report = Any


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def char_width(ch: str, size: float) -> float:
    """Advance of a character: full width for CJK and its punctuation, half for the rest."""
    return size if unicodedata.east_asian_width(ch) in "WFA" else 0.5 * size


def text_width(text: str, size: float) -> float:
    """Width of a line of text set solid."""
    return sum(char_width(ch, size) for ch in text)


def delta_x(deltas: list[float]) -> str:
    """A ``DeltaX`` value: runs of three or more equal advances in the 「g n d」 shorthand."""
    out: list[str] = []
    i = 0
    while i < len(deltas):
        j = i
        while j < len(deltas) and abs(deltas[j] - deltas[i]) < 1e-9:
            j += 1
        if j - i >= 3:
            out.append(f"g {j - i} {_num(deltas[i])}")
        else:
            out += [_num(d) for d in deltas[i:j]]
        i = j
    return " ".join(out)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width``; 「|」 forces a break."""
    lines: list[str] = []
    for part in text.split("|"):
        line, used = "", 0.0
        for ch in part:
            w = char_width(ch, size)
            if line and used + w > width + 1e-6:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


@dataclass
class _Ids:
    next: int = FIRST_ID

    def __call__(self) -> int:
        self.next += 1
        return self.next


@dataclass
class _Flow:
    """Objects page by page, and where the next line goes."""

    ids: _Ids
    pages: list[list[str]] = field(default_factory=lambda: [[]])
    y: float = TOP + 14.0  # page 1 leaves room for the title, which is in the template

    @property
    def objects(self) -> list[str]:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP

    def room(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()


def text_object(ids: _Ids, x: float, baseline: float, text: str, size: float, font: int = SONG) -> str:
    """One line as one ``TextCode`` with its advances in ``DeltaX`` (none for one character)."""
    width = text_width(text, size)
    deltas = [char_width(ch, size) for ch in text[:-1]]
    delta = f" DeltaX={quoteattr(delta_x(deltas))}" if deltas else ""
    return (
        f'<ofd:TextObject ID="{ids()}" Boundary="{_num(x)} {_num(baseline - size)} {_num(width)} {_num(size * 1.2)}"'
        f' Font="{font}" Size="{_num(size)}"><ofd:FillColor Value="0 0 0"/>'
        f'<ofd:TextCode X="0" Y="{_num(size)}"{delta}>{escape(text)}</ofd:TextCode></ofd:TextObject>'
    )


def _per_char_object(ids: _Ids, x: float, baseline: float, text: str, size: float, font: int) -> str:
    """One ``TextCode`` per character, each with its own ``X``: as many converters write."""
    codes, at = [], 0.0
    for ch in text:
        codes.append(f'<ofd:TextCode X="{_num(at)}" Y="{_num(size)}">{escape(ch)}</ofd:TextCode>')
        at += char_width(ch, size)
    return (
        f'<ofd:TextObject ID="{ids()}" Boundary="{_num(x)} {_num(baseline - size)} {_num(at)} {_num(size * 1.2)}"'
        f' Font="{font}" Size="{_num(size)}">{"".join(codes)}</ofd:TextObject>'
    )


def _scaled_object(ids: _Ids, x: float, baseline: float, text: str, size: float, font: int) -> str:
    """Text set at half size and scaled ×2 by the object's ``CTM``."""
    scale = 2.0
    inner = size / scale
    deltas = [char_width(ch, inner) for ch in text[:-1]]
    width = text_width(text, size)
    return (
        f'<ofd:TextObject ID="{ids()}" Boundary="{_num(x)} {_num(baseline - size)} {_num(width)} {_num(size * 1.2)}"'
        f' CTM="{_num(scale)} 0 0 {_num(scale)} 0 0" Font="{font}" Size="{_num(inner)}">'
        f'<ofd:TextCode X="0" Y="{_num(inner)}" DeltaX={quoteattr(delta_x(deltas))}>{escape(text)}'
        "</ofd:TextCode></ofd:TextObject>"
    )


def _cell_object(
    ids: _Ids, x: float, first_baseline: float, lines: list[tuple[float, str]], size: float
) -> str:
    """A cell's lines as several ``TextCode`` in one object: ``(x offset, text)`` per line."""
    leading = size * CELL_LEADING
    width = max(off + text_width(text, size) for off, text in lines)
    height = leading * (len(lines) - 1) + size * 1.2
    codes = []
    for k, (off, text) in enumerate(lines):
        deltas = [char_width(ch, size) for ch in text[:-1]]
        delta = f" DeltaX={quoteattr(delta_x(deltas))}" if deltas else ""
        codes.append(
            f'<ofd:TextCode X="{_num(off)}" Y="{_num(size + k * leading)}"{delta}>{escape(text)}</ofd:TextCode>'
        )
    return (
        f'<ofd:TextObject ID="{ids()}" Boundary="{_num(x)} {_num(first_baseline - size)} {_num(width)} {_num(height)}"'
        f' Font="{SONG}" Size="{_num(size)}">{"".join(codes)}</ofd:TextObject>'
    )


def path_object(ids: _Ids, box: tuple[float, float, float, float], data: str, width: float = 0.25) -> str:
    """A stroked path; ``data`` (AbbreviatedData) is relative to the box's top-left corner."""
    x, y, w, h = box
    return (
        f'<ofd:PathObject ID="{ids()}" Boundary="{_num(x)} {_num(y)} {_num(w)} {_num(h)}"'
        f' LineWidth="{_num(width)}" Stroke="true" Fill="false">'
        f'<ofd:StrokeColor Value="0 0 0"/><ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>'
    )


# --- running text ------------------------------------------------------------------------------


def _heading(flow: _Flow, text: str) -> None:
    leading = HEADING_SIZE * 1.9
    flow.room(leading)
    baseline = flow.y + HEADING_SIZE
    flow.objects.append(_per_char_object(flow.ids, LEFT, baseline, text, HEADING_SIZE, HEI))
    flow.y += leading


def _paragraph(flow: _Flow, text: str) -> None:
    """A paragraph wrapped to the text width, its first line indented by two characters."""
    indent = 2 * BODY_SIZE
    lines = wrap(text, RIGHT - LEFT - indent, BODY_SIZE)
    if len(lines) > 1:  # later lines use the full width: rewrap what follows the first line
        rest = "".join(lines[1:])
        lines = [lines[0], *wrap(rest, RIGHT - LEFT, BODY_SIZE)]
    leading = BODY_SIZE * 1.7
    for k, line in enumerate(lines):
        flow.room(leading)
        x = LEFT + (indent if k == 0 else 0.0)
        flow.objects.append(text_object(flow.ids, x, flow.y + BODY_SIZE, line, BODY_SIZE))
        flow.y += leading


# --- tables ------------------------------------------------------------------------------------


@dataclass
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    lines: list[str]
    centred: bool
    text_rows: tuple[int, int] = (0, 0)  # the rows of the part that holds the text

    def height(self) -> float:
        return len(self.lines) * CELL_SIZE * CELL_LEADING + 2 * CELL_PAD


def _table(flow: _Flow, table: Table) -> None:
    """The table drawn over as many pages as it needs, ruled, its text in its cells."""
    n_rows, n_cols, placed = _place(table)
    widths = COLUMN_WIDTHS[n_cols]
    xs = [LEFT]
    for w in widths:
        xs.append(xs[-1] + w)
    cells = []
    for r, c, (text, rowspan, colspan) in placed:
        inner = xs[c + colspan] - xs[c] - 2 * CELL_PAD
        label = c + colspan <= LABEL_COLUMNS[n_cols]
        cells.append(_Cell(r, c, rowspan, colspan, wrap(text, inner, CELL_SIZE), centred=not label))
    heights = [CELL_SIZE * CELL_LEADING + 2 * CELL_PAD] * n_rows
    for cell in sorted(cells, key=lambda k: k.rowspan):
        last = cell.row + cell.rowspan - 1
        short = cell.height() - sum(heights[cell.row : last + 1])
        if short > 0:
            heights[last] += short  # a tall merged cell makes its last row taller
    fragments = _fragments(flow, cells, heights)
    for cell in cells:
        cell.text_rows = _text_part(cell, heights, fragments)
    for first, stop in fragments:
        _draw_fragment(flow, cells, heights, xs, first, stop)
        flow.y += sum(heights[first:stop])
        if stop < n_rows:
            flow.new_page()
    flow.y += 4.0


def _fragments(flow: _Flow, cells: list[_Cell], heights: list[float]) -> list[tuple[int, int]]:
    """Rows ``[first, stop)`` on each page: as many as fit, never leaving a merged cell's part
    on a page too short for its text when the text has no better place."""
    out = []
    first, y = 0, flow.y
    if y + heights[0] > BOTTOM:
        y = TOP
        flow.new_page()
    while first < len(heights):
        stop, used = first, 0.0
        while stop < len(heights) and y + used + heights[stop] <= BOTTOM:
            used += heights[stop]
            stop += 1
        stop = max(stop, first + 1)
        while stop < len(heights):  # a break inside a merged cell: its text must fit one part
            cut = next(
                (
                    k
                    for k in cells
                    if first <= k.row < stop < k.row + k.rowspan
                    and sum(heights[k.row : stop]) < k.height()
                    and sum(heights[stop : k.row + k.rowspan]) < k.height()
                ),
                None,
            )
            if cut is None or cut.row == first:
                break
            stop = cut.row
        out.append((first, stop))
        first, y = stop, TOP
    return out


def _draw_fragment(
    flow: _Flow, cells: list[_Cell], heights: list[float], xs: list[float], first: int, stop: int
) -> None:
    ids = flow.ids
    ys = {first: flow.y}
    for r in range(first, stop):
        ys[r + 1] = ys[r] + heights[r]
    left, top, right, bottom = xs[0], ys[first], xs[-1], ys[stop]
    segments: set[tuple[float, float, float, float]] = set()
    objects = []
    for cell in cells:
        a, b = max(cell.row, first), min(cell.row + cell.rowspan, stop)
        if a >= b:
            continue
        x0, x1, y0, y1 = xs[cell.col], xs[cell.col + cell.colspan], ys[a], ys[b]
        for seg in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
            on_border = (seg[1] == seg[3] and seg[1] in (top, bottom)) or (
                seg[0] == seg[2] and seg[0] in (left, right)
            )
            if not on_border:
                segments.add(tuple(round(v - o, 3) for v, o in zip(seg, (left, top, left, top), strict=True)))
        if cell.lines and cell.text_rows == (a, b):
            objects.append(_cell_text(ids, cell, x0, x1, y0, y1))
    w, h = right - left, bottom - top
    data = f"M 0 0 L {_num(w)} 0 L {_num(w)} {_num(h)} L 0 {_num(h)} C " + " ".join(
        f"M {_num(sx0)} {_num(sy0)} L {_num(sx1)} {_num(sy1)}" for sx0, sy0, sx1, sy1 in sorted(segments)
    )
    block = "".join([path_object(ids, (left, top, w, h), data.strip()), *objects])
    flow.objects.append(f'<ofd:PageBlock ID="{ids()}">{block}</ofd:PageBlock>')


def _text_part(cell: _Cell, heights: list[float], fragments: list[tuple[int, int]]) -> tuple[int, int]:
    """The part of a merged cell cut by page breaks that holds its text: the first part tall
    enough for it, else the tallest."""
    parts = [
        (max(cell.row, a), min(cell.row + cell.rowspan, b))
        for a, b in fragments
        if max(cell.row, a) < min(cell.row + cell.rowspan, b)
    ]
    tall = [p for p in parts if sum(heights[p[0] : p[1]]) >= cell.height()]
    return tall[0] if tall else max(parts, key=lambda p: sum(heights[p[0] : p[1]]))


def _cell_text(ids: _Ids, cell: _Cell, x0: float, x1: float, y0: float, y1: float) -> str:
    """The cell's lines, centred vertically; labels left-aligned, the rest centred."""
    leading = CELL_SIZE * CELL_LEADING
    block = leading * len(cell.lines)
    first_baseline = (y0 + y1) / 2 - block / 2 + (leading - CELL_SIZE) / 2 + CELL_SIZE * 0.88
    left = x0 + CELL_PAD
    if cell.centred:
        offsets = [(x1 - x0) / 2 - text_width(t, CELL_SIZE) / 2 - CELL_PAD for t in cell.lines]
    else:
        offsets = [0.0] * len(cell.lines)
    lines = [(off, t) for off, t in zip(offsets, cell.lines, strict=True) if t]
    if not lines:
        return ""
    shift = min(off for off, _ in lines)
    return _cell_object(ids, left + shift, first_baseline, [(o - shift, t) for o, t in lines], CELL_SIZE)


# --- the package -------------------------------------------------------------------------------


def page_xml(objects: list[str], template: int | None = None) -> str:
    """A page's Content.xml: one body layer holding ``objects``, over a template when given."""
    tpl = f'<ofd:Template TemplateID="{template}" ZOrder="Background"/>' if template is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}">{tpl}'
        f'<ofd:Content><ofd:Layer ID="{FIRST_ID - 1}" Type="Body">{"".join(objects)}</ofd:Layer></ofd:Content>'
        "</ofd:Page>"
    )


def package(
    pages: list[str],
    template: str | None = None,
    files: Mapping[str, bytes] | None = None,
    res: str = "",
    max_id: int = 1000,
) -> bytes:
    """An OFD package of the given pages' Content.xml (and a template's, ID 4).

    ``res`` is extra resource XML for DocumentRes.xml (a picture's MultiMedia); ``files`` are
    further members (``Doc_0/Res/…``).
    """
    tpl = '<ofd:TemplatePage ID="4" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template is not None else ""
    page_refs = "".join(
        f'<ofd:Page ID="{100000 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
    )
    members = {
        "OFD.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>6f64e2c1a4b84f7e9b0f1c2d3e4f5a6b</ofd:DocID>"
            "<ofd:Creator>gongkai tests</ofd:Creator><ofd:CreationDate>2025-01-20</ofd:CreationDate>"
            "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
        ),
        "Doc_0/Document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
            f"<ofd:MaxUnitID>{max_id}</ofd:MaxUnitID>"
            f"<ofd:PageArea><ofd:PhysicalBox>0 0 {_num(PAGE_WIDTH)} {_num(PAGE_HEIGHT)}</ofd:PhysicalBox></ofd:PageArea>"
            f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>{tpl}"
            f"</ofd:CommonData><ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>"
        ),
        "Doc_0/PublicRes.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
            f'<ofd:Font ID="{SONG}" FontName="宋体" FamilyName="宋体"/>'
            f'<ofd:Font ID="{HEI}" FontName="黑体" FamilyName="黑体"/></ofd:Fonts></ofd:Res>'
        ),
        "Doc_0/DocumentRes.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">{res}</ofd:Res>'
        ),
    }
    if template is not None:
        members["Doc_0/Tpls/Tpl_0/Content.xml"] = template
    for i, content in enumerate(pages):
        members[f"Doc_0/Pages/Page_{i}/Content.xml"] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode("utf-8"))
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def write_ofd(report: Report | Mapping[str, Any], *, shift: float = 0.0) -> bytes:
    """The report as an OFD file: title (in a template), sections, paragraphs, ruled tables.

    ``shift`` (mm, up to a page) is left blank below the title: it moves every page break.
    """
    parts = _Parts(report)
    narrative = _narrative(parts)
    ids = _Ids()
    flow = _Flow(ids)
    flow.y += shift
    for number, title in enumerate(SECTION_TITLES, start=1):
        _heading(flow, title)
        for paragraph in narrative[number]:
            _paragraph(flow, paragraph)
        if number in TABLES:
            _table(flow, TABLES[number](parts))
    title = f"{parts.agency}{parts.year}年度政府信息公开工作年度报告"
    x = (PAGE_WIDTH - text_width(title, TITLE_SIZE)) / 2
    template = page_xml([_scaled_object(ids, x, TOP + TITLE_SIZE, title, TITLE_SIZE, HEI)])
    pages = []
    for i, objects in enumerate(flow.pages):
        number = f"- {i + 1} -"
        x = (PAGE_WIDTH - text_width(number, 3.5)) / 2
        footer = text_object(ids, x, PAGE_HEIGHT - 15.0, number, 3.5)
        pages.append(page_xml([*objects, footer], template=4 if i == 0 else None))
    return package(pages, template, max_id=ids.next)
