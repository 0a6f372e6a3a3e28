"""Image preparation: a file's pages as grey pixels, cleaned and straightened for OCR.

Images (PNG, JPEG; each frame of a TIFF) and image-only PDF pages (rendered with PDFium) are
opened with their bombs refused in plain words, turned to 8-bit grey, scaled down when huge,
contrast-stretched and deskewed. Nothing here recognises text (:mod:`.recognition` does).
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gongkai.readers.document import UnreadableDocument
from gongkai.readers.positioned.pages import check_page_count

if TYPE_CHECKING:
    import numpy as np

MAX_PIXELS = 100_000_000  # per image: an A4 page at 600 dpi is 35 MP; more is a decompression bomb
RENDER_DPI = 200  # scanned PDF pages: enough for 10.5 pt text and for 6 pt table digits
MAX_SIDE = 3600  # larger images (600 dpi scans) are scaled down to about 300 dpi A4 first


def open_image(data: bytes) -> Any:
    """The image opened (its pixels not yet decoded), refusing bombs and damaged files in plain
    words; its frames are checked one by one as they are read (:func:`image_frames`)."""
    from PIL import Image, UnidentifiedImageError

    # PIL warns above MAX_IMAGE_PIXELS and refuses above twice that; both are refusals here.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            count = getattr(image, "n_frames", 1)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UnreadableDocument(_too_large()) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise UnreadableDocument("图片文件已损坏或格式不受支持，无法打开") from None
    check_page_count(count, "图片")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnreadableDocument(_too_large(width, height))
    return image


def image_frames(image: Any) -> Iterator[np.ndarray]:
    """Each frame of an opened image as 8-bit grey."""
    import numpy as np
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        for index in range(getattr(image, "n_frames", 1)):
            try:
                image.seek(index)
                width, height = image.size  # a TIFF's frames each have their own size
                if width * height > MAX_PIXELS:
                    raise UnreadableDocument(_too_large(width, height))
                frame = ImageOps.exif_transpose(image) if index == 0 else image  # a phone's photo
                gray = _to_gray(frame, np)
            except UnreadableDocument:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise UnreadableDocument(_too_large()) from None
            except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
                raise UnreadableDocument(f"图片第{index + 1}页已损坏或被截断，无法读取") from None
            yield gray


def _to_gray(frame: Any, np: Any) -> np.ndarray:
    """8-bit grey; transparency over white; 16-bit and float pictures scaled, not clipped."""
    if frame.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(frame, dtype=np.float32)
        top = float(values.max()) or 1.0
        return np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        from PIL import Image

        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba)
    return np.asarray(frame.convert("L"))


def _too_large(width: int | None = None, height: int | None = None) -> str:
    size = f"（{width}×{height}像素）" if width and height else ""
    return f"图片过大{size}，超过{MAX_PIXELS // 1_000_000}兆像素的上限，可能是恶意构造的文件"


def pdf_frames(data: bytes) -> Iterator[np.ndarray]:
    """Each PDF page rendered to grey pixels."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise UnreadableDocument("PDF 文件已损坏、被截断或已加密，无法打开") from None
    try:
        count = len(pdf)
        check_page_count(count, "PDF ")
        for index in range(count):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                raise UnreadableDocument(f"PDF 第{index + 1}页已损坏，无法读取") from None
            try:
                gray = render_pdf_page(page)
            finally:
                page.close()
            yield gray
    finally:
        pdf.close()


def render_pdf_page(page: Any) -> np.ndarray:
    """A PDF page (a ``pypdfium2.PdfPage``) rendered to grey pixels at :data:`RENDER_DPI`."""
    import numpy as np

    width, height = page.get_size()
    scale = RENDER_DPI / 72
    if width * height * scale * scale > MAX_PIXELS:  # a poster-sized page
        scale = math.sqrt(MAX_PIXELS / max(width * height, 1.0)) * 0.99
    bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True)
    try:
        pixels = bitmap.to_numpy()
        # A copy: the bitmap's memory is freed with it.
        return np.array(pixels[:, :, 0] if pixels.ndim == 3 else pixels)
    finally:
        bitmap.close()


def fit_size(gray: np.ndarray, cv2: Any) -> np.ndarray:
    height, width = gray.shape[:2]
    if max(height, width) <= MAX_SIDE:
        return gray
    ratio = MAX_SIDE / max(height, width)
    return cv2.resize(gray, (round(width * ratio), round(height * ratio)), interpolation=cv2.INTER_AREA)


def clean_page(gray: np.ndarray, cv2: Any, np: Any) -> tuple[np.ndarray, float | None]:
    """The page stretched to white paper (255) and black ink (0), and the grey level below
    which a pixel is ink (Otsu's).

    A scan's grey paper and faded ink would otherwise put a visible edge around each piece
    cut out for the model. ``None`` for an empty page (no two levels to tell apart).
    """
    if gray.size == 0 or min(gray.shape[:2]) < 8:
        return gray, None
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    threshold, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = smooth < threshold
    if not dark.any() or dark.all():
        return gray, None
    paper = float(np.percentile(smooth[~dark], 50))
    ink = float(np.percentile(smooth[dark], 10))
    if paper - ink < 48:  # a blank or a flat picture: nothing printed on it
        return gray, None
    scale = 255.0 / (paper - ink)
    lut = np.clip((np.arange(256, dtype=np.float32) - ink) * scale, 0, 255).astype(np.uint8)
    stretched = cv2.LUT(gray, lut)
    return stretched, min((threshold - ink) * scale, 160.0)


def skew_angle(ink: np.ndarray, np: Any) -> float:
    """The page's rotation in degrees (within ±3°), where its rows of ink line up sharpest.

    Each ink pixel's row after turning the page by a is y·cos a − x·sin a (as OpenCV turns
    it): no image is resampled, so a tenth of a degree still shows.
    """
    ys, xs = np.nonzero(ink)
    if ys.size < 100:
        return 0.0
    step = max(1, ys.size // 300_000)
    ys, xs = ys[::step].astype(np.float64), xs[::step].astype(np.float64)

    def sharpness(angle: float) -> float:
        a = math.radians(angle)
        rows = np.rint(ys * math.cos(a) - xs * math.sin(a)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    best = max((a / 4 for a in range(-12, 13)), key=sharpness)
    return max((best + a / 50 for a in range(-12, 13)), key=sharpness)


def rotate(gray: np.ndarray, angle: float, cv2: Any) -> np.ndarray:
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(
        gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
