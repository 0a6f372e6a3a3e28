"""DOC (and WPS), RTF and ODT → :class:`~gongkai.readers.document.Document`, through DOCX.

LibreOffice converts the file (:func:`~gongkai.readers.office.convert.office_to_docx`); the DOCX
reader reads the result, so these forms read exactly as a DOCX does.
"""

from __future__ import annotations

from gongkai.readers.document import Document
from gongkai.readers.docx.reader import docx_to_document
from gongkai.readers.office.convert import office_to_docx


def doc_to_document(data: bytes, name: str = "<doc>") -> Document:
    """A Word 97-2003 or Kingsoft WPS file (an OLE compound file)."""
    return docx_to_document(office_to_docx(data, "doc", name), name)


def rtf_to_document(data: bytes, name: str = "<rtf>") -> Document:
    """An RTF file."""
    return docx_to_document(office_to_docx(data, "rtf", name), name)


def odt_to_document(data: bytes, name: str = "<odt>") -> Document:
    """An OpenDocument text file."""
    return docx_to_document(office_to_docx(data, "odt", name), name)
