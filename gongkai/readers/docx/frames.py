"""A Word file made by a PDF-to-Word converter: every line or cell a positioned frame (issue 16).

LibreOffice's PDF import, and converters like it, put each run of text of the PDF page in a text
box anchored at its place (``wp:anchor`` with ``wp:posOffset`` in EMU, or VML's
``margin-left``/``margin-top``, or a paragraph's ``w:framePr`` in twips) and each ruling line in
a line shape. Read as paragraphs, the numbers of a row run together (「…申请数量0000009595000000」).
Here the frames become :class:`~gongkai.readers.positioned.pieces.Piece` and the line shapes
:class:`~gongkai.readers.positioned.pieces.Rule`, in points, and the page is rebuilt as a PDF
page is (:mod:`gongkai.readers.positioned`).

Pages: LibreOffice anchors every frame in one paragraph, page after page, each page's frames in
order from the top, so a frame far above the one before starts a new page; a page break or a
section break in the body starts one too. Text outside frames (body paragraphs) stays a
paragraph in its place, between the frames before and after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gongkai.readers.document import Document, DocumentNotice, Paragraph, UnreadableDocument
from gongkai.readers.positioned.pages import check_page_count, page_blocks
from gongkai.readers.positioned.pieces import Page, Piece, Rule

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_WPS = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}"
_V = "{urn:schemas-microsoft-com:vml}"
W_P, W_T, W_TAB, W_BR, W_CR, W_PPR = _W + "p", _W + "t", _W + "tab", _W + "br", _W + "cr", _W + "pPr"
W_TXBX = _W + "txbxContent"
W_VAL, W_TYPE = _W + "val", _W + "type"
_SHAPE_PROPERTIES = f"{_A}graphic/{_A}graphicData/{_WPS}wsp/{_WPS}spPr"
_VML_SHAPES = {_V + name for name in ("shape", "rect", "roundrect", "line", "oval")}

EMU_PER_POINT = 12700
TWIPS_PER_POINT = 20
DEFAULT_SIZE = 10.5  # 五号, the body size of a Chinese report, for a run that names none
MAX_PAGE_ITEMS = 20_000  # text boxes on one page; a dense converted page has a few hundred
# Lines on one page: a converted page of tables has 50–300 (more when each cell's sides
# are drawn apart, as 250 cells make 1,000). The ruled-table search grows fast with the lines
# crossing (600 in a full grid take seconds), so past this the file is refused.
MAX_PAGE_RULES = 1_000
# A frame at least this far (a share of the page's height) above the one before is on a new page.
NEW_PAGE_JUMP = 1 / 3
# Text boxes a Word file needs before it is read by their positions: a report's tables alone make
# hundreds; a letterhead, a stamp or a few call-outs make a handful.
MIN_BOXES = 20


@dataclass(slots=True)
class _Frame:
    """A positioned text box (its lines of text) or, without text, a drawn shape, in points."""

    x: float
    y: float
    width: float
    height: float
    lines: list[tuple[str, float]] = field(default_factory=list)  # (text, font size)
    outlined: bool = False  # its border is drawn: a cell's rules
    line_shape: bool = False


@dataclass(slots=True)
class _Layout:
    """The page's size and margins in points, from the body's section properties."""

    height: float = 842.0
    left: float = 72.0
    top: float = 72.0


def drop_fallbacks(root) -> None:
    """Remove every ``mc:Fallback`` whose ``mc:AlternateContent`` has a ``mc:Choice``.

    Word and LibreOffice write each text box twice, as DrawingML (the choice) and as VML (the
    fallback); read both, the text of every box came out twice.
    """
    for fallback in list(root.iter(_MC + "Fallback")):
        parent = fallback.getparent()
        if parent is not None and parent.find(_MC + "Choice") is not None:
            parent.remove(fallback)


def text_boxes(body) -> int:
    """How many text boxes and frames of the body hold text (positioned or not: a cheap count)."""
    boxes = 0
    for element in body.iter(_WP + "anchor", *_VML_SHAPES, _W + "framePr"):
        if element.tag == _W + "framePr":
            boxes += element.get(_W + "x") is not None
        elif element.find(f".//{W_T}") is not None:
            boxes += 1
    return boxes


def framed_document(body, name: str) -> Document:
    """The document rebuilt from its frames' positions, page by page, with the body's loose
    paragraphs in their places (each ends the frames before it, which are read as one page)."""
    layout = _layout(body)
    doc = Document(name)
    counter = 1
    number = 1  # the printed page
    on_page = False  # whether anything was read on it yet
    page = Page(number)
    last_top: float | None = None
    # Where the body marks its page breaks, they alone divide the pages: a converter may write
    # a page's lines after its text, from the top again.
    jumps = not _has_page_breaks(body)

    def flush() -> None:
        nonlocal counter, page
        if page.pieces or page.rules:
            blocks, counter = page_blocks(page, counter, doc.places)
            doc.blocks.extend(blocks)
        page = Page(number)

    def next_page() -> None:
        nonlocal number, on_page, last_top
        flush()
        if on_page:
            number += 1
            check_page_count(number, "DOCX（由 PDF 转换，文字在文本框中）")
            page.number = number
        on_page, last_top = False, None

    for item in _items(body, layout):
        if item is None:
            next_page()
            continue
        on_page = True
        if isinstance(item, str):
            flush()
            doc.blocks.append(Paragraph(item, counter))
            doc.places[counter] = f"第{number}页"
            counter += 1
            continue
        if jumps and last_top is not None and item.y < last_top - NEW_PAGE_JUMP * layout.height:
            next_page()
            on_page = True
        last_top = item.y
        _add(page, item)
        if len(page.pieces) > MAX_PAGE_ITEMS or len(page.rules) > MAX_PAGE_RULES:
            raise UnreadableDocument(
                f"DOCX 第{number}页有{len(page.pieces):,}个文本框、{len(page.rules):,}条线，"
                f"超过每页{MAX_PAGE_ITEMS:,}个文本框或{MAX_PAGE_RULES:,}条线的上限，不像是一份年度报告"
            )
    flush()
    return doc


def _has_page_breaks(body) -> bool:
    """Whether the body marks a page break: 「w:br w:type="page"」, a paragraph's
    ``w:pageBreakBefore`` or a section ending inside the body (the last one is the body's own)."""
    for element in body.iter(W_BR, _W + "pageBreakBefore", _W + "sectPr"):
        if element.tag == W_BR:
            if element.get(W_TYPE) == "page":
                return True
        elif element.tag != _W + "sectPr" or element.getparent() is not body:
            return True
    return False


def _add(page: Page, frame: _Frame) -> None:
    """A frame's lines as pieces of the page, and its drawn border or line as rules."""
    x0, top, x1, bottom = frame.x, frame.y, frame.x + frame.width, frame.y + frame.height
    if frame.line_shape or (not frame.lines and frame.outlined):
        page.rules.append(Rule(x0, top, x1, bottom))
        if not frame.line_shape and frame.width > 2 and frame.height > 2:  # a drawn box: four sides
            page.rules[-1:] = [
                Rule(x0, top, x1, top),
                Rule(x0, bottom, x1, bottom),
                Rule(x0, top, x0, bottom),
                Rule(x1, top, x1, bottom),
            ]
        return
    if frame.outlined:
        page.rules += [Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom)]
        page.rules += [Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)]
    if not frame.lines:
        return
    # The box's height is shared among its lines (a box without one takes its font's). In its
    # line the text is a little over an em tall, centred, as a CJK font's boxes in a PDF are: a
    # converter's line boxes are half as tall again, and the tables' gaps are measured in the
    # text's height.
    step = frame.height / len(frame.lines) if frame.height > 0 else None
    y = top
    for text, size in frame.lines:
        line = step if step is not None else 1.2 * size
        height = min(line, 1.05 * size)
        page.pieces.extend(_line_pieces(text, frame.x, y + (line - height) / 2, height, size, frame.width))
        y += line


