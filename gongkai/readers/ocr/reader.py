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
"""

from __future__ import annotations

import functools
import io
import math
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai.readers.document import UNCERTAIN_BELOW, Document, DocumentNotice, UnreadableDocument
from gongkai.readers.positioned.pages import check_page_count, pages_to_document
from gongkai.readers.positioned.pieces import Page, Piece, Rule

if TYPE_CHECKING:
    import numpy as np

MAX_PIXELS = 100_000_000  # per image: an A4 page at 600 dpi is 35 MP; more is a decompression bomb
RENDER_DPI = 200  # scanned PDF pages: enough for 10.5 pt text and for 6 pt table digits
MAX_SIDE = 3600  # larger images (600 dpi scans) are scaled down to about 300 dpi A4 first
# Below this a piece is uncertain: counted in the READ-OCR notice, and its value reported by the
# table reader (the measurements are beside the constant).
LOW_CONFIDENCE = UNCERTAIN_BELOW

MISSING_EXTRA = (
    "这是扫描件或图片，需要用 OCR 识别文字，但没有安装 OCR 组件；"
    "请运行 pip install 'gongkai[ocr]' 安装后再读取"
)

_REC_HEIGHT = 48  # the recognition model's input height
_STRIP_WIDTH = 1280  # pieces are packed into strips at least this wide (a multiple of 8)
_GAP = 24  # pixels of padding between two pieces in a strip


# ---------------------------------------------------------------------------------------------
# Entry points


def image_to_document(data: bytes, name: str = "<image>") -> Document:
    """Paragraphs and tables of a scanned page image (PNG, JPEG; TIFF: every frame a page).

    Raises :class:`UnreadableDocument` for a damaged image, one over :data:`MAX_PIXELS`
    (a decompression bomb) or :data:`~gongkai.readers.positioned.pages.MAX_PAGES`, one with no text, and when the OCR extra
    is not installed.
    """
    image = _open_image(data)  # refused before the engine is loaded, with or without it
    scanner = Scanner()
    return _pages_to_document(_image_frames(image), name, scanner)


def scanned_pdf_to_document(data: bytes, name: str = "<pdf>") -> Document:
    """Paragraphs and tables of a PDF whose pages are pictures (no text layer), by OCR.

    Each page is rendered with PDFium at :data:`RENDER_DPI` (less for an oversized page, so that
    no page exceeds :data:`MAX_PIXELS`). Raises :class:`UnreadableDocument` as
    :func:`image_to_document` does, and for a damaged, encrypted or over-long PDF. A PDF with a
    text layer on some pages is better read by :func:`gongkai.readers.pdf.reader.pdf_to_document`,
    which reads each page by its text layer or, where it has none, by this OCR.
    """
    scanner = Scanner()
    return _pages_to_document(_pdf_frames(data), name, scanner)


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
    :data:`MISSING_EXTRA` when ``gongkai[ocr]`` is not installed.
    """

    def __init__(self) -> None:
        self.engine = _engine()
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
# The recognition engine


@dataclass(frozen=True)
class _Engine:
    session: Any  # onnxruntime.InferenceSession
    input_name: str
    characters: list[str]  # index 0 is the CTC blank
    name: str
    value_classes: Any  # np.ndarray: the classes of digits, signs, points and dashes
    alike: dict[int, Any]  # a digit's or look-alike's class → the classes read as that digit


# Glyphs a value is written with, and those the model may give for the same printed digit.
_VALUE_CHARS = "0123456789０１２３４５６７８９+-−－.．,，"
_LIKE_VALUE = _VALUE_CHARS + "一—–‐·"  # a minus sign or a point the model may see as these
_SAME_VALUE = {"0": "〇○OoＯｏ", "1": "lI|丨ｌＩ"}
_AS_DIGIT = {ch: digit for digit, glyphs in _SAME_VALUE.items() for ch in glyphs}


def _why_not_loaded(exc: ImportError) -> str:
    """The extra is missing, or it is installed but could not load: under a memory limit too small
    for its libraries, the loader says "failed to map segment" (issue 14 §2: that was once
    reported as a missing extra, and sent people to install what they had)."""
    from importlib.util import find_spec

    if any(find_spec(name) is None for name in ("cv2", "onnxruntime", "rapidocr_onnxruntime", "yaml")):
        return MISSING_EXTRA
    if "map segment" in str(exc) or "memory" in str(exc).lower():
        return "OCR 组件已安装，但读取进程的内存上限不够加载它（识别扫描件约需 1 GB），请放宽内存上限"
    return f"OCR 组件已安装，但无法加载（{str(exc)[:200]}）；请重新安装：pip install 'gongkai[ocr]'"


