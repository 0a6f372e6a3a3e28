"""Scanned reports → :class:`~gongkai.readers.document.Document`, offline (``gongkai[ocr]``).

Each image (each frame of a TIFF, each page of an image-only PDF rendered with PDFium) is one
page. The page is cleaned (contrast stretched, straightened), its ruling lines found with
morphology, and its text lines cut out with classic connected components, never across a
ruling line: so every piece lies inside one table cell by construction. Only the recognition
is a neural network: RapidOCR's PP-OCR recognition model (ONNX, shipped inside the
``rapidocr-onnxruntime`` wheel, nothing downloaded), run by onnxruntime on one core.

Why not RapidOCR's own pipeline: its detection network costs ~7 s for an A4 page at 200 dpi
on one core, it runs neighbouring cells' text together or misses lone digits, and it pads
every lone 「0」 to a 320-pixel line. Here the cut-out pieces are packed side by side into a
few long strips, and each recognised character is given back to its piece by its position.

Pieces and rules go to :mod:`gongkai.readers.positioned`, the same table builder as PDF and
OFD, in pixel coordinates of the straightened page. A piece keeps the confidence of its
least certain character; the table reader reports a value read below its threshold.

This module holds the entry points and the steps of one page (:func:`read_page`); the steps
themselves are in ``images`` (opening, cleaning, straightening), ``layout`` (ruling lines and
text boxes) and ``recognition`` (the model, loaded once per process, and reading the boxes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gongkai.readers.document import UNCERTAIN_BELOW, Document, DocumentNotice, UnreadableDocument
from gongkai.readers.ocr.images import (
    clean_page,
    fit_size,
    image_frames,
    open_image,
    pdf_frames,
    rotate,
    skew_angle,
)
from gongkai.readers.ocr.layout import character_size, ruling_lines, text_boxes
from gongkai.readers.ocr.recognition import Engine, load_engine, recognise
from gongkai.readers.positioned.pages import pages_to_document
from gongkai.readers.positioned.pieces import Page

if TYPE_CHECKING:
    import numpy as np

# Below this a piece is uncertain: counted in the READ-OCR notice, and its value reported by the
# table reader (the measurements are beside the constant).
LOW_CONFIDENCE = UNCERTAIN_BELOW
# Text boxes on one page: a dense table page of a report has a few hundred, a page of small print
# under 2,000. A damaged scan of specks gave 8,444, each read by the model (50 s of a core).
MAX_TEXT_BOXES = 4_000


# ---------------------------------------------------------------------------------------------
# Entry points


def image_to_document(data: bytes, name: str = "<image>") -> Document:
    """Paragraphs and tables of a scanned page image (PNG, JPEG; TIFF: every frame a page).

    Raises :class:`UnreadableDocument` for a damaged image, one over
    :data:`~gongkai.readers.ocr.images.MAX_PIXELS` (a decompression bomb) or
    :data:`~gongkai.readers.positioned.pages.MAX_PAGES`, one with no text, and when the OCR
    extra is not installed.
    """
    image = open_image(data)  # refused before the engine is loaded, with or without it
    scanner = Scanner()
    return _pages_to_document(image_frames(image), name, scanner)


def scanned_pdf_to_document(data: bytes, name: str = "<pdf>") -> Document:
    """Paragraphs and tables of a PDF whose pages are pictures (no text layer), by OCR.

    Each page is rendered with PDFium at :data:`~gongkai.readers.ocr.images.RENDER_DPI` (less
    for an oversized page, so that no page exceeds its pixel cap). Raises :class:`UnreadableDocument` as
    :func:`image_to_document` does, and for a damaged, encrypted or over-long PDF. A PDF with a
    text layer on some pages is better read by :func:`gongkai.readers.pdf.reader.pdf_to_document`,
    which reads each page by its text layer or, where it has none, by this OCR.
    """
    scanner = Scanner()
    return _pages_to_document(pdf_frames(data), name, scanner)


def _pages_to_document(frames: Iterable[np.ndarray], name: str, scanner: Scanner) -> Document:
    pages = (scanner.read(gray, number) for number, gray in enumerate(frames, start=1))
    doc = pages_to_document(pages, name)
    if not doc.blocks:
        raise UnreadableDocument("图片中没有识别出文字，无法作为年度报告读取")
    doc.notices.append(scanner.notice(len(scanner.pages)))
    return doc


class Scanner:
    """OCR of page images one by one, counting what the READ-OCR notice reports.

    Creating one loads the engine: it raises :class:`UnreadableDocument` with
    :data:`~gongkai.readers.ocr.recognition.MISSING_EXTRA` when ``gongkai[ocr]`` is not installed.
    """

    def __init__(self) -> None:
        self.engine = load_engine()
        self.pages: list[int] = []  # the numbers of the pages read
        self.uncertain = 0  # pieces read below LOW_CONFIDENCE

    def read(self, gray: np.ndarray, number: int) -> Page:
        """One page image's pieces and rules (see :func:`read_page`)."""
        page = read_page(gray, number, self.engine)
        self.pages.append(number)
        self.uncertain += sum(p.confidence is not None and p.confidence < LOW_CONFIDENCE for p in page.pieces)
        return page

    def notice(self, total: int) -> DocumentNotice:
        """The READ-OCR notice: which pages were recognised and how many pieces are uncertain."""
        if len(self.pages) == total:
            which = f"本文件是扫描件或图片，{total}页文字均由 OCR 识别"
        else:
            which = f"本文件第{page_list(self.pages)}页是扫描图片，其文字由 OCR 识别"
        return DocumentNotice(
            "READ-OCR",
            f"{which}（{self.engine.name}），"
            f"其中{self.uncertain}处识别把握不大（置信度低于{LOW_CONFIDENCE}）；"
            "表格中把握不大的数值已逐格提示，请对照原件核对",
            1,
            info=True,
        )


def page_list(numbers: list[int]) -> str:
    """Page numbers in words: [2, 3, 4, 7] → 「2—4、7」."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return "、".join(str(a) if a == b else f"{a}—{b}" for a, b in spans)


# ---------------------------------------------------------------------------------------------
# One page


def read_page(gray: np.ndarray, number: int, engine: Engine | None = None) -> Page:
    """A page image's text pieces (with their confidence) and ruling lines, in pixels.

    The coordinates are those of the page after scaling down a huge image and straightening
    a skewed one, the same for pieces and rules.
    """
    import cv2
    import numpy as np

    engine = engine or load_engine()
    gray = fit_size(gray, cv2)
    gray, level = clean_page(gray, cv2, np)
    if level is None:
        return Page(number)
    ink = (gray < level).astype(np.uint8)  # unblurred: a thin minus sign stays
    angle = skew_angle(ink, np)
    if abs(angle) >= 0.03:
        gray = rotate(gray, angle, cv2)
        ink = (gray < level).astype(np.uint8)
    char = character_size(ink, cv2, np)
    rules, rule_mask, vertical_mask = ruling_lines(ink, char, cv2, np)
    text = ink & (1 - rule_mask)
    boxes, unit = text_boxes(text, char, vertical_mask, rules, cv2, np)
    if len(boxes) > MAX_TEXT_BOXES:
        raise UnreadableDocument(
            f"第{number}页的扫描图像杂点过多（{len(boxes):,} 处疑似文字，一页表格或正文通常不到 2,000 处），"
            "无法识别；请重新扫描或提供文字版"
        )
    clean = gray.copy()
    clean[rule_mask.astype(bool)] = 255  # ruling lines out of the pictures the model reads
    pieces = recognise(clean, boxes, unit, engine, cv2, np)
    return Page(number, pieces, rules)