def _line_pieces(text: str, x: float, top: float, height: float, size: float, width: float) -> list[Piece]:
    """One line of a frame as pieces, cut where it has white space (「0  0  0」 is three cells).

    Characters are placed by their estimated widths (a CJK character a full em, others about
    half), stretched to the frame's width when it has one.
    """
    widths = [size if _wide(ch) else 0.55 * size for ch in text]
    natural = sum(widths) or 1.0
    scale = width / natural if width > 0 else 1.0
    pieces: list[Piece] = []
    at = x
    for match in re.finditer(r"\S+|\s+", text):
        span = sum(widths[match.start() : match.end()]) * scale
        if not match.group().isspace():
            pieces.append(Piece(match.group(), at, top, at + span, top + height))
        at += span
    return pieces


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80  # CJK, full-width forms and punctuation


def _layout(body) -> _Layout:
    """Page height and margins of the body's last section (LibreOffice writes one)."""
    layout = _Layout()
    section = body.find(_W + "sectPr")
    if section is None:
        return layout
    size, margins = section.find(_W + "pgSz"), section.find(_W + "pgMar")
    layout.height = _twips(size.get(_W + "h") if size is not None else None, layout.height)
    if margins is not None:
        layout.left = _twips(margins.get(_W + "left"), layout.left)
        layout.top = _twips(margins.get(_W + "top"), layout.top)
    return layout


def _twips(value: str | None, default: float) -> float:
    try:
        return min(max(float(value or ""), 0.0), 1e6) / TWIPS_PER_POINT
    except ValueError:
        return default


