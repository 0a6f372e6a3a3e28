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
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()
