"""Pages → the document: each page's blocks in reading order, and the one page loop.

PDF, OFD and scans all read their pages through :func:`pages_to_document`, under one
:data:`MAX_PAGES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from gongkai.readers.document import Document, Grid, Paragraph, UnreadableDocument
from gongkai.readers.positioned.pieces import Page, inside, join_line, text_height, text_lines
from gongkai.readers.positioned.ruled import ruled_tables
from gongkai.readers.positioned.unruled import unruled_tables

MAX_PAGES = 200  # an annual report has 5–30 pages: PDF, OFD and scans alike


def check_page_count(count: int, what: str) -> None:
    """Refuse a file of more than :data:`MAX_PAGES` pages; ``what`` names it (「PDF 」, 「图片」)."""
    if count > MAX_PAGES:
        raise UnreadableDocument(f"{what}有{count}页，超过{MAX_PAGES}页，不像是一份年度报告")


def pages_to_document(pages: Iterable[Page], name: str) -> Document:
    """The document's paragraphs and tables, page by page, in reading order.

    Line numbers are a running count of printed lines and table rows through the document;
    a page's notices without a line get the line the page starts at. ``pages`` is read lazily,
    so a reader may open, read and close one page at a time.
    """
    doc = Document(name)
    counter = 1
    for page in pages:
        doc.notices.extend(
            notice if notice.line is not None else replace(notice, line=counter) for notice in page.notices
        )
        blocks, counter = page_blocks(page, counter, doc.places)
        doc.blocks.extend(blocks)
    return doc


def page_blocks(
    page: Page, counter: int = 1, places: dict[int, str] | None = None
) -> tuple[list[Paragraph | Grid], int]:
    """One page's blocks in reading order, numbering lines from ``counter``.

    ``places``, when given, receives where each number is: 「第2页」, 「第2页表格1第3行」.
    """
    if not page.pieces:
        return [], counter
    unit = text_height(page.pieces)
    placed: list[tuple[float, Paragraph | Grid]] = []
    loose = list(page.pieces)
    for box, grid in ruled_tables(page.rules, page.pieces, unit):
        placed.append((box[1], grid))
        loose = [p for p in loose if not inside(p, box)]
    lines = text_lines(loose)
    for top, grid, used in unruled_tables(lines, unit):
        placed.append((top, grid))
        lines = [line for line in lines if id(line) not in used]
    for line in lines:
        text = join_line(line, unit)
        if text.strip():
            placed.append((line[0].top, Paragraph(text.strip(), 0)))
    blocks: list[Paragraph | Grid] = []
    tables = 0
    for _, block in sorted(placed, key=lambda item: item[0]):
        if isinstance(block, Grid):
            tables += 1
            for r, row in enumerate(block.rows, start=1):
                for cell in row:
                    cell.line = counter
                if places is not None:
                    places[counter] = f"第{page.number}页表格{tables}第{r}行"
                counter += 1
        else:
            block = Paragraph(block.text, counter)
            if places is not None:
                places[counter] = f"第{page.number}页"
            counter += 1
        blocks.append(block)
    return blocks, counter
