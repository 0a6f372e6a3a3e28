"""HTML → :class:`~gongkai.readers.document.Document`: portal pages with the report inside.

Tables are expanded into positional grids: a cell spanning several columns or rows fills the
covered positions with empty cells, the convention the one table reader already reads (an
empty cell right of a header label is part of it; an empty label cell below a label is its
vertical continuation). ``<br>`` inside a cell is dropped (「商业<br>企业」 is one label).
Navigation, scripts and styles are left out. Each block keeps its source line.

A page whose visible body holds no report tables may carry the report as data: in a script's
string, or entity-escaped inside a ``<textarea>`` or ``<div>`` (:mod:`.embedded` decodes it).
Then that markup is read in place of the element that holds it, as if the page had it plain;
a JSON API response is read the same way (:func:`json_to_document`). Navigation scripts with
a table in a string stay ignored: embedded markup is used only when the page has no report
tables of its own and the markup has them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree, html

from gongkai.readers.bounds import CellBudget, count_tags
from gongkai.readers.dates import meta_published
from gongkai.readers.document import Document, Grid, GridCell, Paragraph, UnreadableDocument
from gongkai.readers.grids import read_tables, split_tables
from gongkai.readers.html import embedded
from gongkai.readers.sections import parse_title, read_sections
from gongkai.readers.split import is_report_title

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
# Elements parsed for one document, embedded fragments included: a portal page with the report
# has 2,000–20,000; a million 「<p>x」 (4 MB) took 650 MB to read. Nesting needs no limit of
# ours: libxml2's HTML parser stops nesting at 256 levels.
MAX_HTML_ELEMENTS = 200_000


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


def table_to_grid(table: etree._Element, budget: CellBudget | None = None) -> Grid:
    """A <table> as a positional grid, spans expanded (nested tables read as text).

    ``budget`` bounds the cells built for the whole document: spans of 200 rows and columns
    on every cell would otherwise multiply a small page into millions of cells.
    """
    budget = budget if budget is not None else CellBudget()
    where = f"网页第{table.sourceline}行起的表格" if table.sourceline else "网页中的一张表格"
    rows = [tr for tr in table.iter("tr") if _own_table(tr) is table]
    grid = Grid(positional=True)
    cells = 0
    pending: dict[int, int] = {}  # column → rows still covered by a rowspan from above
    for tr in rows:
        row: list[GridCell] = []
        col = 0
        tr_cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        line = tr.sourceline or 0
        for cell in tr_cells:
            while pending.get(col, 0) > 0:
                cells = budget.spend(1, cells, where)
                row.append(GridCell("", line))
                pending[col] -= 1
                col += 1
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            cells = budget.spend(colspan, cells, where)
            for k in range(colspan):
                row.append(GridCell(_text(cell) if k == 0 else "", cell.sourceline or line, colspan, rowspan))
                if rowspan > 1:
                    pending[col + k] = rowspan - 1
            col += colspan
        while pending.get(col, 0) > 0:  # rowspans continuing at the right edge
            cells = budget.spend(1, cells, where)
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
    """Paragraphs and grids of an HTML page, in document order (embedded report markup read in place).

    Blocks keep their source lines, except on a page written on a few long lines (minified, or
    generated): there a source line would point at most of the page, so paragraphs and table
    rows are numbered in order and named in words, as for DOCX (「第3段」, 「表格2第5行」).
    """
    budget = _Budget()
    root = _parse(text, budget)
    doc = _read_root(root, name, embedded.MAX_LAYERS, budget)
    doc.published = meta_published(root)
    _title_from_head(root, doc)
    if _crowded(doc):
        _number_in_order(doc)
    return doc


CROWDED_LINE = 3  # paragraphs or table rows on one source line that make lines useless as places


def _crowded(doc: Document) -> bool:
    counts: dict[int, int] = {}
    for block in doc.blocks:
        lines = [block.line] if isinstance(block, Paragraph) else [row[0].line for row in block.rows if row]
        for line in lines:
            counts[line] = counts.get(line, 0) + 1
    return max(counts.values(), default=0) >= CROWDED_LINE


def _number_in_order(doc: Document) -> None:
    position = 1
    paragraphs = tables = 0
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            paragraphs += 1
            doc.blocks[i] = Paragraph(block.text, position)
            doc.places[position] = f"第{paragraphs}段"
            position += 1
            continue
        tables += 1
        for r, row in enumerate(block.rows):
            for cell in row:
                cell.line = position + r
            doc.places[position + r] = f"表格{tables}第{r + 1}行"
        position += max(len(block.rows), 1)


@dataclass
class _Budget:
    """What reading one document may still spend, embedded fragments and nested layers included:
    fragments to parse (``left``), elements to parse, table cells to build."""

    left: int = embedded.MAX_FRAGMENTS
    elements: int = MAX_HTML_ELEMENTS
    cells: CellBudget = field(default_factory=CellBudget)


def _parse(text: str, budget: _Budget) -> etree._Element:
    """The page's tree, refused before it is built when it would hold too many elements."""
    budget.elements -= count_tags(text)
    if budget.elements < 0:
        raise UnreadableDocument(
            f"网页的 HTML 标签超过{MAX_HTML_ELEMENTS:,}个，远多于任何年度报告（可能是恶意构造的文件），已拒绝读取"
        )
    try:
        return html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"无法解析 HTML（{exc}）") from None


