"""DOCX → :class:`~gongkai.readers.document.Document`.

The body is walked in order: paragraphs and tables. Table cells are read from the XML so
that merged cells keep their meaning: ``w:gridSpan`` fills the covered columns and a
continued ``w:vMerge`` is an empty cell, the convention of every positional grid (see the
HTML reader). Text is every ``w:t`` of a paragraph: tracked insertions count, deletions
(``w:delText``) do not, text boxes are read in place. Nested tables are read as text.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from gongkai.readers.bounds import ZIP_DAMAGE, CellBudget, check_part_elements, damage
from gongkai.readers.document import Document, DocumentNotice, Grid, GridCell, Paragraph, UnreadableDocument
from gongkai.readers.docx.frames import drop_fallbacks, frames_to_document

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before anything is inflated
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_T, W_P, W_TBL, W_TR, W_TC = _W + "t", _W + "p", _W + "tbl", _W + "tr", _W + "tc"
W_TCPR, W_GRIDSPAN, W_VMERGE, W_VAL = _W + "tcPr", _W + "gridSpan", _W + "vMerge", _W + "val"
W_BODY = _W + "body"
W_R, W_TAB, W_BR, W_CR = _W + "r", _W + "tab", _W + "br", _W + "cr"
# No entity expansion, no network, no huge trees: an XML bomb inside the package stays harmless.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _text(element) -> str:
    return " ".join("".join(t.text or "" for t in element.iter(W_T)).replace("\xa0", " ").split())


def _cell_properties(tc):
    """A cell's ``w:tcPr``, or None.

    The schema puts it first in the cell, so it is looked for there first: ``find()`` parses its
    path on every call, and even ``iterchildren()`` cost more than the rest of reading a cell.
    """
    first = tc[0] if len(tc) else None
    if first is not None and first.tag == W_TCPR:
        return first
    return next(tc.iterchildren(W_TCPR), None)  # a file that puts it elsewhere


def _span_and_merge(props) -> tuple:
    """The first ``w:gridSpan`` and the first ``w:vMerge`` among a cell's properties (or None),
    found in one pass over them."""
    grid_span = v_merge = None
    for prop in props:
        tag = prop.tag
        if tag == W_GRIDSPAN and grid_span is None:
            grid_span = prop
        elif tag == W_VMERGE and v_merge is None:
            v_merge = prop
    return grid_span, v_merge


def _paragraph_texts(tc) -> str:
    """A cell's text: its paragraphs joined without a break (「商业」「企业」 is one label)."""
    return "".join(_text(p) for p in tc.iter(W_P))


def table_to_grid(tbl, number: int, table: int = 1, budget: CellBudget | None = None) -> Grid:
    """A ``w:tbl`` as a positional grid; ``number`` numbers its rows for provenance.

    ``table`` (its place among the document's tables) names where a malformed cell is;
    ``budget`` bounds the cells built, spans expanded, for the whole document.
    """
    budget = budget if budget is not None else CellBudget()
    grid = Grid(positional=True)
    cells = 0
    where = f"DOCX 表格{table}"
    for r, tr in enumerate(tbl.iterchildren(W_TR)):
        row: list[GridCell] = []
        for c, tc in enumerate(tr.iterchildren(W_TC), start=1):
            props = _cell_properties(tc)
            span, continued = 1, False
            if props is not None:
                grid_span, v_merge = _span_and_merge(props)
                if grid_span is not None:
                    span = _span(grid_span.get(W_VAL, "1"), table, r + 1, c)
                continued = v_merge is not None and v_merge.get(W_VAL, "continue") != "restart"
            cells = budget.spend(span, cells, where)
            text = "" if continued else _paragraph_texts(tc)
            row.append(GridCell(text, number + r, span))
            for _ in range(span - 1):  # the columns it covers
                row.append(GridCell("", number + r, span))
        grid.rows.append(row)
    return grid


