"""HTML → :class:`~gongkai.readers.document.Document`: portal pages with the report inside.

Tables are expanded into positional grids: a cell spanning several columns or rows fills the
covered positions with empty cells, the convention the one table reader already reads (an
empty cell right of a header label is part of it; an empty label cell below a label is its
vertical continuation). ``<br>`` inside a cell is dropped (「商业<br>企业」 is one label).
Navigation, scripts and styles are left out. Each block keeps its source line.
"""

from __future__ import annotations

from lxml import etree, html

from gongkai.readers.document import Document, Grid, GridCell, Paragraph, UnreadableDocument

# Elements whose text is never part of the report.
_SKIPPED = {"script", "style", "noscript", "nav", "header", "footer", "template", "head", "select", "button"}
_BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "td",
    "th",
    "pre",
    "blockquote",
}
MAX_SPAN = 200  # a rowspan/colspan beyond this is a broken page, not a report table


def _text(element: etree._Element) -> str:
    """An element's text with <br> and white space removed between words of a label."""
    parts: list[str] = []
    for node in element.iter():
        if node is not element and node.tag in _SKIPPED:
            continue
        if node.text and node.tag not in _SKIPPED:
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    return " ".join("".join(parts).replace("\xa0", " ").split())


def _span(cell: etree._Element, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1").strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def table_to_grid(table: etree._Element) -> Grid:
    """A <table> as a positional grid, spans expanded (nested tables read as text)."""
    rows = [tr for tr in table.iter("tr") if _own_table(tr) is table]
    grid = Grid(positional=True)
    pending: dict[int, int] = {}  # column → rows still covered by a rowspan from above
    for tr in rows:
        row: list[GridCell] = []
        col = 0
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        line = tr.sourceline or 0
        for cell in cells:
            while pending.get(col, 0) > 0:
                row.append(GridCell("", line))
                pending[col] -= 1
                col += 1
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            for k in range(colspan):
                row.append(GridCell(_text(cell) if k == 0 else "", cell.sourceline or line, colspan, rowspan))
                if rowspan > 1:
                    pending[col + k] = rowspan - 1
            col += colspan
        while pending.get(col, 0) > 0:  # rowspans continuing at the right edge
            row.append(GridCell("", line))
            pending[col] -= 1
            col += 1
        if any(c.text for c in row) or row:
            grid.rows.append(row)
    return grid


def _own_table(tr: etree._Element) -> etree._Element | None:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def html_to_document(text: str, name: str = "<html>") -> Document:
    """Paragraphs and grids of an HTML page, in document order."""
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"无法解析 HTML（{exc}）") from None
    doc = Document(name)
    body = root.find("body") if root.find("body") is not None else root
    _walk(body, doc)
    return doc


def _walk(element: etree._Element, doc: Document) -> None:
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED:
            continue
        if child.tag == "table":
            doc.blocks.append(table_to_grid(child))
            continue
        if child.tag in _BLOCKS and not child.xpath(_NESTED_BLOCKS):
            text = _text(child)
            if text:
                doc.blocks.append(Paragraph(text, child.sourceline or 0))
            continue
        # A container: its own loose text is a paragraph, then its children in order.
        if child.text and child.text.strip():
            doc.blocks.append(Paragraph(" ".join(child.text.split()), child.sourceline or 0))
        _walk(child, doc)
        if child.tail and child.tail.strip():
            doc.blocks.append(Paragraph(" ".join(child.tail.split()), child.sourceline or 0))


# A block holding tables or other blocks is a container, walked into rather than read whole.
_NESTED_BLOCKS = ".//table|.//p|.//div|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//li|.//section|.//article"
