"""Readers: documents in every form → the canonical report.

Each reader turns its source into the intermediate :class:`~gongkai.readers.document.Document`;
:func:`~gongkai.readers.assemble.document_to_reading` does the rest, the same for all forms.
The form is told by the content (:func:`sniff_form`), and one table, ``_READERS``, names the
reader of each form, as the writers' table names the writer of each.

    >>> FORMS
    ('text', 'pdf', 'docx', 'xlsx', 'ofd', 'image', 'doc', 'rtf', 'odt')
"""

from __future__ import annotations

import importlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from html import unescape  # not ``import html``: the name is this package's HTML reader
from pathlib import Path

from gongkai.readers.assemble import Reading, document_to_reading
from gongkai.readers.bounds import ZIP_DAMAGE
from gongkai.readers.document import Document, DocumentNotice, Grid, UnreadableDocument
from gongkai.readers.html.embedded import holds_table, looks_like_json
from gongkai.readers.sections import read_sections
from gongkai.readers.split import split_document
from gongkai.readers.text.decode import decode_text_noting
from gongkai.readers.text.reader import text_to_document

# A text report is 5–100 KB; a few MB already means something else (a dump, a concatenation).
MAX_TEXT_BYTES = 4 * 1024 * 1024
MAX_PACKAGE_BYTES = 50 * 1024 * 1024  # DOCX and PDF: pictures make them large


def read_text(text: str, name: str = "<text>") -> Reading:
    """Read a report from already-decoded text (the first one, when it holds several)."""
    return document_to_reading(_first_report(split_document(text_to_document(text, name))))


def read_bytes(data: bytes, name: str = "<bytes>") -> Reading:
    """Read a report from a file's bytes, whatever its form.

    The form is decided by the content (magic bytes, a package's members, a page's opening
    tag), not the file name: text or Markdown in any common encoding, HTML (also escaped in a
    JSON API response or a page's script, or in the string literals of a script file), DOCX,
    XLSX, OFD, PDF (with a text layer, or scanned), images (PNG, JPEG, TIFF), and DOC, WPS,
    RTF or ODT through LibreOffice.

    A file that holds several reports (a district's page with each organ's report) gives the
    first, with a READ-MULTIPLE warning; :func:`read_all_bytes` gives them all.
    """
    return document_to_reading(_first_report(split_document(bytes_to_document(data, name))))


def read_all_bytes(data: bytes, name: str = "<bytes>") -> list[Reading]:
    """Every report a file holds, in order, as :func:`read_bytes` reads one.

    A file with one report gives ``[read_bytes(data, name)]``; with several, the readings'
    sources are ``name#1``, ``name#2`` … (their source lines stay those of the file).
    """
    parts = split_document(bytes_to_document(data, name))
    if len(parts) == 1:
        return [document_to_reading(parts[0])]
    return [
        document_to_reading(replace(part, name=f"{name}#{number}"))
        for number, part in enumerate(parts, start=1)
    ]


