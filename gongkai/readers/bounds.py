"""Limits on what a reader builds from one file: XML elements parsed, table cells expanded.

A small file can ask for a huge structure: a 300 KB DOCX whose ``document.xml`` inflates to
tens of millions of empty paragraphs, a 100 KB page of cells with ``rowspan="200"
colspan="200"``. Readers count before they build and refuse (:class:`UnreadableDocument`)
far above any real report and far below what would exhaust memory (issue 14). A report's
three tables hold about 1,000 cells; its DOCX body has 10,000–100,000 elements.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass

from gongkai.readers.document import UnreadableDocument

# One XML part of a package (a DOCX body, an OFD page): a lxml tree costs ~200 bytes an element.
MAX_XML_ELEMENTS = 1_000_000
# One table once merged cells are expanded, as the text and XLSX readers count it.
MAX_TABLE_CELLS = 20_000
# All tables of one document together: many tables each under the limit still add up.
MAX_DOCUMENT_CELLS = 200_000
_CHUNK_BYTES = 1024 * 1024
# What opening or inflating a damaged ZIP package raises: a broken directory or local header
# (BadZipFile, ValueError, OSError), a broken deflate stream (zlib.error, EOFError), an encrypted
# member (RuntimeError) or an unknown compression method (NotImplementedError, a RuntimeError). One
# list for every package reader: the fuzzer found each reader missing a different one.
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)


def count_tags(markup: str) -> int:
    """How many elements markup can open at most: its ``<`` that do not start an end tag.

    A ``<`` in text counts too: this bounds the parser's tree from above, cheaply, before it
    is built (the parser adds only a few implied elements, ``html`` and ``body``).

    >>> count_tags("<p>a<b>b</b></p><br/>")
    3
    """
    return markup.count("<") - markup.count("</")


def check_part_elements(archive: zipfile.ZipFile, member: str, what: str) -> None:
    """Refuse an XML part with more than :data:`MAX_XML_ELEMENTS` elements, before it is parsed.

    The part is inflated a chunk at a time and its tags counted (as :func:`count_tags`), so a
    part of tens of millions of empty elements is refused after its first few megabytes,
    never held whole. ``what`` names the part in the message (「DOCX 正文」).
    """
    tags = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            # A 「</」 split between two chunks is counted as an element: one too many, harmless.
            tags += chunk.count(b"<") - chunk.count(b"</")
            if tags > MAX_XML_ELEMENTS:
                raise UnreadableDocument(
                    f"{what}（{member}）的 XML 元素超过{MAX_XML_ELEMENTS:,}个，"
                    "远多于任何年度报告（可能是恶意构造的文件），已拒绝读取"
                )


# The longest stretch of an XML part without a 「<」 or without a 「>」. Python 3.11's expat (2.5)
# parses a token again from its start on every 16 KB openpyxl feeds it (CVE-2023-52425), so one
# tag of 48 MB of spaces took minutes; no tag, text or attribute Excel or WPS writes is near this.
MAX_MARKUP_RUN_BYTES = 1024 * 1024


@dataclass
class MarkupRuns:
    """Stretches without 「<」 and without 「>」 in an XML part fed a chunk at a time.

    Every token expat must see whole (a tag with its attributes, a comment, a CDATA section)
    lies inside such a stretch, unless it holds both characters (a comment or CDATA section of
    「<>」, which nothing writes and the time limit still stops). Counting is C-speed ``find``
    calls per chunk, nothing per tag.
    """

    since_open: int = 0
    since_close: int = 0

    def too_long(self, chunk: bytes) -> bool:
        """Feed the next chunk; whether a stretch has now passed :data:`MAX_MARKUP_RUN_BYTES`."""
        for start in range(0, len(chunk), MAX_MARKUP_RUN_BYTES):  # a stretch inside one piece fits
            piece = chunk[start : start + MAX_MARKUP_RUN_BYTES]
            self.since_open = _run(piece, b"<", self.since_open)
            self.since_close = _run(piece, b">", self.since_close)
            if max(self.since_open, self.since_close) > MAX_MARKUP_RUN_BYTES:
                return True
        return False


def _run(piece: bytes, mark: bytes, before: int) -> int:
    """The stretch without ``mark`` at the end of ``piece``; one past the limit is kept as it is."""
    first = piece.find(mark)
    if first < 0:
        return before + len(piece)
    if before + first > MAX_MARKUP_RUN_BYTES:
        return before + first
    return len(piece) - piece.rfind(mark) - 1


@dataclass
class CellBudget:
    """Table cells a reader may still build for one document, merged cells expanded."""

    left: int = MAX_DOCUMENT_CELLS

    def spend(self, count: int, in_table: int, where: str) -> int:
        """Take ``count`` cells for the table ``where`` names (「网页第3行起的表格」), which has
        ``in_table`` so far; returns its new count, or refuses the document past a limit."""
        in_table += count
        self.left -= count
        if in_table > MAX_TABLE_CELLS:
            raise UnreadableDocument(
                f"{where}超过{MAX_TABLE_CELLS:,}个单元格（合并单元格展开后），不是年度报告的统计表；"
                "可能是合并行数、列数（rowspan、colspan、gridSpan）异常的文件"
            )
        if self.left < 0:
            raise UnreadableDocument(
                f"文件中的表格合计超过{MAX_DOCUMENT_CELLS:,}个单元格（合并单元格展开后），"
                "远多于任何年度报告，已拒绝读取"
            )
        return in_table


def damage(exc: BaseException) -> str:
    """What is wrong with a damaged package, in plain words rather than the name of the exception
    the zip or XML library raised (the fuzzer found messages ending 「（ValueError）」)."""
    position = getattr(exc, "position", None)  # ElementTree's ParseError and lxml's XMLSyntaxError
    if isinstance(exc, SyntaxError) and position:
        return f"XML 第{position[0]}行第{position[1]}列有误"
    if isinstance(exc, zipfile.BadZipFile):
        return "不是完整的 ZIP 包"
    if isinstance(exc, NotImplementedError):
        return "使用了不支持的压缩方式"
    if isinstance(exc, KeyError):
        return "缺少必需的部分"
    if isinstance(exc, EOFError) or type(exc).__name__ == "error":  # zlib.error
        return "压缩数据损坏或被截断"
    if isinstance(exc, ValueError | OverflowError | IndexError | TypeError):
        return "包内的目录或数据有误"
    return "内容有误"