def _read_page(text: str, name: str, depth: int, budget: _Budget) -> Document:
    return _read_root(_parse(text, budget), name, depth, budget)


def _read_root(root: etree._Element, name: str, depth: int, budget: _Budget) -> Document:
    doc = Document(name)
    body = root.find("body") if root.find("body") is not None else root
    _walk(body, doc, budget)
    if depth > 0 and len(split_tables(doc.grids)) < 2 and not has_report_tables(doc):
        inserts = _embedded_reports(root, name, depth - 1, budget)
        if inserts:
            doc = Document(name)
            _walk(body, doc, budget, inserts, _ancestors(inserts))
            # Markup held outside the body (a script in <head>) comes after the page's own text.
            used = {id(b) for b in doc.blocks}
            for part in inserts.values():
                if part.blocks and id(part.blocks[0]) not in used:
                    doc.blocks.extend(part.blocks)
    return doc


# What a portal appends to a page's <title>: 「…年度报告_政府信息公开年报_某某网」, 「某某网 - …」.
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_＿|｜]|[-－—–]+)\s*")


def page_title(root: etree._Element) -> str | None:
    """The report title a page's ``<title>`` names, the portal's parts around it left out.

    >>> page_title(html.fromstring("<html><head><title>某市2025年政府信息公开工作年度报告_年报_某某网</title></head></html>"))
    '某市2025年政府信息公开工作年度报告'
    >>> page_title(html.fromstring("<html><head><title>某某网</title></head></html>")) is None
    True
    """
    title = root.find(".//title")
    if title is None or not title.text_content():
        return None
    for piece in _TITLE_SEPARATORS.split(" ".join(title.text_content().split())):
        if is_report_title(piece) and all(parse_title(piece)):
            return piece.strip()
    return None


def _title_from_head(root: etree._Element, doc: Document) -> None:
    """A page whose body does not name the organ and year (it opens with 「根据《条例》…」) takes
    its title from ``<title>``, put first as the title paragraph."""
    sections = read_sections(doc.paragraphs)
    if sections.agency and sections.year:
        return
    title = page_title(root)
    if title is None or _mentions(doc, title):
        return
    element = root.find(".//title")
    line = element.sourceline if element is not None and element.sourceline else 1
    doc.blocks.insert(0, Paragraph(title, line))


def has_report_tables(doc: Document) -> bool:
    """Whether a document's grids hold cells of the report's tables (not just a navigation table)."""
    return bool(split_tables(doc.grids)) and bool(read_tables(doc.grids).cells)


