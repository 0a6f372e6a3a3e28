"""Recognition: RapidOCR's PP-OCR recognition model (ONNX, from the wheel) on one core.

The cut-out text boxes are packed side by side into a few long strips, and each recognised
character is given back to its box by its position; a piece keeps the confidence of its least
certain character, and digits are read with their look-alikes (「O」 for 「0」).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai.readers.document import UnreadableDocument
from gongkai.readers.ocr.layout import TextBox
from gongkai.readers.positioned.pieces import Piece

if TYPE_CHECKING:
    import numpy as np

MISSING_EXTRA = (
    "这是扫描件或图片，需要用 OCR 识别文字，但没有安装 OCR 组件；"
    "请运行 pip install 'gongkai[ocr]' 安装后再读取"
)

_REC_HEIGHT = 48  # the recognition model's input height
_STRIP_WIDTH = 1280  # pieces are packed into strips at least this wide (a multiple of 8)
_GAP = 24  # pixels of padding between two pieces in a strip
# The widest piece read, scaled to the model's height: a full line of a page is about 2,500 pixels.
# A noise page (a damaged scan) gave boxes 11,000 pixels wide, and a strip that wide took the model
# past the worker's memory; such a box is a rule or a smear, not text.
_MAX_PIECE_WIDTH = 2 * _STRIP_WIDTH


@dataclass(frozen=True)
class Engine:
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
def load_engine() -> Engine:
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
    return Engine(
        session,
        session.get_inputs()[0].name,
        characters,
        f"RapidOCR {release}，{model.stem}",
        np.array(sorted(index[ch] for ch in _LIKE_VALUE if ch in index)),
        alike,
    )


@dataclass(slots=True)
class _Cut:
    box: TextBox
    line: float  # the height of the line it stands on
    row: int = 0  # its line's number, top down, for the reading order
    start: int = 0  # where it stands in its strip
    end: int = 0
    strip: int = 0


def recognise(
    gray: np.ndarray, boxes: list[TextBox], unit: float, engine: Engine, cv2: Any, np: Any
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
        if scaled_width > _MAX_PIECE_WIDTH:
            continue
        shrink = scaled_width < crop.shape[1]
        images.append(
            cv2.resize(
                crop, (scaled_width, _REC_HEIGHT), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
            )
        )
        cuts.append(_Cut(box, line, int(box.middle // unit)))
    if not cuts:  # every box was a picture, a seal or a rule
        return []
    strips = _pack(cuts, images)  # every cut is placed on its strip before the first is made
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


def _line_heights(boxes: list[TextBox], unit: float, np: Any) -> list[float]:
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


def _pack(cuts: list[_Cut], images: list[np.ndarray]) -> Iterator[np.ndarray]:
    """The pieces in reading order, side by side on strips, normalised as the model's input; each
    strip made when it is read (a noisy page has hundreds, a quarter of a gigabyte as floats).

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
    for row in rows:
        # At least the model's usual 320 pixels: on a shorter strip it mistakes 「0」 for 「o」.
        width = max(320, -(-(cuts[row[-1]].end + _GAP) // 8) * 8)
        strip = np.zeros((_REC_HEIGHT, width), np.float32)
        for index in row:
            strip[:, cuts[index].start : cuts[index].end] = images[index].astype(np.float32) / 127.5 - 1.0
        yield strip


def _decode(
    steps: np.ndarray, cuts: list[tuple[int, _Cut]], engine: Engine, np: Any
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