def _items(body, layout: _Layout) -> Iterator[_Frame | str | None]:
    """The body in order: frames, loose paragraphs' text (str) and page breaks (None)."""
    stacked: tuple | None = None  # the last framed paragraph's w:framePr, and where its next line goes
    for paragraph in body.iter(W_P):
        if _inside_frame(paragraph, body):
            continue
        props = paragraph.find(W_PPR)
        if props is not None and props.find(_W + "pageBreakBefore") is not None:
            yield None
        frame_props = props.find(_W + "framePr") if props is not None else None
        loose: list[str] = []
        frames: list[_Frame] = []
        breaks_after = _walk(paragraph, layout, loose, frames)
        text = " ".join("".join(loose).split())
        if frame_props is not None and frame_props.get(_W + "x") is not None and text:
            frame, stacked = _framed_paragraph(paragraph, frame_props, text, layout, stacked)
            yield frame
        else:
            stacked = None
            if text:
                yield text
        yield from frames
        yield from [None] * breaks_after
        if props is not None and props.find(_W + "sectPr") is not None:
            yield None


def _inside_frame(paragraph, body) -> bool:
    """Whether a paragraph is inside a text box (read with its box) rather than in the body."""
    parent = paragraph.getparent()
    while parent is not None and parent is not body:
        if parent.tag == W_TXBX:
            return True
        parent = parent.getparent()
    return False


def _walk(element, layout: _Layout, loose: list[str], frames: list[_Frame]) -> int:
    """A paragraph's content: its loose text into ``loose``, its positioned shapes into
    ``frames``; returns how many page breaks it holds."""
    breaks = 0
    for child in element:
        tag = child.tag
        if tag == W_T:
            loose.append(child.text or "")
        elif tag in (W_TAB, W_CR) or (tag == W_BR and child.get(W_TYPE) != "page"):
            loose.append(" ")
        elif tag == W_BR:
            breaks += 1
        elif tag == _WP + "anchor":
            frame = _anchored(child, layout)
            if frame is None:
                loose.append(_box_text(child))
            else:
                frames.append(frame)
        elif tag in _VML_SHAPES and _absolute(child):
            frame = _vml(child, layout)
            if frame is None:
                loose.append(_box_text(child))
            else:
                frames.append(frame)
        elif tag == W_TXBX:  # a box in line with the text (wp:inline, a VML shape not absolute)
            loose.append(_box_text(child))
        elif tag == _MC + "Fallback" and element.find(_MC + "Choice") is not None:
            continue  # the VML copy of the DrawingML choice before it
        elif isinstance(tag, str) and tag != _W + "delText":
            breaks += _walk(child, layout, loose, frames)
    return breaks


def _box_text(element) -> str:
    """All the text of a shape, its paragraphs apart, for a shape read in place."""
    return " ".join("".join(t.text or "" for t in p.iter(W_T)) for p in element.iter(W_P))


def _box_lines(element) -> list[tuple[str, float]]:
    """A text box's lines: each paragraph (and each line break in one) with its font size."""
    lines: list[tuple[str, float]] = []
    for paragraph in element.iter(W_P):
        size = _font_size(paragraph)
        parts: list[str] = []
        for node in paragraph.iter(W_T, W_TAB, W_BR, W_CR):
            if node.tag == W_T:
                parts.append(node.text or "")
            elif node.tag == W_TAB:
                parts.append("  ")
            else:
                parts.append("\n")
        for text in "".join(parts).replace("\xa0", " ").split("\n"):
            lines.append((text.strip(), size))
    while lines and not lines[-1][0]:
        lines.pop()
    return lines if any(text for text, _ in lines) else []


def _font_size(paragraph) -> float:
    for size in paragraph.iter(_W + "sz"):
        try:
            return min(max(float(size.get(W_VAL, "")) / 2, 1.0), 400.0)
        except ValueError:
            continue
    return DEFAULT_SIZE


def _anchored(anchor, layout: _Layout) -> _Frame | None:
    """A DrawingML anchor (text box or line), placed on the page; None when it has no offset."""
    h, v = anchor.find(_WP + "positionH"), anchor.find(_WP + "positionV")
    x = _offset(h, layout.left)
    y = _offset(v, layout.top)
    if x is None or y is None:
        return None
    extent = anchor.find(_WP + "extent")
    width = _emu(extent.get("cx") if extent is not None else None)
    height = _emu(extent.get("cy") if extent is not None else None)
    frame = _Frame(x, y, width, height, _box_lines(anchor))
    props = anchor.find(_SHAPE_PROPERTIES)  # a shape's, not a picture's or a group's
    if props is None:
        return frame
    geometry = props.find(_A + "prstGeom")
    shape = geometry.get("prst", "").lower() if geometry is not None else ""
    frame.line_shape = not frame.lines and ("line" in shape or "connector" in shape)
    outline = props.find(_A + "ln")
    frame.outlined = outline is not None and outline.find(_A + "noFill") is None and not frame.line_shape
    if (
        frame.outlined
        and outline.find(_A + "solidFill") is None
        and props.getparent().find(_WPS + "style") is None
    ):
        frame.outlined = False  # an outline with no colour of its own nor a style's (wps:style) is not drawn
    return frame


