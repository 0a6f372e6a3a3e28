"""PDF with a text layer → :class:`~gongkai.readers.document.Document` (pdfplumber).

Ruled tables are found from their lines; a merged cell comes back as ``None`` in the covered
positions, which becomes an empty cell, the convention of every positional grid. The text
outside the tables becomes paragraphs, in reading order from the top of each page. A table
that runs onto the next page with its header repeated is read as two pieces of one table,
each with its own header (see :func:`gongkai.readers.tables.split_tables`).

Line numbers: PDFs have none, so a running number counts text lines and table rows
through the document (page by page), as the DOCX reader does.
"""

from __future__ import annotations

import io

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from gongkai.readers.document import Document, Grid, GridCell, Paragraph, UnreadableDocument

MAX_PAGES = 200  # an annual report has 5–30 pages


def pdf_to_document(data: bytes, name: str = "<pdf>") -> Document:
    """Paragraphs and ruled tables of a PDF's text layer, in reading order."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc  # pdfplumber wraps
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise UnreadableDocument("PDF 已加密，无法读取；请提供未加密的文件") from None
        raise UnreadableDocument(f"PDF 文件已损坏或被截断，无法打开（{type(cause).__name__}）") from None
    with pdf:
        try:
            pages = pdf.pages
        except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
            raise UnreadableDocument(f"PDF 文件已损坏，无法读出页面（{type(exc).__name__}）") from None
        if len(pages) > MAX_PAGES:
            raise UnreadableDocument(f"PDF 有{len(pages)}页，超过{MAX_PAGES}页，不像是一份年度报告")
        doc = Document(name)
        counter = 1
        has_text = False
        for number, page in enumerate(pages, start=1):
            try:
                blocks, counter = _page_blocks(page, counter)
            except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
                raise UnreadableDocument(
                    f"PDF 第{number}页已损坏，无法读取（{type(exc).__name__}）"
                ) from None
            has_text = has_text or bool(blocks)
            doc.blocks.extend(blocks)
            page.flush_cache()  # keep memory flat on long documents
    if not has_text:
        raise UnreadableDocument("PDF 没有文字层（可能是扫描件），需要 OCR 才能读取")
    return doc


def _page_blocks(page, counter: int) -> tuple[list[Paragraph | Grid], int]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    placed: list[tuple[float, Paragraph | Grid]] = []
    for table in tables:
        grid = Grid(positional=True)
        for row in table.extract():
            grid.rows.append([GridCell((cell or "").replace("\n", ""), 0) for cell in row])
        placed.append((table.bbox[1], grid))
    for line in page.extract_text_lines():
        middle = (line["top"] + line["bottom"]) / 2
        if any(
            x0 <= line["x0"] + 1 and line["x1"] <= x1 + 1 and top <= middle <= bottom
            for x0, top, x1, bottom in boxes
        ):
            continue  # the table's own text
        if line["text"].strip():
            placed.append((line["top"], Paragraph(line["text"].strip(), 0)))
    blocks: list[Paragraph | Grid] = []
    for _, block in sorted(placed, key=lambda item: item[0]):
        if isinstance(block, Grid):
            for row in block.rows:
                for cell in row:
                    cell.line = counter
                counter += 1
        else:
            block = Paragraph(block.text, counter)
            counter += 1
        blocks.append(block)
    return blocks, counter
