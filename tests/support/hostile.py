"""Small hostile files that ask a reader for a huge structure (issue 14 §7), built in code.

Each builder returns a file's bytes: a few hundred KB at most on disk, but millions of
elements, paragraphs or table cells once parsed or expanded. Used by
tests/readers/test_reader_bounds_issue_14.py and bench/hostile_memory.py.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_OFD = "http://www.ofdspec.org/2016"
_WRITE_BYTES = 1024 * 1024


def _package(members: dict[str, bytes], big: str, head: bytes, unit: bytes, count: int, tail: bytes) -> bytes:
    """A zip of ``members`` plus ``big``: ``head``, ``count`` times ``unit``, ``tail``, written in
    pieces so that the inflated part is never held whole here either."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with archive.open(big, "w") as stream:
            stream.write(head)
            per_write = max(1, _WRITE_BYTES // len(unit))
            piece = unit * per_write
            for _ in range(count // per_write):
                stream.write(piece)
            stream.write(unit * (count % per_write))
            stream.write(tail)
    return out.getvalue()


def html_deep_spans(depth: int = 100_000) -> bytes:
    """A page of ``<span>`` nested ``depth`` deep (libxml2 stops nesting at 256 levels)."""
    return ("<html><body>" + "<span>" * depth + "年度报告" + "</span>" * depth + "</body></html>").encode()


def html_wide_spans(nests: int = 30, depth: int = 250) -> bytes:
    """Many side-by-side nestings of ``<span>``, each just under libxml2's depth limit."""
    nest = "<span>" * depth + "x" + "</span>" * depth
    return ("<html><body><p>" + nest * nests + "</p></body></html>").encode()


def html_paragraphs(count: int = 1_000_000) -> bytes:
    """A page (4 MB, under the text limit) of a million one-character paragraphs."""
    return ("<html><body>" + "<p>x" * count + "</body></html>").encode()


def html_span_grid(rows: int = 3_000) -> bytes:
    """One table whose every cell spans 10^9 columns and 65,534 rows (clamped to 200 each):
    each row starts right of the rows still covered from above, so rows grow ever wider."""
    row = '<tr><td colspan="1000000000" rowspan="65534">1</td></tr>'
    return ("<html><body><table>" + row * rows + "</table></body></html>").encode()


def html_span_tables(tables: int = 1_000) -> bytes:
    """Many small tables, each one cell spanning 200 columns and 100 rows over 99 empty rows:
    each table just under the limit of one (20,000 cells), together 20 million cells."""
    table = '<table><tr><td colspan="200" rowspan="100">1</td></tr>' + "<tr>" * 99 + "</table>"
    return ("<html><body>" + table * tables + "</body></html>").encode()


def docx_paragraphs(count: int = 20_000_000) -> bytes:
    """A DOCX whose body is ``count`` empty paragraphs (6 bytes each, under the unpacked cap)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>'.encode()
    return _package({}, "word/document.xml", head, b"<w:p/>", count, b"</w:body></w:document>")


def docx_grid_spans(cells: int = 200_000) -> bytes:
    """A DOCX table of ``cells`` cells each spanning 64 columns (Word's cap is 63), 1,000 a row."""
    cell = b'<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr></w:tc>'
    row = b"<w:tr>" + cell * 1_000 + b"</w:tr>"
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body><w:tbl>'.encode()
    return _package({}, "word/document.xml", head, row, cells // 1_000, b"</w:tbl></w:body></w:document>")


def ofd_elements(count: int = 20_000_000) -> bytes:
    """An OFD whose one page is ``count`` empty elements in its layer."""
    ofd = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{_OFD}" Version="1.0" DocType="OFD">'
        "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{_OFD}"><ofd:CommonData>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>"
        '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>'
    )
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{_OFD}">'
        '<ofd:Content><ofd:Layer ID="1" Type="Body">'
    ).encode()
    members = {"OFD.xml": ofd.encode(), "Doc_0/Document.xml": document.encode()}
    tail = b"</ofd:Layer></ofd:Content></ofd:Page>"
    return _package(members, "Doc_0/Pages/Page_0/Content.xml", head, b"<a/>", count, tail)


def pdf_chars(count: int = 4_000_000) -> bytes:
    """A one-page PDF whose compressed content stream shows ``count`` characters."""
    show = b"(" + b"x" * 10_000 + b") Tj "  # PDFium keeps at most 32,767 characters of one string
    content = b"BT /F1 1 Tf 10 400 Td " + show * (count // 10_000) + b"ET"
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# Name → (builder, file suffix): every hostile file, for the bench and the tests.
def text_short_lines(count: int = 1_300_000) -> bytes:
    """Just under the text reader's 4 MB: a million and more one-cell lines, each a paragraph."""
    return b"\t0\n" * count


def json_deep(depth: int = 100_000) -> bytes:
    """Canonical JSON nested far past any report's five levels."""
    return b'{"schema": "gongkai.report/1", "a": ' + b"[" * depth + b"]" * depth + b"}"


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "text-short-lines": (text_short_lines, "txt"),
    "json-deep": (json_deep, "json"),
    "html-deep-spans": (html_deep_spans, "html"),
    "html-wide-spans": (html_wide_spans, "html"),
    "html-paragraphs": (html_paragraphs, "html"),
    "html-span-grid": (html_span_grid, "html"),
    "html-span-tables": (html_span_tables, "html"),
    "docx-paragraphs": (docx_paragraphs, "docx"),
    "docx-grid-spans": (docx_grid_spans, "docx"),
    "ofd-elements": (ofd_elements, "ofd"),
    "pdf-chars": (pdf_chars, "pdf"),
}