def _first_report(parts: list[Document]) -> Document:
    """The first report, saying (READ-MULTIPLE) how many the file holds when there are several."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    names = []
    for number, part in enumerate(parts, start=1):
        sections = read_sections(part.paragraphs)
        named = f"{sections.agency or ''}{f'{sections.year}年度' if sections.year else ''}"
        names.append(named or f"第{number}份")
    start = parts[1].blocks[0]
    notice = DocumentNotice(
        "READ-MULTIPLE",
        f"文件中有{len(parts)}份年度报告（{'、'.join(names)}），这里只读取了第一份；"
        "gongkai parse 和 gongkai check 会逐份读取",
        start.first_line if isinstance(start, Grid) else start.line,
        info=False,
    )
    return replace(first, notices=[*first.notices, notice])


def bytes_to_document(data: bytes, name: str = "<bytes>") -> Document:
    """The intermediate form of a file's bytes; see :func:`read_bytes` for the forms."""
    form = sniff_form(data)
    if form not in ("text", "html") and len(data) > MAX_PACKAGE_BYTES:
        raise UnreadableDocument(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 50 MB")
    if form not in _READERS:
        raise UnreadableDocument("这是一个压缩包，但不是 DOCX、XLSX、OFD 或 ODT 文档")
    return _READERS[form](data, name)


def _text_bytes_to_document(data: bytes, name: str) -> Document:
    """Text in any common encoding, read as what it holds (see :func:`_text_form_to_document`)."""
    if len(data) > MAX_TEXT_BYTES:
        raise UnreadableDocument(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），一份文本年度报告通常不超过 1 MB，上限为 4 MB"
        )
    text, notices = decode_text_noting(data)
    doc = _text_form_to_document(text, name)
    doc.notices.extend(notices)
    return doc


def _text_form_to_document(text: str, name: str) -> Document:
    """Decoded text as what it holds: a JSON response, a page, a script, or plain text."""
    # The HTML reader (and lxml, which it parses with) is imported for text that holds markup:
    # a plain text report is read without either.
    if looks_like_json(text):  # a portal's API response with the report's HTML in a string
        from gongkai.readers.html.reader import json_to_document

        doc = json_to_document(text, name)
        if doc is not None:
            return doc
    if looks_like_html(text):
        from gongkai.readers.html.reader import html_to_document

        return html_to_document(text, name)
    doc = text_to_document(text, name)
    if holds_table(text):
        from gongkai.readers.html.reader import has_report_tables, script_to_document

        if not has_report_tables(doc):
            # A script or data file with the report's HTML in a string (``var content = "<p>…";``).
            scripted = script_to_document(text, name)
            if scripted is not None:
                return scripted
    return doc


def _on_first_use(module: str, function: str) -> Callable[[bytes, str], Document]:
    """A reader whose module is imported when a file of its form first comes, so that a text
    report does not load pypdfium2, lxml, openpyxl or the OCR engine."""

    def read(data: bytes, name: str) -> Document:
        return getattr(importlib.import_module(module), function)(data, name)

    return read


# Form (as :func:`sniff_form` names it) → the reader that turns its bytes into a Document. The
# text reader is imported with this package, the others on first use (a text report is read in
# a few milliseconds, pypdfium2 alone takes some 30 to import). A ``zip`` that is none of these
# packages has no reader.
_READERS: dict[str, Callable[[bytes, str], Document]] = {
    "text": _text_bytes_to_document,  # also JSON responses, pages and scripts holding HTML
    "pdf": _on_first_use("gongkai.readers.pdf.reader", "pdf_to_document"),
    "docx": _on_first_use("gongkai.readers.docx.reader", "docx_to_document"),
    "xlsx": _on_first_use("gongkai.readers.xlsx.reader", "xlsx_to_document"),
    "ofd": _on_first_use("gongkai.readers.ofd.reader", "ofd_to_document"),
    "image": _on_first_use("gongkai.readers.ocr.reader", "image_to_document"),
    "doc": _on_first_use("gongkai.readers.office.reader", "doc_to_document"),
    "rtf": _on_first_use("gongkai.readers.office.reader", "rtf_to_document"),
    "odt": _on_first_use("gongkai.readers.office.reader", "odt_to_document"),
}
FORMS = tuple(_READERS)


# Magic bytes of the forms that are not text. DOC and Kingsoft WPS are both OLE compound files.
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "image"),  # TIFF, little-endian
    (b"MM\x00*", "image"),  # TIFF, big-endian
)


def sniff_form(data: bytes) -> str:
    """The document's form by its content: pdf, doc, rtf, image, docx, xlsx, ofd, odt, zip or text.

    A PDF may start after some junk (the format allows 1 KB of it); a zip package is told by
    its members: ``word/document.xml``, ``xl/workbook.xml``, ``OFD.xml``, an ODF ``mimetype``.
    """
    for magic, form in _MAGIC:
        if data.startswith(magic):
            return form
    if b"%PDF-" in data[:1024] and data.lstrip()[:1] != b"<":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        return _package_form(data)
    return "text"


def _package_form(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            mimetype = package.read("mimetype")[:100] if "mimetype" in names else b""
    except ZIP_DAMAGE:
        raise UnreadableDocument("压缩包（DOCX/XLSX/OFD）已损坏或被截断，无法打开") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return "odt"
    return "zip"


def looks_like_html(text: str) -> bool:
    """Decided by the content, not the file name: a page starts with a doctype or an HTML tag.

    A page saved entity-escaped (``&lt;html&gt;…``, as a view-source copy) is a page too: the
    HTML reader finds the markup inside it.
    """
    head = text.lstrip("\ufeff \t\r\n")[:512].lower()
    if head.startswith("&lt;"):
        head = unescape(head)
    if head.startswith(("<!doctype html", "<html")):
        return True
    if head.startswith("<?xml"):  # XHTML; other XML (OFD) is not a page
        return "<html" in text[:4096].lower()
    return head.startswith(("<body", "<div", "<table", "<p>", "<p ", "<meta", "<head"))


def read_path(path: str | Path) -> Reading:
    """Read a report file (the first report, when it holds several)."""
    path = Path(path)
    return read_bytes(path.read_bytes(), str(path))


def read_all_path(path: str | Path) -> list[Reading]:
    """Every report a file holds; see :func:`read_all_bytes`."""
    path = Path(path)
    return read_all_bytes(path.read_bytes(), str(path))


__all__ = [
    "FORMS",
    "Document",
    "Reading",
    "UnreadableDocument",
    "bytes_to_document",
    "looks_like_html",
    "read_all_bytes",
    "read_all_path",
    "read_bytes",
    "read_path",
    "read_text",
    "sniff_form",
]
