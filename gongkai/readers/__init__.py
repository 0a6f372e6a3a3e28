"""Readers: documents in every form → the canonical report.

Each reader turns its source into the intermediate :class:`~gongkai.readers.document.Document`;
:func:`~gongkai.readers.assemble.document_to_reading` does the rest, the same for all forms.
"""

from __future__ import annotations

from pathlib import Path

from gongkai.readers.assemble import Reading, document_to_reading
from gongkai.readers.document import Document, UnreadableDocument
from gongkai.readers.docx.reader import docx_to_document
from gongkai.readers.html.reader import html_to_document
from gongkai.readers.pdf.reader import pdf_to_document
from gongkai.readers.text.decode import decode_text
from gongkai.readers.text.reader import text_to_document

# A text report is 5–100 KB; a few MB already means something else (a dump, a concatenation).
MAX_TEXT_BYTES = 4 * 1024 * 1024
MAX_PACKAGE_BYTES = 50 * 1024 * 1024  # DOCX and PDF: pictures make them large


def read_text(text: str, name: str = "<text>") -> Reading:
    """Read a report from already-decoded text."""
    return document_to_reading(text_to_document(text, name))


def read_bytes(data: bytes, name: str = "<bytes>") -> Reading:
    """Read a report from a file's bytes: text or Markdown (any common encoding), HTML, DOCX or PDF.

    The form is decided by the content (magic bytes, a page's opening tag), not the file name.
    """
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise UnreadableDocument("这是 DOC/WPS 文件；目前能读取文本、Markdown、HTML、DOCX 和带文字层的 PDF")
    if data[:5] == b"%PDF-" or data[:4] == b"PK\x03\x04":
        if len(data) > MAX_PACKAGE_BYTES:
            raise UnreadableDocument(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 50 MB")
        if data[:5] == b"%PDF-":
            return document_to_reading(pdf_to_document(data, name))
        return document_to_reading(docx_to_document(data, name))
    if len(data) > MAX_TEXT_BYTES:
        raise UnreadableDocument(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），一份文本年度报告通常不超过 1 MB，上限为 4 MB"
        )
    text = decode_text(data)
    if looks_like_html(text):
        return document_to_reading(html_to_document(text, name))
    return read_text(text, name)


def looks_like_html(text: str) -> bool:
    """Decided by the content, not the file name: a page starts with a doctype or an HTML tag."""
    head = text.lstrip("\ufeff \t\r\n")[:512].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    if head.startswith("<?xml"):  # XHTML; other XML (OFD) is not a page
        return "<html" in text[:4096].lower()
    return head.startswith(("<body", "<div", "<table", "<p>", "<p ", "<meta", "<head"))


def read_path(path: str | Path) -> Reading:
    """Read a report file."""
    path = Path(path)
    return read_bytes(path.read_bytes(), str(path))


__all__ = ["Document", "Reading", "UnreadableDocument", "read_bytes", "read_path", "read_text"]