@functools.cache
def _engine() -> _Engine:
    """RapidOCR's recognition model on one core, loaded once per process from the wheel."""
    try:
        import cv2
        import onnxruntime
        import rapidocr_onnxruntime
        import yaml
    except ImportError as exc:
        raise UnreadableDocument(_why_not_loaded(exc)) from None
    from importlib.metadata import PackageNotFoundError, version

    # One core per worker: `gongkai check --jobs N` runs N workers, which must not fight.
    cv2.setNumThreads(1)
    package = Path(rapidocr_onnxruntime.__file__).parent
    config = yaml.safe_load((package / "config.yaml").read_text(encoding="utf-8"))["Rec"]
    model = package / config["model_path"]
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own kinds for a missing or broken model
        raise UnreadableDocument(f"OCR 识别模型无法加载（{model.name}：{type(exc).__name__}）") from None
    keys = session.get_modelmeta().custom_metadata_map.get("character")
    if keys is None and config.get("rec_keys_path"):
        keys = (package / config["rec_keys_path"]).read_text(encoding="utf-8")
    if not keys:
        raise UnreadableDocument("OCR 识别模型缺少字符表，请重新安装：pip install 'gongkai[ocr]'")
    try:
        release = version("rapidocr-onnxruntime")
    except PackageNotFoundError:
        release = "?"
    import numpy as np

    characters = ["", *keys.splitlines(), " "]  # as RapidOCR's CTCLabelDecode: blank first, space last
    index = {ch: i for i, ch in enumerate(characters) if ch}
    alike = {}
    for digit in "0123456789":
        same = {digit, chr(ord(digit) + 0xFEE0), *_SAME_VALUE.get(digit, "")} & index.keys()
        classes = np.array(sorted(index[ch] for ch in same))
        for ch in same:
            alike[index[ch]] = classes
    return _Engine(
        session,
        session.get_inputs()[0].name,
        characters,
        f"RapidOCR {release}，{model.stem}",
        np.array(sorted(index[ch] for ch in _LIKE_VALUE if ch in index)),
        alike,
    )


# ---------------------------------------------------------------------------------------------
# Pages from the file


def _open_image(data: bytes) -> Any:
    """The image opened (its pixels not yet decoded), refusing bombs and damaged files in plain
    words; its frames are checked one by one as they are read (:func:`_image_frames`)."""
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


def _image_frames(image: Any) -> Iterator[np.ndarray]:
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


def _pdf_frames(data: bytes) -> Iterator[np.ndarray]:
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


# ---------------------------------------------------------------------------------------------
# One page


def read_page(gray: np.ndarray, number: int, engine: _Engine | None = None) -> Page:
    """A page image's text pieces (with their confidence) and ruling lines, in pixels.

    The coordinates are those of the page after scaling down a huge image and straightening
    a skewed one, the same for pieces and rules.
    """
    import cv2
    import numpy as np

    engine = engine or _engine()
    gray = _fit(gray, cv2)
    gray, level = _clean(gray, cv2, np)
    if level is None:
        return Page(number)
    ink = (gray < level).astype(np.uint8)  # unblurred: a thin minus sign stays
    angle = _skew(ink, np)
    if abs(angle) >= 0.03:
        gray = _rotate(gray, angle, cv2)
        ink = (gray < level).astype(np.uint8)
    char = _character_size(ink, cv2, np)
    rules, rule_mask, vertical_mask = _rules(ink, char, cv2, np)
    text = ink & (1 - rule_mask)
    boxes, unit = _text_boxes(text, char, vertical_mask, rules, cv2, np)
    clean = gray.copy()
    clean[rule_mask.astype(bool)] = 255  # ruling lines out of the pictures the model reads
    pieces = _recognise(clean, boxes, unit, engine, cv2, np)
    return Page(number, pieces, rules)


