"""Bytes → text for plain-text reports: UTF-8 (with or without BOM), GB18030/GBK, UTF-16."""

from __future__ import annotations

import codecs
import re

from gongkai.readers.document import DocumentNotice, UnreadableDocument

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# A UTF-8 report with a few invalid bytes (a truncated character, one byte garbled in a copy) is
# still UTF-8: read it with the bytes replaced, at most this many places, and say where (issue 14).
MAX_BAD_UTF8_PLACES = 8


def decode_text_noting(data: bytes) -> tuple[str, list[DocumentNotice]]:
    """The text of a report and what decoding it assumed (READ-ENCODING: bytes replaced, where).

    Raises :class:`UnreadableDocument` for binary or empty input.
    """
    text = _decode(data)
    if text is not None:
        return text, []
    nearly = _nearly_utf8(data)
    if nearly is not None:
        text, places = nearly
        lines = sorted({data.count(b"\n", 0, place) + 1 for place in places})
        where = "、".join(f"第{line}行" for line in lines)
        message = (
            f"文件按 UTF-8 读取，但{where}有{len(places)}处字节不是有效的 UTF-8，已替换为「\ufffd」；"
            "请核对原文这几处的文字"
        )
        return _checked(text), [DocumentNotice("READ-ENCODING", message, lines[0], info=False)]
    return _fallback(data), []


def _nearly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """UTF-8 with a few invalid bytes: the text (each replaced) and their byte offsets; else None."""
    parts: list[str] = []
    places: list[int] = []
    pos = 0
    while True:
        try:
            parts.append(data[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            if len(places) == MAX_BAD_UTF8_PLACES:
                return None
            parts.append(data[pos : pos + exc.start].decode("utf-8"))
            parts.append("\ufffd")
            places.append(pos + exc.start)
            pos += exc.end
    text = "".join(parts)
    # GBK text fails as UTF-8 at almost every Chinese character: real UTF-8 has many good ones.
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - len(places)
    return (text, places) if wide >= 20 * len(places) else None


def _decode(data: bytes) -> str | None:
    """The text when its encoding is certain (a BOM, UTF-16, strict UTF-8); None otherwise."""
    if not data.strip():
        raise UnreadableDocument("文件是空的")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    # UTF-16 without BOM: every other byte is NUL for the ASCII part of the text.
    if b"\x00" in data and data.count(b"\x00") > len(data) // 4:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                return _checked(data.decode(encoding))
            except (UnicodeDecodeError, UnreadableDocument):
                continue
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # In UTF-8 every byte below 0x80 is an ASCII character: the controls are counted in the bytes,
    # several times faster than in the text.
    return _checked(text, len(data) - len(data.translate(None, _CONTROL_BYTES)))


def _fallback(data: bytes) -> str:
    """GB18030, else what charset detection finds."""
    try:
        return _checked(data.decode("gb18030"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported here: most reports are UTF-8 or GB18030

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument("不是可识别编码的文本（可能是二进制文件）")
    return _checked(str(best))


_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f]")  # C0 controls other than whitespace
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])  # the same, as bytes


def _checked(text: str, controls: int | None = None) -> str:
    """``text``, unless it holds many controls or replaced characters (``controls``: their count, if known)."""
    if controls is None:
        controls = len(_CONTROL_RE.findall(text))
    if controls > max(8, len(text) // 100) or text.count("\ufffd") > max(8, len(text) // 100):
        raise UnreadableDocument("内容含大量控制字符或乱码，不是文本报告（可能是二进制文件）")
    return text
