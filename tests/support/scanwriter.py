"""Reports as scans (for the OCR tests): PDF pages rendered to pictures, with or without scan noise.

The pages come from :func:`support.htmlwriter.write_pdf` with its CJK font embedded (WenQuanYi
Micro Hei, :data:`support.htmlwriter.CJK_FONT_FILE`), rendered by PDFium: with the font named
but not embedded (STSong-Light), PDFium draws the characters only when a CJK font is installed
to stand in, so the embedded font is what makes the pictures the same on every machine.
「Scan noise」 is what a flatbed scanner and a JPEG do to a page: a slight rotation, blur, grey
paper and ink, grain and compression.
"""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageChops, ImageFilter

from support.htmlwriter import CJK_FONT_FILE, write_pdf

DPI = 200  # a common office scan


def has_cjk_font() -> bool:
    """Whether the pages can be drawn with their Chinese characters on this machine."""
    return CJK_FONT_FILE.exists()


def render_pdf(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Each page of a PDF as a greyscale picture."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))
        ]
    finally:
        document.close()


def report_pages(report: Any, dpi: int = DPI) -> list[Image.Image]:
    """A report's pages, clean, as a scanner at ``dpi`` would see a printout."""
    return render_pdf(write_pdf(report, embed_font=True), dpi)


def add_scan_noise(page: Image.Image, seed: int = 0, angle: float | None = None) -> Image.Image:
    """The page as scanned: turned by up to 0.5° (``angle`` fixes it), blurred, on grey paper,
    with grain, through JPEG at quality 70."""
    rng = random.Random(seed)
    turn = rng.uniform(-0.5, 0.5) if angle is None else angle
    out = page.rotate(turn, resample=Image.Resampling.BICUBIC, fillcolor=255)
    out = out.filter(ImageFilter.GaussianBlur(0.7))
    paper, ink = rng.randint(215, 235), rng.randint(25, 60)
    out = out.point(lambda v: ink + v * (paper - ink) // 255)
    # Grain of ±8 levels, from the seed (PIL's effect_noise would differ on every run).
    grain = Image.frombytes("L", out.size, rng.randbytes(out.width * out.height)).point(lambda v: v // 16)
    out = ImageChops.add(out, grain, scale=1.0, offset=-8)
    return Image.open(io.BytesIO(to_jpeg(out, quality=70))).convert("L")


def to_png(page: Image.Image) -> bytes:
    """The page as a PNG file."""
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def to_jpeg(page: Image.Image, quality: int = 85) -> bytes:
    """The page as a JPEG file."""
    out = io.BytesIO()
    page.save(out, "JPEG", quality=quality)
    return out.getvalue()


def to_tiff(pages: list[Image.Image]) -> bytes:
    """The pages as one multi-page TIFF (as a scanner's document feeder saves them)."""
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return out.getvalue()


def to_image_pdf(pages: list[Image.Image], dpi: int = DPI) -> bytes:
    """The pages as a PDF of pictures only, no text layer (what a scan-to-PDF gives)."""
    out = io.BytesIO()
    # Copies: PIL leaves the PDF's encoder settings on appended pages, and a later TIFF save of
    # the same pages then fails inside libtiff.
    pages = [page.copy() for page in pages]
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def mix_pdf(text_pdf: bytes, image_pdf: bytes, scanned: set[int]) -> bytes:
    """One PDF of both: page *n* (0-based) from ``image_pdf`` when *n* is in ``scanned``, else
    from ``text_pdf`` (a report whose cover was typed and whose tables were scanned)."""
    import pypdfium2 as pdfium

    text, image = pdfium.PdfDocument(text_pdf), pdfium.PdfDocument(image_pdf)
    out = pdfium.PdfDocument.new()
    try:
        for n in range(len(text)):
            out.import_pages(image if n in scanned else text, pages=[n], index=n)
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        for document in (out, text, image):
            document.close()


def stamp_pdf(pdf: bytes, words: str = "- {n} -") -> bytes:
    """Every page with a line of real text at its foot, in Helvetica (as a portal adds page
    numbers or 「公开」 to a scanned PDF); ``{n}`` is the page number."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(pdf)
    try:
        for n in range(len(document)):
            page = document[n]
            obj = pdfium_c.FPDFPageObj_NewTextObj(document.raw, b"Helvetica", 10.0)
            encoded = (words.format(n=n + 1) + "\0").encode("utf-16-le")
            pdfium_c.FPDFText_SetText(
                obj, ctypes.cast(ctypes.c_char_p(encoded), ctypes.POINTER(ctypes.c_ushort))
            )
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, page.get_width() / 2, 20)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
            pdfium_c.FPDFPage_GenerateContent(page.raw)
            page.close()
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    finally:
        document.close()
