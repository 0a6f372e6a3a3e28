"""PDF with a text layer → :class:`~gongkai.readers.document.Document` (pypdfium2).

PDFium, in C, gives each character with its box and each drawn path with its segments; the
Python side only groups characters into runs and keeps the straight lines. Tables and
paragraphs are then rebuilt by :mod:`gongkai.readers.positioned`, the same code that serves
OFD and OCR. A table that runs onto the next page is read as two pieces of one table (see
:func:`gongkai.readers.grids.split_tables`).

Boxes are PDFium's *loose* character boxes (font ascent to descent): the tight ones are empty
for a CJK font that the PDF names but does not embed, which is common.

Line numbers: PDFs have none, so a running number counts text lines and table rows through
the document (page by page), as the DOCX reader does.
"""

from __future__ import annotations

import ctypes
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gongkai.readers.document import Document, DocumentNotice, UnreadableDocument
from gongkai.readers.positioned.pages import check_page_count, pages_to_document
from gongkai.readers.positioned.pieces import Page, Rule, chars_to_pieces

if TYPE_CHECKING:
    from gongkai.readers.ocr.reader import Scanner

MAX_PATH_SEGMENTS = 200_000  # per page: far beyond any table, short of a drawing that would stall us
MAX_CHARS = 200_000  # per page, as for OFD: a dense page holds about 3,000


def pdf_to_document(data: bytes, name: str = "<pdf>") -> Document:
    """Paragraphs and tables (ruled or not) of a PDF, in reading order.

    Each page is read by its text layer; a page that is only a picture (a scan, see
    :func:`_is_scanned`) is read by OCR when ``gongkai[ocr]`` is installed. A wholly scanned PDF
    without the extra ends in the extra's message; a partly scanned one is read without its
    scanned pages, and a READ-OCR finding names them.
    """
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise UnreadableDocument("PDF 已加密，无法读取；请提供未加密的文件") from None
        raise UnreadableDocument("PDF 文件已损坏或被截断，无法打开") from None
    scans = _Scans()
    try:
        count = len(pdf)
        check_page_count(count, "PDF ")
        doc = pages_to_document(_pages(pdf, count, data, scans), name)
    finally:
        pdf.close()
    if scans.missing is not None and (not doc.blocks or len(scans.unread) == count):
        raise scans.missing  # a scan throughout, and no OCR to read it
    if not doc.blocks:
        raise UnreadableDocument("PDF 没有文字层，也没有扫描的页面，读不到任何文字，无法作为年度报告读取")
    doc.notices.extend(scans.notices(count))
    return doc


def _pages(pdf: pdfium.PdfDocument, count: int, data: bytes, scans: _Scans) -> Iterator[Page]:
    """Each page by its text layer, or by OCR when it is a scan; each closed before it is given."""
    for index in range(count):
        try:
            page = pdf[index]
        except pdfium.PdfiumError:
            raise UnreadableDocument(f"PDF 第{index + 1}页已损坏，无法读取") from None
        try:
            with _library_warnings() as warned:
                laid_out = read_page(page, index + 1, data)
            if _is_scanned(page, laid_out):
                laid_out = scans.read(page, index + 1) or laid_out
        finally:
            page.close()
        if warned:
            laid_out.notices.append(_damaged_page(index + 1))
        yield laid_out


SCANNED_COVER = 0.5  # an image over half the page …
SCANNED_TEXT = 20  # … with fewer characters of text than this (a page number, a stamp) is a scan


def _is_scanned(page: pdfium.PdfPage, laid_out: Page) -> bool:
    """Whether a page is a picture of text: an image covers most of it and it has (almost) no text.

    A scanned PDF often carries a little real text over its images (page numbers, a 「公开」
    stamp, a portal's watermark); PDFs that were OCRed already carry an invisible text layer
    and are read by it, since they have as much text as the page shows.
    """
    if sum(len(p.text) for p in laid_out.pieces) >= SCANNED_TEXT:
        return False
    width, height = page.get_size()
    area = max(width * height, 1.0)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        shown = max(min(right, width) - max(left, 0.0), 0.0) * max(min(top, height) - max(bottom, 0.0), 0.0)
        if shown >= SCANNED_COVER * area:
            return True
    return False


class _Scans:
    """The scanned pages of one PDF, read by OCR when the extra is there."""

    def __init__(self) -> None:
        self.scanner: Scanner | None = None
        self.missing: UnreadableDocument | None = None  # why OCR cannot run, once known
        self.unread: list[int] = []

    def read(self, page: pdfium.PdfPage, number: int) -> Page | None:
        """The page read by OCR, or None (noted) when OCR is not installed."""
        from gongkai.readers.ocr.images import render_pdf_page
        from gongkai.readers.ocr.reader import Scanner

        if self.scanner is None and self.missing is None:
            try:
                self.scanner = Scanner()
            except UnreadableDocument as exc:
                self.missing = exc
        if self.scanner is None:
            self.unread.append(number)
            return None
        return self.scanner.read(render_pdf_page(page), number)

    def notices(self, total: int) -> list[DocumentNotice]:
        """READ-OCR: the pages OCR read, and the pages left unread for want of it."""
        from gongkai.readers.ocr.reader import page_list

        found: list[DocumentNotice] = []
        if self.scanner is not None:
            found.append(self.scanner.notice(total))
        if self.unread:
            found.append(
                DocumentNotice(
                    "READ-OCR",
                    f"本文件第{page_list(self.unread)}页是扫描图片，没有文字层；未安装 OCR 组件，"
                    "这些页没有读取，其中的内容（包括表格）可能缺失；"
                    "请运行 pip install 'gongkai[ocr]' 安装后重新读取",
                    1,
                    info=False,
                )
            )
        return found


