"""The printed report → a Word file laid out as a government document (GB/T 9704 conventions).

A4, margins 37/35/28/26 mm (type area 156 × 225 mm); the title centred in 二号 方正小标宋简体;
body in 三号 仿宋_GB2312, first line indented two characters, 28 characters to the line and
fixed line spacing of 28.95 pt (22 lines to the type area), ranged left (see ``_styles``); level-1 headings (「一、总体情况」) in 三号 黑体, level-2 headings
of the text (「（一）主动公开」) in 楷体_GB2312; page numbers 「— 1 —」 in 4号 宋体 below the type
area, odd pages on the right and even pages on the left, one character in from the edge.

Tables 二/三/四 follow :class:`~gongkai.writers.printed.PrintedTable`: fixed column widths from
``widths`` (fitted to the 156 mm type area), single rules, merged cells as ``w:gridSpan`` and
``w:vMerge``, header rows repeated on a new page (``w:tblHeader``), no row split across pages
(``w:cantSplit``), 五号 宋体, values centred.

The package is written directly as XML text (a few milliseconds a report): python-docx's object
model costs a second or more for table 三. Every font is named for all scripts (ascii, hAnsi,
eastAsia) so that digits and Latin letters match the Chinese, and ``fontTable.xml`` gives each
GB font name its Windows alternative and the GB2312 character set, which Word and WPS use to
substitute a font that is not installed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from gongkai import clock
from gongkai.writers.printed import PrintedCell, PrintedReport, PrintedTable, Role

__all__ = ["FONTS", "package_docx", "write_docx"]

TWIPS_PER_MM = 1440 / 25.4
PAGE_MM = (210, 297)  # A4
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # type area 156 × 225 mm

# Font sizes in points (号 sizes of Chinese typesetting).
ERHAO, SANHAO, SIHAO, WUHAO = 22, 16, 14, 10.5
BODY_LINE_PT = 28.95  # 225 mm / 22 lines, fixed
BODY_TRACKING_PT = -0.25  # 28 characters of 三号 to the 156 mm line (442 pt / 28 = 15.8 pt)
TABLE_LINE_PT = 14  # 五号 text in a table cell, fixed so rows are even
TITLE_LINE_PT = 36
ROW_MM = 6.5  # least height of a table row: a line of 五号 with air above and below
# The page number's 一字线 sits 7 mm below the type area: its line's middle 28 mm above the edge.
FOOTER_MM = 28 - 2.5

# The fonts a government document names, with the name Word and WPS fall back to on a machine
# without them (Windows 10 has 仿宋 and 楷体 but not the old _GB2312 fonts, nor 方正 fonts).
FONTS: dict[str, str] = {
    "方正小标宋简体": "宋体",
    "仿宋_GB2312": "仿宋",
    "黑体": "SimHei",
    "楷体_GB2312": "楷体",
    "宋体": "SimSun",
}
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, TABLE_FONT = FONTS

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
# Characters XML 1.0 forbids (a stray control character in pasted text would break the file).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A level-2 heading of the text: 「（一）主动公开」, short and not a sentence.
_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)][^。；;]{0,24}[。]?$")
# A group label of table 三: its numeral, then its name.
_GROUP_LABEL = re.compile(r"^([（(][一二三四五六七八九十]{1,3}[）)])(.+)$")
# A title longer than one line of 二号 (20 characters in 156 mm) breaks after the organ's name.
_TITLE_LINE_CHARS = 20


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def _tracking(pt: float) -> str:
    return f'<w:spacing w:val="{round(pt * 20)}"/>'


def _size(pt: float) -> str:
    half_points = round(pt * 2)
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{_text(text)}</w:t></w:r>'


def _paragraph(style: str, content: str, props: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{props}</w:pPr>{content}</w:p>'


def _fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


# --- the body ----------------------------------------------------------------------------------


def _title(printed: PrintedReport) -> str:
    title = printed.title
    agency = printed.agency or ""
    if agency and len(title) > _TITLE_LINE_CHARS and title.startswith(agency):
        # Two lines as a clerk sets them: the organ, then 「2024年度政府信息公开工作年度报告」.
        content = _run(agency) + "<w:r><w:br/></w:r>" + _run(title[len(agency) :])
    else:
        content = _run(title)
    return _paragraph("Title", content)


def _body_paragraph(text: str) -> str:
    return _paragraph("Heading2" if _SUBHEADING.match(text) else "Normal", _run(text))


def _table(table: PrintedTable) -> str:
    """``w:tbl`` of a printed table: every grid position gets a ``w:tc``, a merged one once per row."""
    widths = _column_twips(table.widths)
    starts = {(c.row, c.col): c for c in table.cells}
    covering = {}  # (row, col) of a position inside a merged cell → the cell
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covering[(r, c)] = cell
    # A short table (二, 四) stays on one page with the heading above it; a long one (三) may
    # break between rows, its header repeated.
    keep_together = table.height <= 20
    rows = []
    for r in range(table.height):
        row_props = f'<w:cantSplit/><w:trHeight w:val="{_twips(ROW_MM)}" w:hRule="atLeast"/>'
        row_props += "<w:tblHeader/>" if r < table.header_rows else ""
        tcs = []
        c = 0
        while c < table.width:
            cell = covering[(r, c)]
            span = cell.colspan
            width = sum(widths[cell.col : cell.col + span])
            tc_props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
            if span > 1:
                tc_props += f'<w:gridSpan w:val="{span}"/>'
            if cell.rowspan > 1:
                first = (r, c) in starts
                tc_props += '<w:vMerge w:val="restart"/>' if first else "<w:vMerge/>"
            tc_props += '<w:vAlign w:val="center"/>'
            keep = "<w:keepNext/>" if keep_together and r < table.height - 1 else ""
            if (r, c) in starts:
                content = _cell_content(table, cell)
                paragraph = _paragraph(_cell_style(table, cell), content, keep)
            else:
                paragraph = _paragraph("TableText", "", keep)
            tcs.append(f"<w:tc><w:tcPr>{tc_props}</w:tcPr>{paragraph}</w:tc>")
            c += span
        rows.append(f"<w:tr><w:trPr>{row_props}</w:trPr>{''.join(tcs)}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rule = '<w:{} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
    borders = "".join(rule.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    props = (
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>'
    )
    return f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def _cell_content(table: PrintedTable, cell: PrintedCell) -> str:
    """A cell's runs; a group label of table 三 breaks after its numeral (「（三）」「不予公开」),
    where the narrow column would otherwise break it anywhere. The break is no text: the label
    reads back whole."""
    if not cell.text:
        return ""
    group = _GROUP_LABEL.match(cell.text)
    if group and cell.role is Role.LABEL and cell.col + cell.colspan < table.label_columns:
        return _run(group[1]) + "<w:r><w:br/></w:r>" + _run(group[2])
    return _run(cell.text)


def _cell_style(table: PrintedTable, cell: PrintedCell) -> str:
    """Centred, except a row label that reaches the values: table 三's outcome labels are long
    sentences, read from the left (the narrow group cells 「（三）不予公开」 stay centred)."""
    if cell.role is Role.LABEL and table.number == 3 and cell.col + cell.colspan == table.label_columns:
        return "TableLabel"
    return "TableText"


def _column_twips(widths: Iterable[float]) -> list[int]:
    """Column widths in twips, scaled to the type area and rounded so that they add up exactly."""
    widths = list(widths)
    area = _twips(PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) - 1
    scale = area / sum(widths)
    out, carried = [], 0.0
    for width in widths:
        exact = width * scale + carried
        out.append(round(exact))
        carried = exact - out[-1]
    return out


def _body(printed: PrintedReport) -> str:
    parts = [_title(printed)]
    after_table = False
    for section in printed.sections:
        # Air between a table and the heading below it (half a line).
        gap = f'<w:spacing w:before="{_twips(5)}"/>' if after_table else ""
        parts.append(_paragraph("Heading1", _run(section.heading), gap))
        parts.extend(_body_paragraph(text) for text in section.paragraphs)
        after_table = section.table is not None
        if section.table is not None:
            parts.append(_table(section.table))
    return "".join(parts) + _section_properties()


def _section_properties() -> str:
    width, height = (_twips(mm) for mm in PAGE_MM)
    margins = " ".join(f'w:{side}="{_twips(mm)}"' for side, mm in MARGINS_MM.items())
    return (
        '<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/>'
        '<w:footerReference w:type="even" r:id="rIdFooterEven"/>'
        f'<w:pgSz w:w="{width}" w:h="{height}"/>'
        f'<w:pgMar {margins} w:header="{_twips(15)}" w:footer="{_twips(FOOTER_MM)}" w:gutter="0"/>'
        '<w:pgNumType w:fmt="decimal" w:start="1"/><w:cols w:space="425"/>'
        f'<w:docGrid w:linePitch="{round(BODY_LINE_PT * 20)}"/></w:sectPr>'
    )


def _footer(side: str) -> str:
    """A footer with 「— N —」, one character (4号) in from the right (odd) or left (even) edge."""
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    indent = f'<w:ind w:{side}="{round(SIHAO * 20)}"/><w:jc w:val="{side}"/>'
    content = _run("— ") + field + _run(" —")
    return _xml(
        f'<w:ftr {_NAMESPACES}><w:p><w:pPr><w:pStyle w:val="Footer"/>{indent}</w:pPr>{content}</w:p></w:ftr>'
    )


# --- the package -------------------------------------------------------------------------------

_NAMESPACES = f'xmlns:w="{_W_NS}" xmlns:r="{_R_NS}"'


def _xml(body: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _style(kind: str, style_id: str, name: str, ppr: str = "", rpr: str = "", extra: str = "") -> str:
    return (
        f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name}"/>{extra}'
        f"{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}</w:style>"
    )


def _spacing(line_pt: float, before: int = 0, after: int = 0) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{round(line_pt * 20)}" w:lineRule="exact"/>'


def _styles() -> str:
    no_indent = '<w:ind w:firstLine="0" w:firstLineChars="0"/>'
    body_indent = f'<w:ind w:firstLineChars="200" w:firstLine="{round(2 * SANHAO * 20)}"/>'
    based = '<w:basedOn w:val="Normal"/>'
    styles = [
        _style(
            "paragraph",
            "Normal",
            "Normal",
            # Ranged left, not justified: LibreOffice (7.4) leaves out of the PDF, page and text
            # layer alike, a 「、」 or 「。」 that justified text hangs into the margin. With 28
            # characters to the line (GB/T 9704) the right edge stays even all the same.
            '<w:widowControl w:val="0"/><w:adjustRightInd w:val="0"/>'
            + _spacing(BODY_LINE_PT)
            + body_indent
            + '<w:jc w:val="left"/>',
            _fonts(BODY_FONT) + _tracking(BODY_TRACKING_PT) + _size(SANHAO),
            "<w:qFormat/>",
        ).replace('w:type="paragraph"', 'w:type="paragraph" w:default="1"'),
        _style(
            "paragraph",
            "Title",
            "Title",
            "<w:keepNext/>"
            + _spacing(TITLE_LINE_PT, after=round(BODY_LINE_PT * 20))
            + no_indent
            + '<w:jc w:val="center"/>',
            _fonts(TITLE_FONT) + _tracking(0) + _size(ERHAO),
            based + '<w:next w:val="Normal"/><w:qFormat/>',
        ),
        _style(
            "paragraph",
            "Heading1",
            "heading 1",
            '<w:keepNext/><w:outlineLvl w:val="0"/>',
            _fonts(HEADING_FONT),
            based + '<w:next w:val="Normal"/><w:qFormat/>',
        ),
        _style(
            "paragraph",
            "Heading2",
            "heading 2",
            '<w:keepNext/><w:outlineLvl w:val="1"/>',
            _fonts(SUBHEADING_FONT),
            based + '<w:next w:val="Normal"/><w:qFormat/>',
        ),
        _style(
            "paragraph",
            "TableText",
            "表格文字",
            _spacing(TABLE_LINE_PT) + no_indent + '<w:jc w:val="center"/>',
            _fonts(TABLE_FONT) + _tracking(0) + _size(WUHAO),
            based + "<w:qFormat/>",
        ),
        _style(
            "paragraph",
            "TableLabel",
            "表格行名",
            '<w:jc w:val="left"/>',
            extra='<w:basedOn w:val="TableText"/><w:qFormat/>',
        ),
        _style(
            "paragraph",
            "Footer",
            "footer",
            _spacing(SIHAO * 1.3) + no_indent,
            _fonts(TABLE_FONT) + _tracking(0) + _size(SIHAO),
            based,
        ),
        _style(
            "character",
            "DefaultParagraphFont",
            "Default Paragraph Font",
            extra='<w:uiPriority w:val="1"/><w:semiHidden/>',
        ).replace('w:type="character"', 'w:type="character" w:default="1"'),
        _style(
            "table",
            "TableNormal",
            "Normal Table",
            extra='<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
            '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>',
        ).replace('w:type="table"', 'w:type="table" w:default="1"'),
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'{_fonts(BODY_FONT)}<w:kern w:val="2"/>{_size(SANHAO)}'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        "<w:pPrDefault/></w:docDefaults>"
    )
    return _xml(f"<w:styles {_NAMESPACES}>{defaults}{''.join(styles)}</w:styles>")


def _font_table() -> str:
    fonts = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"modern" if name == HEADING_FONT else "roman"}"/><w:pitch w:val="variable"/></w:font>'
        for name, alt in FONTS.items()
    )
    return _xml(f"<w:fonts {_NAMESPACES}>{fonts}</w:fonts>")


def _settings() -> str:
    return _xml(
        f"<w:settings {_NAMESPACES}>"
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/>'
        '<w:characterSpacingControl w:val="compressPunctuation"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
        ' w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>'
    )


def _core(title: str, creator: str, keywords: str) -> str:
    now = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    return _xml(
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_text(title)}</dc:title>"
        f"<dc:creator>{_text(creator)}</dc:creator>"
        f"<cp:keywords>{_text(keywords)}</cp:keywords>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _content_types() -> str:
    overrides = {
        "/word/document.xml": f"{_WML}.document.main+xml",
        "/word/styles.xml": f"{_WML}.styles+xml",
        "/word/settings.xml": f"{_WML}.settings+xml",
        "/word/fontTable.xml": f"{_WML}.fontTable+xml",
        "/word/footer1.xml": f"{_WML}.footer+xml",
        "/word/footer2.xml": f"{_WML}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    }
    return _xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f"<Override PartName={quoteattr(p)} ContentType={quoteattr(t)}/>" for p, t in overrides.items()
        )
        + "</Types>"
    )


def _relationships(items: Iterable[tuple[str, str, str]]) -> str:
    return _xml(
        f'<Relationships xmlns="{_PKG_REL}">'
        + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
        + "</Relationships>"
    )


def write_docx(printed: PrintedReport) -> bytes:
    """The report as a DOCX file (bytes), laid out as a government document; see the module."""
    return package_docx(
        _body(printed), title=printed.title, creator=printed.agency or "", keywords="政府信息公开工作年度报告"
    )


def package_docx(body: str, *, title: str, creator: str, keywords: str) -> bytes:
    """A DOCX file of ``body`` (the ``w:body`` content, its ``w:sectPr`` included) with this
    module's styles, fonts, settings and page-number footers: the one package every government
    document of gongkai is written in (the report, the written notices of a request)."""
    document = _xml(f"<w:document {_NAMESPACES}><w:body>{body}</w:body></w:document>")
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _relationships(
            [
                ("rId1", f"{_REL}/officeDocument", "word/document.xml"),
                ("rId2", f"{_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
            ]
        ),
        "docProps/core.xml": _core(title, creator, keywords),
        "word/document.xml": document,
        "word/_rels/document.xml.rels": _relationships(
            [
                ("rIdStyles", f"{_REL}/styles", "styles.xml"),
                ("rIdSettings", f"{_REL}/settings", "settings.xml"),
                ("rIdFonts", f"{_REL}/fontTable", "fontTable.xml"),
                ("rIdFooterOdd", f"{_REL}/footer", "footer1.xml"),
                ("rIdFooterEven", f"{_REL}/footer", "footer2.xml"),
            ]
        ),
        "word/styles.xml": _styles(),
        "word/settings.xml": _settings(),
        "word/fontTable.xml": _font_table(),
        "word/footer1.xml": _footer("right"),
        "word/footer2.xml": _footer("left"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return out.getvalue()
