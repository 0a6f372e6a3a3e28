"""A report as a PDF converted to Word (for tests): every line or cell line a positioned frame.

LibreOffice's PDF import (``soffice --infilter=writer_pdf_import --convert-to docx``) writes
such a file: one body paragraph anchoring every text run of every page in a text box at its
place (DrawingML ``wp:anchor`` offsets in EMU, a VML copy as the fallback), the ruling lines as
line shapes, each page's frames in order from the top, nothing to mark where a page begins
(tests/data/frames/ holds one it made). Here the pages are laid out in points — the title,
headings, paragraphs wrapped to the text width, the three tables of :mod:`support.htmlwriter`'s
model with the official merged cells — and written in that shape, or in two others converters
use: VML text boxes only, or paragraphs with Word's own frame properties (``w:framePr``).

Tables break between pages where no merged cell is cut. ``seed`` draws the column widths (the
labels' columns stay wider than the numbers'); ``ruled=False`` leaves the lines out.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any
from xml.sax.saxutils import escape

from support.htmlwriter import TABLES, Table, _place
from support.ofdwriter import LABEL_COLUMNS, text_width, wrap
from support.textwriter import SECTION_TITLES, _narrative, _Parts

Report = Any
PAGE_WIDTH, PAGE_HEIGHT = 595.3, 841.9  # A4 in points
MARGIN = 56.7  # 2 cm all round (1134 twips), LibreOffice's default
BOTTOM = PAGE_HEIGHT - MARGIN
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TITLE_SIZE, BODY_SIZE, CELL_SIZE = 15.0, 10.5, 6.0
# Cells as write_pdf sets them (reportlab: 6 pt on a 7 pt leading, 3 pt of padding).
CELL_PAD, CELL_LEADING, BODY_LEADING = 3.0, 7 / 6, 1.6
EMU = 12700  # per point
FORMS = ("anchor", "vml", "framepr")

NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'mc:Ignorable="wps"'
)


@dataclass
class _Text:
    """A text box: its top-left corner, its lines (a line's pitch apart) and font size."""

    x: float
    y: float
    lines: list[str]
    size: float
    cell: bool = False  # a table cell's, not running text

    @property
    def width(self) -> float:
        return max(text_width(line, self.size) for line in self.lines)

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * CELL_LEADING


@dataclass
class _Line:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def y(self) -> float:
        return self.y0


@dataclass
class _Pages:
    pages: list[list[_Text | _Line]] = field(default_factory=lambda: [[]])
    y: float = MARGIN

    def room(self, height: float) -> None:
        """A new page unless ``height`` fits below; a page never starts empty-handed."""
        if self.y + height > BOTTOM and self.pages[-1]:
            self.pages.append([])
            self.y = MARGIN

    def add(self, item: _Text | _Line) -> None:
        self.pages[-1].append(item)


def _paragraph(flow: _Pages, text: str, size: float, indent: float = 0.0) -> None:
    lines = wrap(text, TEXT_WIDTH - indent, size)
    if len(lines) > 1:  # later lines use the full width
        lines = [lines[0], *wrap("".join(lines[1:]), TEXT_WIDTH, size)]
    for k, line in enumerate(lines):
        flow.room(size * BODY_LEADING)
        flow.add(_Text(MARGIN + (indent if k == 0 else 0.0), flow.y, [line], size))
        flow.y += size * BODY_LEADING


# Column proportions of tables 二, 三 and 四, by their width in grid columns, as write_pdf's:
# two fifths of the width for the labels.
PROPORTIONS = {4: [2.0, 1.0, 1.0, 1.0], 10: [7.0, 7.0, 7.0, *[4.5] * 7], 15: [1.0] * 15}


def _widths(columns: int, rng: random.Random | None) -> list[float]:
    """Column widths in points filling the text width; with ``rng``, the labels' columns drawn
    wider (up to 30 %) and the others ±25 %, these shrunk to fit."""
    labels = LABEL_COLUMNS[columns]
    unit = TEXT_WIDTH / sum(PROPORTIONS[columns])
    base = [p * unit for p in PROPORTIONS[columns]]
    if rng is None:
        return base
    head = [w * rng.uniform(1.0, 1.3) for w in base[:labels]]
    rest = [w * rng.uniform(0.75, 1.25) for w in base[labels:]]
    room = TEXT_WIDTH * rng.uniform(0.9, 1.0) - sum(head)
    return head + [w * min(1.0, room / sum(rest)) for w in rest]


def _table(flow: _Pages, table: Table, rng: random.Random | None, ruled: bool, per_line: bool) -> None:
    n_rows, n_cols, placed = _place(table)
    xs = [MARGIN]
    for w in _widths(n_cols, rng):
        xs.append(xs[-1] + w)
    labels = LABEL_COLUMNS[n_cols]
    cells = [
        (r, c, rowspan, colspan, wrap(text, xs[c + colspan] - xs[c] - 2 * CELL_PAD, CELL_SIZE))
        for r, c, (text, rowspan, colspan) in placed
    ]
    pitch = CELL_SIZE * CELL_LEADING
    heights = [pitch + 2 * CELL_PAD] * n_rows
    for r, _, rowspan, _, lines in sorted(cells, key=lambda cell: cell[2]):
        short = len(lines) * pitch + 2 * CELL_PAD - sum(heights[r : r + rowspan])
        if short > 0:
            heights[r + rowspan - 1] += short  # a tall merged cell makes its last row taller
    # A page may break before a row that no merged cell crosses.
    breaks = [r for r in range(n_rows + 1) if not any(a < r < a + span for a, _, span, _, _ in cells)]
    tops: dict[int, float] = {}
    for start, stop in pairwise(breaks):
        flow.room(sum(heights[start:stop]))
        for r in range(start, stop):
            tops[r] = flow.y
            flow.y += heights[r]
        tops[stop] = flow.y
        for r, c, rowspan, colspan, lines in cells:
            if start <= r < stop:
                box = (xs[c], tops[r], xs[c + colspan], tops[r + rowspan])
                _cell(flow, box, lines, centred=c >= labels, ruled=ruled, per_line=per_line)
    flow.y += 6.0


def _cell(
    flow: _Pages,
    box: tuple[float, float, float, float],
    lines: list[str],
    centred: bool,
    ruled: bool,
    per_line: bool,
) -> None:
    """A cell's edges (when ruled) and its lines, centred vertically; values centred across."""
    x0, y0, x1, y1 = box
    if ruled:
        for edge in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
            flow.add(_Line(*edge))
    lines = [line for line in lines if line]
    if not lines:
        return
    pitch = CELL_SIZE * CELL_LEADING
    # Centred in a ruled cell; at the bottom where no rule shows the rows, as reportlab sets a
    # cell (write_pdf): a merged label then stands on the line of its last row.
    top = (y0 + y1) / 2 - pitch * len(lines) / 2 if ruled else y1 - CELL_PAD - pitch * len(lines)
    if not per_line:
        left = x0 + CELL_PAD
        if centred:
            left = (x0 + x1) / 2 - max(text_width(t, CELL_SIZE) for t in lines) / 2
        flow.add(_Text(left, top, lines, CELL_SIZE, cell=True))
        return
    for k, line in enumerate(lines):
        left = (x0 + x1) / 2 - text_width(line, CELL_SIZE) / 2 if centred else x0 + CELL_PAD
        flow.add(_Text(left, top + k * pitch, [line], CELL_SIZE, cell=True))


def layout(
    report: Report | Mapping[str, Any], *, seed: int | None = None, ruled: bool = True, per_line: bool = True
) -> list[list[_Text | _Line]]:
    """The report's pages: text boxes and lines in points from the page's top-left corner."""
    parts = _Parts(report)
    narrative = _narrative(parts)
    rng = random.Random(seed) if seed is not None else None
    flow = _Pages()
    title = f"{parts.agency}{parts.year}年度政府信息公开工作年度报告"
    flow.add(_Text((PAGE_WIDTH - text_width(title, TITLE_SIZE)) / 2, flow.y, [title], TITLE_SIZE))
    flow.y += TITLE_SIZE * 2
    for number, heading in enumerate(SECTION_TITLES, start=1):
        _paragraph(flow, heading, BODY_SIZE)
        for text in narrative[number]:
            _paragraph(flow, text, BODY_SIZE, indent=2 * BODY_SIZE)
        if number in TABLES:
            _table(flow, TABLES[number](parts), rng, ruled, per_line)
    return [[item for item in page if isinstance(item, _Text)] + _joined(page) for page in flow.pages]


def _joined(page: list[_Text | _Line]) -> list[_Line]:
    """The page's cell edges joined into the long lines a PDF draws (a ruling line per row and
    per column boundary), each edge once."""
    edges = {(e.x0, e.y0, e.x1, e.y1) for e in page if isinstance(e, _Line)}
    lines: list[_Line] = []
    for horizontal in (True, False):
        # (position, start, end): y, x0, x1 of a horizontal edge; x, y0, y1 of a vertical one
        spans = sorted(
            (y0, x0, x1) if horizontal else (x0, y0, y1)
            for x0, y0, x1, y1 in edges
            if (y0 == y1) == horizontal
        )
        joined: list[list[float]] = []
        for at, start, end in spans:
            if joined and joined[-1][0] == at and start <= joined[-1][2] + 1e-6:
                joined[-1][2] = max(joined[-1][2], end)
            else:
                joined.append([at, start, end])
        lines += [_Line(s, a, e, a) if horizontal else _Line(a, s, a, e) for a, s, e in joined]
    return lines


# --- the package -------------------------------------------------------------------------------


def _run(text: str, size: float) -> str:
    return f'<w:r><w:rPr><w:sz w:val="{round(size * 2)}"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _box_paragraphs(item: _Text) -> str:
    return "".join(f"<w:p>{_run(line, item.size)}</w:p>" for line in item.lines)


def _emu(points: float) -> int:
    return round(points * EMU)


def _vml(item: _Text | _Line, n: int) -> str:
    """The VML form (LibreOffice's fallback, older converters' only form), from the margins."""
    if isinstance(item, _Line):
        return (
            f'<w:pict><v:line id="shape{n}" from="{item.x0 - MARGIN:.2f}pt,{item.y0 - MARGIN:.2f}pt" '
            f'to="{item.x1 - MARGIN:.2f}pt,{item.y1 - MARGIN:.2f}pt" stroked="t" style="position:absolute">'
            '<v:stroke color="black"/></v:line></w:pict>'
        )
    style = (
        f"position:absolute;margin-left:{item.x - MARGIN:.2f}pt;margin-top:{item.y - MARGIN:.2f}pt;"
        f"width:{item.width:.2f}pt;height:{item.height:.2f}pt"
    )
    return (
        f'<w:pict><v:shape id="shape{n}" stroked="f" style="{style}" type="#_x0000_t202">'
        f"<v:textbox><w:txbxContent>{_box_paragraphs(item)}</w:txbxContent></v:textbox></v:shape></w:pict>"
    )


def _anchor(item: _Text | _Line, n: int) -> str:
    """LibreOffice's form: a DrawingML anchor from the column and paragraph, the VML as fallback."""
    if isinstance(item, _Line):
        x, y, cx, cy = item.x0, item.y0, item.x1 - item.x0, item.y1 - item.y0
        shape = (
            '<wps:cNvSpPr/><wps:spPr><a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
            '<a:ln w="6480"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln></wps:spPr><wps:bodyPr/>'
        )
    else:
        x, y, cx, cy = item.x, item.y, item.width, item.height
        shape = (
            '<wps:cNvSpPr txBox="1"/><wps:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/>'
            '<a:ln w="0"><a:noFill/></a:ln></wps:spPr>'
            f"<wps:txbx><w:txbxContent>{_box_paragraphs(item)}</w:txbxContent></wps:txbx>"
            '<wps:bodyPr wrap="square" lIns="0" rIns="0" tIns="0" bIns="0" anchor="t"><a:noAutofit/></wps:bodyPr>'
        )
    return (
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wp:anchor behindDoc="1" distT="0" distB="0" distL="0" distR="0" simplePos="0" locked="0" '
        f'layoutInCell="0" allowOverlap="1" relativeHeight="{n}"><wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="column"><wp:posOffset>{_emu(x - MARGIN)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{_emu(y - MARGIN)}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{_emu(cx)}" cy="{_emu(cy)}"/><wp:wrapSquare wrapText="bothSides"/>'
        f'<wp:docPr id="{n}" name="Shape{n}"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp>{shape}</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback>{_vml(item, n)}</mc:Fallback></mc:AlternateContent>"
    )


def text_box(text: str, x: float, y: float, size: float = BODY_SIZE) -> str:
    """One text box as LibreOffice writes it (a DrawingML anchor and its VML copy), at ``x``,
    ``y`` points from the page's corner: for tests that put a box into another Word file."""
    declared = "<mc:AlternateContent " + NAMESPACES.replace(' mc:Ignorable="wps"', "")
    return _anchor(_Text(x, y, [text], size), 1).replace("<mc:AlternateContent", declared, 1)


def _framed(item: _Text) -> str:
    """Word's own frames: each line a paragraph with ``w:framePr``, from the page's corner, in
    twips; a box's lines share one frame (same properties, paragraphs in a row)."""
    twips = round(item.x * 20), round(item.y * 20), round(item.width * 20) + 1
    props = (
        f'<w:framePr w:w="{twips[2]}" w:x="{twips[0]}" w:y="{twips[1]}" w:hAnchor="page" w:vAnchor="page" '
        'w:wrap="around"/>'
    )
    return "".join(f"<w:p><w:pPr>{props}</w:pPr>{_run(line, item.size)}</w:p>" for line in item.lines)


def write_frames_docx(
    report: Report | Mapping[str, Any],
    *,
    form: str = "anchor",
    seed: int | None = None,
    ruled: bool = True,
    per_line: bool = True,
    loose_text: bool = False,
) -> bytes:
    """The report as a PDF-to-Word converter writes it (see the module's docstring).

    ``form``: ``"anchor"`` (LibreOffice's), ``"vml"`` or ``"framepr"`` (Word frames, a page
    break paragraph between pages, the lines as VML in one paragraph a page). ``per_line``: a
    text box per line, as LibreOffice; else one per cell, its lines as paragraphs.
    ``loose_text``: the title, headings and paragraphs are the body's own paragraphs, a line
    each, and only the tables are in frames (a mixed document; forms anchor and vml).
    """
    if form not in FORMS:
        raise ValueError(f"no such form: {form!r}")
    pages = layout(report, seed=seed, ruled=ruled, per_line=per_line)
    body: list[str] = []
    n = 0
    if form == "framepr":
        for k, page in enumerate(pages):
            if k:
                body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            body += [_framed(item) for item in page if isinstance(item, _Text)]
            lines = [item for item in page if isinstance(item, _Line)]
            if lines:  # from the paragraph at the top of the page: the page's corner plus the margins
                body.append(
                    "<w:p><w:r>" + "".join(_vml(line, k) for k, line in enumerate(lines)) + "</w:r></w:p>"
                )
    else:
        shapes: list[str] = []
        for page in pages:
            for item in sorted(page, key=lambda i: i.y):  # LibreOffice's order: from the top
                if loose_text and isinstance(item, _Text) and not item.cell:
                    body.append(_shapes_paragraph(shapes, form))
                    shapes = []
                    body.append(f"<w:p>{_run(item.lines[0], item.size)}</w:p>")
                    continue
                n += 1
                shapes.append(_anchor(item, n) if form == "anchor" else _vml(item, n))
        body.append(_shapes_paragraph(shapes, form))
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}><w:body>'
        + "".join(body)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:left="1134" w:right="1134" w:top="1134" '
        'w:bottom="1134" w:header="0" w:footer="0" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    return _package(document)


def _shapes_paragraph(shapes: list[str], form: str) -> str:
    """One paragraph anchoring the shapes: in one run (LibreOffice), or a run each."""
    if not shapes:
        return ""
    if form == "anchor":
        return "<w:p><w:r>" + "".join(shapes) + "</w:r></w:p>"
    return "<w:p>" + "".join(f"<w:r>{shape}</w:r>" for shape in shapes) + "</w:p>"


def _package(document: str) -> bytes:
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": document,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode("utf-8"))
    return out.getvalue()