def _fit(gray: np.ndarray, cv2: Any) -> np.ndarray:
    height, width = gray.shape[:2]
    if max(height, width) <= MAX_SIDE:
        return gray
    ratio = MAX_SIDE / max(height, width)
    return cv2.resize(gray, (round(width * ratio), round(height * ratio)), interpolation=cv2.INTER_AREA)


def _clean(gray: np.ndarray, cv2: Any, np: Any) -> tuple[np.ndarray, float | None]:
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


def _skew(ink: np.ndarray, np: Any) -> float:
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


def _rotate(gray: np.ndarray, angle: float, cv2: Any) -> np.ndarray:
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(
        gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


# ---------------------------------------------------------------------------------------------
# Ruling lines


def _rules(ink: np.ndarray, char: float, cv2: Any, np: Any) -> tuple[list[Rule], np.ndarray, np.ndarray]:
    """Table rules: long thin runs of ink, as boxes, and masks of them (all, vertical only).

    Horizontal rules are longer than three characters, so no character's stroke is one (and
    no run of strokes: nothing bridges the gap between two characters). A vertical rule may
    be as short as one table row, no longer than a character's stroke, so it is kept only
    where both its ends meet a horizontal rule.
    """
    width = ink.shape[1]
    thick = max(4, round(width / 300), round(0.25 * char))  # a rule is at most ~1 mm thick
    across = max(24, width // 40, round(3 * char))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, across), np.uint8))
    down = max(10, round(0.8 * char))
    vertical = cv2.morphologyEx(
        cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8)),
        cv2.MORPH_OPEN,
        np.ones((down, 1), np.uint8),
    )
    rules: list[Rule] = []
    flats: list[tuple[int, int, int, int]] = []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    keep = np.zeros(count, np.uint8)
    for k in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[k])
        if h <= thick and w >= across:
            flats.append((x, y, x + w, y + h))
            keep[k] = 1
            rules.append(Rule(x, y, x + w, y + h))
    rule_mask = keep[labels]
    reach = thick + 4

    def meets(x: int, y: int) -> bool:
        return any(
            x0 - reach <= x <= x1 + reach and top - reach <= y <= bottom + reach
            for x0, top, x1, bottom in flats
        )

    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    keep = np.zeros(count, np.uint8)
    for k in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[k])
        middle = x + w // 2
        if w <= thick and h >= down and meets(middle, y) and meets(middle, y + h):
            keep[k] = 1
            rules.append(Rule(x, y, x + w, y + h))
    vertical_mask = keep[labels]
    rule_mask |= vertical_mask
    grow = np.ones((3, 3), np.uint8)
    return _aligned(rules, thick), cv2.dilate(rule_mask, grow), cv2.dilate(vertical_mask, grow)