def _span(value: str | None, table: int, row: int, cell: int) -> int:
    """A ``w:gridSpan`` value as a column count (1–64); a value that is no number is refused,
    naming the cell (the ``cell``-th of row ``row`` of the ``table``-th table)."""
    try:
        return max(1, min(int(value or 1), 64))
    except ValueError:
        raise UnreadableDocument(
            f"DOCX 表格{table}第{row}行第{cell}个单元格的合并列数（w:gridSpan）是「{value[:20]}」，不是整数；文件可能已损坏，"
            "请用 Word 打开后另存再读取"
        ) from None


def docx_to_document(data: bytes, name: str = "<docx>") -> Document:
    """Paragraphs and tables of a .docx file, in document order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise UnreadableDocument("DOCX 解压后超过 200 MB（可能是压缩炸弹），已拒绝读取")
            if "word/document.xml" not in archive.namelist():
                raise UnreadableDocument("这个 ZIP 文件不是 Word 文档（没有 word/document.xml）")
            check_part_elements(archive, "word/document.xml", "DOCX 正文")
            root = etree.fromstring(archive.read("word/document.xml"), _PARSER)
    except UnreadableDocument:
        raise
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(f"DOCX 正文的 XML 无法解析（损坏，或含实体炸弹）：{exc.msg}") from None
    except (*ZIP_DAMAGE, KeyError) as exc:
        raise UnreadableDocument(f"DOCX 文件已损坏或被截断，无法打开（{damage(exc)}）") from None
    body = root.find(W_BODY)
    if body is None:
        raise UnreadableDocument("DOCX 中没有正文（word/document.xml 缺少 w:body）")
    if body.find(W_TBL) is None:  # a PDF converted to Word: text in frames at their places
        framed = frames_to_document(body, name)
        if framed is not None:
            return framed
    drop_fallbacks(root)  # a text box written twice (DrawingML and VML) is read once
    doc = Document(name)
    position = 1  # a running number standing in for lines: paragraph i, table rows after it
    paragraphs = tables = 0
    budget = CellBudget()
    for child in body.iterchildren():
        if child.tag == W_P:
            paragraphs += 1
            text = _text(child)
            if text:
                doc.blocks.append(Paragraph(text, position))
                doc.places[position] = f"第{paragraphs}段"
            position += 1
        elif child.tag == W_TBL:
            tables += 1
            grid = table_to_grid(child, position, tables, budget)
            doc.blocks.append(grid)
            for r in range(len(grid.rows)):
                doc.places[position + r] = f"表格{tables}第{r + 1}行"
            position += len(grid.rows)
    if tables == 0 and paragraphs:
        return _paragraph_tables(body, name) or doc
    return doc


def _paragraph_tables(body, name: str) -> Document | None:
    """A Word document whose statistical tables are paragraphs — columns lined up with tabs or
    spaces, as a text report saved as Word has them — read as the same text would be; None when
    the text reader finds no report table there either (issue 16)."""
    from gongkai.readers.html.reader import has_report_tables
    from gongkai.readers.text.reader import text_to_document

    doc = text_to_document("\n".join(_plain_text(p) for p in body.iterchildren(W_P)), name)
    if not has_report_tables(doc):
        return None
    doc.notices.append(
        DocumentNotice(
            "READ-PARAGRAPH-TABLE",
            "统计表是用制表符或空格对齐的段落，不是 Word 表格，已按文本读取；请核对数字所在的行和列",
            info=False,
        )
    )
    return doc


def _plain_text(paragraph) -> str:
    """A paragraph's text as typed: tabs and line breaks kept, spaces not collapsed."""
    parts = []
    for run in paragraph.iter(W_R):  # runs only: w:pPr holds tab stops, which are no text
        for element in run:
            if element.tag == W_T:
                parts.append((element.text or "").replace("\xa0", " "))
            elif element.tag == W_TAB:
                parts.append("\t")
            elif element.tag in (W_BR, W_CR):
                parts.append("\n")
    return "".join(parts)