def json_to_document(text: str, name: str = "<json>") -> Document | None:
    """The report in a JSON API response (or JSONP), read as the HTML its strings hold.

    None when the text is not JSON or none of its strings holds report tables. Each record's
    content is read as a page; a report title given beside it (``"title": "…年度报告"``) comes
    first unless the content repeats it. Lines are counted within each decoded fragment.
    """
    fragments = embedded.json_fragments(text)
    if not fragments:
        return None
    doc = Document(name)
    budget = _Budget()
    for fragment in fragments:
        part = _fragment_document(fragment.html, name, embedded.MAX_LAYERS - 1, 1, budget)
        if part is None:
            continue
        if fragment.title and "报告" in fragment.title and not _mentions(part, fragment.title):
            first = part.blocks[0]
            line = first.line if isinstance(first, Paragraph) else first.first_line
            doc.blocks.append(Paragraph(fragment.title, line))
        doc.blocks.extend(part.blocks)
    return doc if doc.blocks else None


def script_to_document(text: str, name: str = "<script>") -> Document | None:
    """The report in a script file, read as the HTML its string literals hold.

    A portal's data file (``var content = "<p>…<table align=\\"center\\">…";``, ``let``, ``const``,
    ``window.report = '…'``, literals joined by ``+``) is decoded as :func:`embedded.script_fragments`
    decodes a page's script: each literal (or ``+``-joined run) on its own, then all of them
    joined. A literal whose double quotes were left unescaped (``"<table border="1">…"``) cannot
    be told apart from the code around it; then the markup from the first tag to the last is
    read as it stands. None when nothing there holds report tables.
    """
    if not embedded.holds_table(text):
        return None
    budget = _Budget()

    def read(fragment: embedded.Fragment | None) -> Document | None:
        if fragment is None:
            return None
        line = 1 + text.count("\n", 0, fragment.offset)
        return _fragment_document(fragment.html, name, embedded.MAX_LAYERS - 1, line, budget)

    loose = read(_loose_markup(text)) if embedded.quotes_left_unescaped(text) else None
    parts = [loose] if loose is not None else []
    if not parts:
        parts = [p for p in map(read, embedded.script_fragments(text)) if p is not None]
    if not parts:
        joined = read(embedded.script_markup(text)) or read(_loose_markup(text))
        parts = [joined] if joined is not None else []
    if not parts:
        return None
    doc = Document(name, [block for part in parts for block in part.blocks])
    if _crowded(doc):
        _number_in_order(doc)
    return doc


_FIRST_TAG = re.compile(r"<[A-Za-z!]")
_JS_QUOTE_ESCAPE = re.compile(r"""\\(["'/])""")


def _loose_markup(text: str) -> embedded.Fragment | None:
    """The markup of a script read as it stands: from its first tag to its last ``>``, with the
    script's ``\\"``, ``\\'`` and ``\\/`` escapes undone (the quotes around it left out)."""
    first = _FIRST_TAG.search(text)
    last = text.rfind(">")
    if first is None or last < first.start():
        return None
    markup = embedded.decode_markup(_JS_QUOTE_ESCAPE.sub(r"\1", text[first.start() : last + 1]))
    return embedded.Fragment(markup, offset=first.start()) if markup else None


def _fragment_document(
    markup: str, name: str, depth: int, first_line: int, budget: _Budget
) -> Document | None:
    """An embedded fragment read as a page, its lines counted from ``first_line``; None unless it
    holds report tables (or when the document's budget of fragments is spent)."""
    if budget.left <= 0:
        return None
    budget.left -= 1
    try:
        part = _read_page(markup, name, depth, budget)
    except UnreadableDocument:
        return None
    if not has_report_tables(part):
        return None
    shift = first_line - 1
    if shift:
        part.blocks = [
            Paragraph(b.text, b.line + shift) if isinstance(b, Paragraph) else _shift_grid(b, shift)
            for b in part.blocks
        ]
    return part