# pdfminer logs what it works around (「Data-loss while decompressing corrupted data」) at
# WARNING; with no logging configured Python printed that on the terminal of a successful run.
# Its records go to the application's log when there is one, never to stderr by default, and a
# page they concern gets a READ-PDF-DAMAGED notice (issue 14).
logging.getLogger("pdfminer").addHandler(logging.NullHandler())


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _library_warnings() -> Iterator[list[logging.LogRecord]]:
    """The warnings pdfminer logs inside the block."""
    handler = _Collected()
    logger = logging.getLogger("pdfminer")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def _damaged_page(number: int) -> DocumentNotice:
    """READ-PDF-DAMAGED, at the line the page starts (given by the page loop)."""
    return DocumentNotice(
        "READ-PDF-DAMAGED",
        f"PDF 第{number}页的内容数据已损坏（压缩数据不完整或校验失败），已尽量读取；这一页的文字可能不全，请与原件核对",
        info=False,
    )


def read_page(page: pdfium.PdfPage, number: int, data: bytes | None = None) -> Page:
    """A page's text runs and ruling lines, in top-down coordinates (points).

    Where PDFium drops characters (see :func:`_undecoded_text`) and the file's ``data`` is
    given, that page's characters are read with pdfminer instead, slower but complete.
    """
    height = page.get_height()
    if data is not None and _undecoded_text(page):
        pieces = chars_to_pieces(_plumber_chars(_plumber_page(data, number)))
    else:
        textpage = page.get_textpage()
        try:
            pieces = chars_to_pieces(_chars(textpage, height, number))
        finally:
            textpage.close()
    return Page(number, pieces, _rules(page, height))


def _plumber_page(data: bytes, number: int):
    """One page through pdfplumber (pdfminer), for the pages PDFium cannot decode."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data), pages=[number]) as pdf:
            page = pdf.pages[0]
            page.chars  # noqa: B018  (parse now, while the file is open)
            return page
    except Exception:  # pdfminer raises many kinds on a damaged page (IndexError, TypeError…)
        raise UnreadableDocument(
            f"PDF 第{number}页已损坏：页面上有 PDFium 无法解码的文字，按页面结构逐字读取也失败"
        ) from None


def _chars(
    textpage: pdfium.PdfTextPage, height: float, page: int = 0
) -> Iterator[tuple[str, float, float, float, float]]:
    """Each character and its loose box, top-down, in content order; ``page`` names the page."""
    count = textpage.count_chars()
    if count <= 0:
        return
    if count > MAX_CHARS:  # before a tuple is built for each (a compressed stream of text inflates)
        raise UnreadableDocument(f"PDF 第{page}页的文字超过{MAX_CHARS:,}个，不像是一份年度报告")
    text = textpage.get_text_range(0, count)
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    # get_text_range gives one str character per PDFium character, except around surrogate
    # pairs; only then is each character's code asked for.
    aligned = len(text) == count
    for i in range(count):
        ch = text[i] if aligned else chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if ch.isspace():
            yield (" ", 0.0, 0.0, 0.0, 0.0)
        elif pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            yield (ch, rect.left, height - rect.top, rect.right, height - rect.bottom)


def _undecoded_text(page: pdfium.PdfPage) -> bool:
    """Whether PDFium dropped text on this page.

    PDFium loses a string of a single CJK character in a font that is not embedded and uses
    a predefined CMap (UniGB-UCS2-H and the like, common in PDFs converted from OFD and in
    reportlab's output): the text object is there, with an empty box and no characters.
    """
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        if right - left < 1e-3 and top - bottom < 1e-3:
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            if font and not pdfium_c.FPDFFont_GetIsEmbedded(font):
                return True
    return False


def _plumber_chars(plumber_page) -> Iterator[tuple[str, float, float, float, float]]:
    for ch in plumber_page.chars:
        yield (ch["text"], ch["x0"], ch["top"], ch["x1"], ch["bottom"])


def _rules(page: pdfium.PdfPage, height: float) -> list[Rule]:
    """The straight horizontal and vertical strokes and thin filled bars of the page's paths."""
    rules: list[Rule] = []
    budget = MAX_PATH_SEGMENTS
    x, y = ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4):
        matrix = _page_matrix(obj)
        n = pdfium_c.FPDFPath_CountSegments(obj.raw)
        if n <= 0:
            continue
        budget -= n
        if budget < 0:
            break
        pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke))
        points: list[tuple[float, float, bool]] = []  # (x, y, is_move)
        for k in range(n):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, k)
            if not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
                continue
            px, py = matrix.on_point(x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            points.append((px, height - py, kind == pdfium_c.FPDF_SEGMENT_MOVETO))
            if pdfium_c.FPDFPathSegment_GetClose(segment):
                start = next((p for p in reversed(points) if p[2]), None)
                if start is not None:
                    points.append((start[0], start[1], False))
        if stroke.value:
            for (ax, ay, _), (bx, by, move) in pairwise(points):
                if not move and (abs(ax - bx) < 0.5 or abs(ay - by) < 0.5):
                    rules.append(Rule(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
        elif fill.value and points:
            # A border drawn as a thin filled rectangle (Word's export does this).
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            rules.append(Rule(min(xs), min(ys), max(xs), max(ys)))
    return rules


def _page_matrix(obj: pdfium.PdfObject) -> pdfium.PdfMatrix:
    """The object's matrix composed with those of the form XObjects that hold it."""
    matrix = obj.get_matrix()
    container = obj.container
    while container is not None:
        matrix = matrix.multiply(container.get_matrix())
        container = container.container
    return matrix
