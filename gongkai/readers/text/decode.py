"""Bytes → text for plain-text reports: UTF-8 (with or without BOM), GB18030/GBK, UTF-16."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from gongkai.readers.document import UnreadableDocument

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """Decode a text report; raise :class:`UnreadableDocument` for binary or empty input."""
    if not data.strip():
        raise UnreadableDocument("文件是空的")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    # UTF-16 without BOM: every other byte is NUL for the ASCII part of the text.
    if data.count(b"\x00") > len(data) // 4:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                return _checked(data.decode(encoding))
            except (UnicodeDecodeError, UnreadableDocument):
                continue
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument("不是可识别编码的文本（可能是二进制文件）")
    return _checked(str(best))


_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f]")  # C0 controls other than whitespace


def _checked(text: str) -> str:
    controls = len(_CONTROL_RE.findall(text))
    if controls > max(8, len(text) // 100) or text.count("\ufffd") > max(8, len(text) // 100):
        raise UnreadableDocument("内容含大量控制字符或乱码，不是文本报告（可能是二进制文件）")
    return text