def _shift_grid(grid: Grid, shift: int) -> Grid:
    for row in grid.rows:
        for cell in row:
            cell.line += shift
    return grid


def _mentions(doc: Document, title: str) -> bool:
    squeezed = "".join(title.split())
    opening = "".join("".join(p.text.split()) for p in doc.paragraphs[:5])
    return squeezed in opening


def _embedded_reports(
    root: etree._Element, name: str, depth: int, budget: _Budget
) -> dict[etree._Element, Document]:
    """Elements whose text holds escaped report markup, each with that markup read as a document.

    Scripts: each string literal (or ``+``-joined run of them) on its own first, so that a
    navigation string beside the report is not taken along; all of a script's markup strings
    joined only when no single one holds the report (``document.write`` row by row). Other
    elements: their text, which the parser has already entity-decoded once.
    """
    found: dict[etree._Element, Document] = {}
    for element in root.iter():
        if budget.left <= 0:
            break
        if not isinstance(element.tag, str) or element.tag == "style" or not element.text:
            continue
        if not embedded.holds_table(element.text):
            continue
        source = element.text
        if element.tag == "script":
            candidates = embedded.script_fragments(source)
        else:
            markup = embedded.decode_markup(source)
            candidates = [embedded.Fragment(markup)] if markup else []
        parts = [_read_fragment(f, element, name, depth, budget) for f in candidates]
        if element.tag == "script" and not any(parts) and budget.left > 0:
            joined = embedded.script_markup(source)
            parts = [_read_fragment(joined, element, name, depth, budget)] if joined else []
        if any(parts):
            found[element] = Document(name, [b for p in parts if p is not None for b in p.blocks])
    return found


def _read_fragment(
    fragment: embedded.Fragment, element: etree._Element, name: str, depth: int, budget: _Budget
) -> Document | None:
    """A fragment found in an element's text, its lines counted from where its string starts."""
    line = (element.sourceline or 1) + element.text.count("\n", 0, fragment.offset)
    return _fragment_document(fragment.html, name, depth, line, budget)


def _ancestors(inserts: Mapping[etree._Element, Document]) -> set[etree._Element]:
    """Elements that contain an embedded report: walked into, never read whole as one paragraph."""
    out: set[etree._Element] = set()
    for element in inserts:
        parent = element.getparent()
        while parent is not None and parent not in out:
            out.add(parent)
            parent = parent.getparent()
    return out


def _walk(
    element: etree._Element,
    doc: Document,
    budget: _Budget,
    inserts: Mapping[etree._Element, Document] | None = None,
    containers: set[etree._Element] | None = None,
) -> None:
    for child in element:
        if inserts and child in inserts:
            doc.blocks.extend(inserts[child].blocks)
        elif not isinstance(child.tag, str) or child.tag in _SKIPPED:
            pass
        elif child.tag == "table":
            doc.blocks.append(table_to_grid(child, budget.cells))
        elif (
            child.tag in _BLOCKS
            and not (containers and child in containers)
            and not child.xpath(_NESTED_BLOCKS)
        ):
            text = _text(child)
            if text:
                doc.blocks.append(Paragraph(text, child.sourceline or 0))
        else:
            # A container: its own loose text is a paragraph, then its children in order.
            if child.text and child.text.strip():
                doc.blocks.append(Paragraph(" ".join(child.text.split()), child.sourceline or 0))
            _walk(child, doc, budget, inserts, containers)
        # Loose text after any child, a skipped one or a comment included, is the container's.
        if child.tail and child.tail.strip():
            doc.blocks.append(Paragraph(" ".join(child.tail.split()), child.sourceline or 0))


# A block holding tables or other blocks is a container, walked into rather than read whole.
_NESTED_BLOCKS = ".//table|.//p|.//div|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//li|.//section|.//article"