def _offset(position, margin: float) -> float | None:
    """A ``wp:positionH``/``positionV`` as points from the page's edge; None without an offset."""
    if position is None:
        return None
    offset = position.find(_WP + "posOffset")
    if offset is None:
        return None
    relative = position.get("relativeFrom", "")
    return _emu(offset.text) + (0.0 if relative == "page" else margin)


def _emu(value: str | None) -> float:
    try:
        return min(max(int((value or "0").strip()), -(10**9)), 10**9) / EMU_PER_POINT
    except ValueError:
        return 0.0


_STYLE = re.compile(r"\s*([\w-]+)\s*:\s*([^;]*)")
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(pt|in|cm|mm|px|emu)?\s*$")
_PER_UNIT = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75, "emu": 1 / EMU_PER_POINT}


def _style(shape) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2).strip() for m in _STYLE.finditer(shape.get("style", "")[:2000])}


def _absolute(shape) -> bool:
    return _style(shape).get("position") == "absolute"


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    if match is None:
        return None
    return float(match.group(1)) * _PER_UNIT[match.group(2) or "px"]


def _vml(shape, layout: _Layout) -> _Frame | None:
    """A VML shape with ``position:absolute`` (text box or line) in points; None without a place."""
    style = _style(shape)
    left = 0.0 if style.get("mso-position-horizontal-relative") == "page" else layout.left
    top = 0.0 if style.get("mso-position-vertical-relative") == "page" else layout.top
    if shape.tag == _V + "line":
        start = [_length(v) for v in shape.get("from", "").split(",")]
        end = [_length(v) for v in shape.get("to", "").split(",")]
        if len(start) != 2 or len(end) != 2 or None in start or None in end:
            return None
        (ax, ay), (bx, by) = start, end  # type: ignore[misc]
        x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        return _Frame(left + x0, top + y0, x1 - x0, y1 - y0, line_shape=True)
    x = _length(style.get("margin-left") or style.get("left"))
    y = _length(style.get("margin-top") or style.get("top"))
    if x is None or y is None:
        return None
    frame = _Frame(
        left + x,
        top + y,
        _length(style.get("width")) or 0.0,
        _length(style.get("height")) or 0.0,
        _box_lines(shape),
    )
    frame.outlined = (
        shape.get("stroked", "t") in ("t", "true") and shape.tag != _V + "shape" and not frame.lines
    )
    return frame


def _framed_paragraph(
    paragraph, props, text: str, layout: _Layout, stacked: tuple | None
) -> tuple[_Frame, tuple]:
    """A paragraph with ``w:framePr``: a frame at its w:x/w:y. Paragraphs in a row with the same
    frame properties are one frame, each a line below the one before."""
    size = _font_size(paragraph)
    key = tuple(sorted(props.attrib.items()))
    x = _twips(props.get(_W + "x"), 0.0) + (0.0 if props.get(_W + "hAnchor") == "page" else layout.left)
    y = _twips(props.get(_W + "y"), 0.0) + (0.0 if props.get(_W + "vAnchor") == "page" else layout.top)
    if stacked is not None and stacked[0] == key:
        y = stacked[1]
    width = _twips(props.get(_W + "w"), 0.0) or sum(size if _wide(ch) else 0.55 * size for ch in text)
    return _Frame(x, y, width, 1.2 * size, [(text, size)]), (key, y + 1.2 * size)


def frames_to_document(body, name: str) -> Document | None:
    """The document read from its positioned frames, or None when it is not that kind of Word
    file: fewer than :data:`MIN_BOXES` text boxes, or no report table found among them (the
    caller then reads the body as it always has). Of a DrawingML box and its VML copy
    (``mc:AlternateContent``) the first, the choice, is read."""
    from gongkai.readers.html.reader import has_report_tables

    if text_boxes(body) < MIN_BOXES:
        return None
    doc = framed_document(body, name)
    if not has_report_tables(doc):
        return None
    doc.notices.append(
        DocumentNotice(
            "READ-FRAMES",
            "这份 Word 文档的文字都在定位的文本框中（多为 PDF 转换成的 Word 文件），"
            "已按文本框在页面上的位置重建段落和表格",
        )
    )
    return doc