def _aligned(rules: list[Rule], thick: int) -> list[Rule]:
    """Pieces of one straight line (a border broken at each crossing) given one position.

    A scan wobbles by a pixel along a line; positioned.py merges collinear pieces only when
    they stand at nearly the same place, and tells a double border from one line by it.
    """
    out: list[Rule] = []
    for vertical in (False, True):
        group = sorted(
            (r for r in rules if (r.bottom - r.top > r.x1 - r.x0) == vertical),
            key=lambda r: r.x0 + r.x1 if vertical else r.top + r.bottom,
        )
        runs: list[list[Rule]] = []
        for rule in group:
            at = (rule.x0 + rule.x1) / 2 if vertical else (rule.top + rule.bottom) / 2
            if runs:
                last = runs[-1][-1]
                last_at = (last.x0 + last.x1) / 2 if vertical else (last.top + last.bottom) / 2
                if at - last_at <= thick / 2:
                    runs[-1].append(rule)
                    continue
            runs.append([rule])
        for run in runs:
            if vertical:
                x0 = sorted(r.x0 for r in run)[len(run) // 2]
                x1 = sorted(r.x1 for r in run)[len(run) // 2]
                out += [Rule(x0, r.top, x1, r.bottom) for r in run]
            else:
                top = sorted(r.top for r in run)[len(run) // 2]
                bottom = sorted(r.bottom for r in run)[len(run) // 2]
                out += [Rule(r.x0, top, r.x1, bottom) for r in run]
    return out


def _character_size(ink: np.ndarray, cv2: Any, np: Any) -> float:
    """About the height of a character: the tallest quarter of the small blobs of ink.

    Most blobs are whole characters or their left and right parts; tables and pictures are
    the few large ones, left out.
    """
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    small = heights[(heights >= 3) & (heights < ink.shape[0] / 20) & (widths < ink.shape[1] / 20)]
    return float(np.percentile(small, 90)) if small.size else 10.0


# ---------------------------------------------------------------------------------------------
# Text lines


@dataclass(slots=True)
class _Box:
    x0: int
    top: int
    x1: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def _text_boxes(
    text: np.ndarray, char: float, vertical_mask: np.ndarray, rules: list[Rule], cv2: Any, np: Any
) -> tuple[list[_Box], float]:
    """Runs of characters on one line, never across a vertical rule; and the height of a run.

    Characters closer than about one character are one run: the white after a full-width
    「，」 or 「、」 stays inside its line, the gap between two columns of an unruled table does not.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    # Specks of scan noise out; not flat strokes: 一 at 6 pt and 200 dpi is 2 pixels high.
    real = stats[1:, cv2.CC_STAT_AREA] >= 3
    if not real.any():
        return [], 1.0
    unit = char
    keep = np.zeros(count, np.uint8)
    keep[1:][real] = 1
    text = keep[labels]
    gap = max(3, round(0.9 * unit))
    smear = cv2.dilate(text, np.ones((1, gap), np.uint8)) & (1 - vertical_mask)
    count, labels, _, _ = cv2.connectedComponentsWithStats(smear, connectivity=8)
    ys, xs = np.nonzero(text)
    owner = labels[ys, xs]
    x0 = np.full(count, 1 << 30)
    top = np.full(count, 1 << 30)
    x1 = np.full(count, -1)
    bottom = np.full(count, -1)
    np.minimum.at(x0, owner, xs)
    np.minimum.at(top, owner, ys)
    np.maximum.at(x1, owner, xs + 1)
    np.maximum.at(bottom, owner, ys + 1)
    boxes = [_Box(int(x0[k]), int(top[k]), int(x1[k]), int(bottom[k])) for k in range(1, count) if x1[k] > 0]
    boxes = _join_stacked(boxes, unit, rules)
    heights_of_runs = [b.height for b in boxes if b.height >= 0.5 * unit]
    if heights_of_runs:
        unit = float(np.median(heights_of_runs))
    return boxes, unit


def _join_stacked(boxes: list[_Box], unit: float, rules: list[Rule]) -> list[_Box]:
    """Parts of one character above each other (二, 三, ：, 「」 marks) are one box.

    Two boxes are joined when one stands over the other and together they are no taller than
    a character, with no horizontal rule between them.
    """
    boxes = sorted(boxes, key=lambda b: b.top)
    merged = True
    while merged:
        merged = False
        out: list[_Box] = []
        for box in boxes:
            for other in reversed(out[-40:]):
                overlap = min(box.x1, other.x1) - max(box.x0, other.x0)
                if overlap <= 0.5 * min(box.x1 - box.x0, other.x1 - other.x0):
                    continue
                top, bottom = min(box.top, other.top), max(box.bottom, other.bottom)
                if bottom - top > 1.25 * unit or _ruled_between(other, box, rules):
                    continue
                other.x0, other.x1 = min(box.x0, other.x0), max(box.x1, other.x1)
                other.top, other.bottom = top, bottom
                merged = True
                break
            else:
                out.append(box)
        boxes = sorted(out, key=lambda b: b.top)
    return boxes


def _ruled_between(upper: _Box, lower: _Box, rules: list[Rule]) -> bool:
    a, b = sorted((upper, lower), key=lambda box: box.top)
    x = (max(a.x0, b.x0) + min(a.x1, b.x1)) / 2
    return any(
        r.x1 - r.x0 > r.bottom - r.top
        and r.x0 <= x <= r.x1
        and a.middle <= (r.top + r.bottom) / 2 <= b.middle
        for r in rules
    )


# ---------------------------------------------------------------------------------------------
# Recognition


@dataclass(slots=True)
class _Cut:
    box: _Box
    line: float  # the height of the line it stands on
    row: int = 0  # its line's number, top down, for the reading order
    start: int = 0  # where it stands in its strip
    end: int = 0
    strip: int = 0


def _recognise(
    gray: np.ndarray, boxes: list[_Box], unit: float, engine: _Engine, cv2: Any, np: Any
) -> list[Piece]:
    """Read every box: pieces cut out, scaled to the model's height, packed into strips.

    A box with ink the model reads as nothing is kept with no text and confidence 0: an
    empty value cell that was not empty on paper must be reported, not left blank.
    """
    if not boxes:
        return []
    height, width = gray.shape
    cuts: list[_Cut] = []
    images: list[np.ndarray] = []
    for box, line in zip(boxes, _line_heights(boxes, unit, np), strict=True):
        if box.height > 3 * unit:  # a picture or a seal, not a line of text
            continue
        # The line's height with 20 % above and below, a sliver left and right, as the
        # model's training crops: it tells 「0」 from 「o」 by the glyph's height in the crop.
        half = 0.7 * line
        top = max(0, math.floor(box.middle - half))
        bottom = min(height, math.ceil(box.middle + half))
        left = max(0, box.x0 - round(0.1 * line))
        right = min(width, box.x1 + round(0.1 * line))
        crop = gray[top:bottom, left:right]
        if crop.size == 0:
            continue
        scaled_width = max(8, round((right - left) * _REC_HEIGHT / (bottom - top)))
        shrink = scaled_width < crop.shape[1]
        images.append(
            cv2.resize(
                crop, (scaled_width, _REC_HEIGHT), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
            )
        )
        cuts.append(_Cut(box, line, int(box.middle // unit)))
    strips = _pack(cuts, images)
    readings: dict[int, tuple[str, float]] = {}
    for number, strip in enumerate(strips):
        # One strip a run: batching gains nothing on one core and pads to the widest strip.
        batch = np.ascontiguousarray(np.broadcast_to(strip, (1, 3, *strip.shape)))
        steps = engine.session.run(None, {engine.input_name: batch})[0][0]
        readings.update(_decode(steps, [(i, c) for i, c in enumerate(cuts) if c.strip == number], engine, np))
    pieces = []
    for index, cut in enumerate(cuts):
        text, confidence = readings.get(index, ("", 0.0))
        box = cut.box
        if not text and max(box.height, box.x1 - box.x0) < 0.25 * unit:
            continue  # a speck, not a character the model missed
        pieces.append(
            Piece(
                text,
                float(box.x0),
                box.middle - cut.line / 2,
                float(box.x1),
                box.middle + cut.line / 2,
                confidence,
            )
        )
    return pieces


def _line_heights(boxes: list[_Box], unit: float, np: Any) -> list[float]:
    """For each run, the tallest run beside it on its line, so that a lone digit is cut out
    with its label's height (the model tells 「0」 from 「o」 by the height); a run with no
    character-sized neighbour (a lone 「一」 or 「—」) gets the page's character height."""
    tops = np.array([b.top for b in boxes], np.float64)
    bottoms = np.array([b.bottom for b in boxes], np.float64)
    middles = (tops + bottoms) / 2
    heights = np.where(bottoms - tops <= 1.6 * unit, bottoms - tops, 0)
    out = []
    for box in boxes:
        beside = ((tops <= box.middle) & (box.middle <= bottoms)) | (
            (box.top <= middles) & (middles <= box.bottom)
        )
        tallest = float(heights[beside].max(initial=0))
        out.append(max(float(box.height), tallest if tallest >= 0.5 * unit else unit))
    return out


def _pack(cuts: list[_Cut], images: list[np.ndarray]) -> list[np.ndarray]:
    """The pieces in reading order, side by side on strips, normalised as the model's input.

    Reading order matters: the model judges a glyph against the others in its strip, and a
    strip of lone digits reads as 「o」 or 「。」 where the same digits beside their row's label
    read as 「0」. Between pieces and after the last is the padding the model was trained with
    (0 after normalising, a mid grey): white there reads as part of the glyph before it
    (a lone 「0」 followed by white is 「。」).
    """
    import numpy as np

    limit = max(_STRIP_WIDTH, *(img.shape[1] for img in images))
    rows: list[list[int]] = [[]]
    used = 0
    for index in sorted(range(len(images)), key=lambda i: (cuts[i].row, cuts[i].box.x0)):
        image = images[index]
        if rows[-1] and used + image.shape[1] > limit:
            rows.append([])
            used = 0
        cut = cuts[index]
        cut.strip, cut.start, cut.end = len(rows) - 1, used, used + image.shape[1]
        rows[-1].append(index)
        used = cut.end + _GAP
    strips = []
    for row in rows:
        # At least the model's usual 320 pixels: on a shorter strip it mistakes 「0」 for 「o」.
        width = max(320, -(-(cuts[row[-1]].end + _GAP) // 8) * 8)
        strip = np.zeros((_REC_HEIGHT, width), np.float32)
        for index in row:
            strip[:, cuts[index].start : cuts[index].end] = images[index].astype(np.float32) / 127.5 - 1.0
        strips.append(strip)
    return strips


def _decode(
    steps: np.ndarray, cuts: list[tuple[int, _Cut]], engine: _Engine, np: Any
) -> dict[int, tuple[str, float]]:
    """One strip's CTC output as each piece's text and confidence.

    Runs of one class are one character, given to the piece it stands over. A character's
    confidence is its probability at its run's peak, counting the glyphs that read as the
    same value (「0」 「O」 「〇」 are one round glyph: the model hesitating between them is no
    doubt about the value). A piece's confidence is its least sure character's; a number's is
    lower still where, between its characters, a digit or sign nearly showed: a faint minus
    sign the model dropped must not pass as a sure 「3」 for 「-3」.
    """
    best = steps.argmax(axis=1)
    scale = 8  # the model gives one step per 8 pixels of width
    found: dict[int, list[tuple[str, float]]] = {i: [] for i, _ in cuts}
    t = 0
    while t < len(best):
        k = int(best[t])
        end = t
        while end + 1 < len(best) and best[end + 1] == k:
            end += 1
        if k:
            x = (t + end + 1) / 2 * scale
            owner = next((i for i, c in cuts if c.start - _GAP / 2 <= x <= c.end + _GAP / 2), None)
            if owner is not None and k < len(engine.characters):
                peak = t + int(steps[t : end + 1, k].argmax())
                alike = engine.alike.get(k)
                p = float(steps[peak, alike].sum()) if alike is not None else float(steps[peak, k])
                found[owner].append((engine.characters[k], min(p, 1.0)))
        t = end + 1
    # How likely each step holds a value's glyph (a digit, sign, point or a dash like them).
    valueish = steps[:, engine.value_classes].sum(axis=1)
    out: dict[int, tuple[str, float]] = {}
    for index, cut in cuts:
        chars = [(ch, p) for ch, p in found[index] if ch != " "]
        if not chars:
            out[index] = ("", 0.0)
            continue
        text = _as_number("".join(ch for ch, _ in chars))
        confidence = min(p for _, p in chars)
        if all(ch in _VALUE_CHARS for ch in text):
            confidence = min(confidence, 1.0 - _missed(best, valueish, cut, scale))
        out[index] = (text, round(confidence, 4))
    return out


def _missed(best: np.ndarray, valueish: np.ndarray, cut: _Cut, scale: int) -> float:
    """The chance that a value's glyph stands unread in a blank stretch of the piece: one minus
    the chance that none of the stretch's steps holds one (a faint 「-」 at 0.14 and 0.19 on two
    steps is a 0.3 chance of a minus sign)."""
    worst = 0.0
    none = 1.0
    for t in range(cut.start // scale, -(-cut.end // scale)):
        if best[t] == 0:
            none *= 1.0 - min(float(valueish[t]), 1.0)
            worst = max(worst, 1.0 - none)
        else:
            none = 1.0
    return worst


def _as_number(text: str) -> str:
    """A piece that is a number but for a round glyph (「〇」 「O」) or, beside real digits, an
    upright stroke (「l」 「|」), written with digits.

    The model hesitates between such glyphs for a printed 「0」 (see _SAME_VALUE); their summed
    probability is the piece's confidence, so a doubtful one is still reported. A lone stroke
    stays as read: it may be what is left of a ruling line, not a 「1」.
    """
    if not all(ch in _VALUE_CHARS or ch in _AS_DIGIT for ch in text):
        return text
    if not any(ch.isdigit() for ch in text):
        return "".join(_AS_DIGIT[ch] if _AS_DIGIT.get(ch) == "0" else ch for ch in text)
    return "".join(_AS_DIGIT.get(ch, ch) for ch in text)
