"""A report as a portal page or a Word file (for tests), its tables with the official merged cells.

The three tables are first built as a model, rows of ``(text, rowspan, colspan)`` with covered
positions left out, as HTML writes them; ``write_html`` and ``write_docx`` render that model.
「|」 in a text marks a line break inside the cell (「商业|企业」).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from gongkai.model.layouts import G_RESULTS, REQUEST_BALANCE_NOTE
from support.textwriter import SECTION_TITLES, _narrative, _Parts

Report = Any
Cell = tuple[str, int, int]
Table = list[list[Cell]]


def _c(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return (text, rowspan, colspan)


def active_table(parts: _Parts) -> Table:
    """Table 二: caption, header and data rows of each block, three value columns wide."""
    rows: Table = []
    for caption, headers, data in parts.active_blocks():
        extra = 3 - len(headers)  # the last column spans what the block does not use
        rows.append([_c(caption, colspan=4)])
        rows.append(
            [
                _c("信息内容"),
                *[_c(h, colspan=1 + (extra if i == len(headers) - 1 else 0)) for i, h in enumerate(headers)],
            ]
        )
        for label, values in data:
            rows.append(
                [
                    _c(label),
                    *[
                        _c(v, colspan=1 + (extra if i == len(values) - 1 else 0))
                        for i, v in enumerate(values)
                    ],
                ]
            )
    return rows


def requests_table(parts: _Parts) -> Table:
    """Table 三 with its three header rows and merged label cells."""
    rows: Table = [
        [_c(REQUEST_BALANCE_NOTE.official, 3, 3), _c("申请人情况", colspan=7)],
        [_c("自然人", rowspan=2), _c("法人或其他组织", colspan=5), _c("总计", rowspan=2)],
        [_c(t) for t in ("商业|企业", "科研|机构", "社会公益|组织", "法律服务|机构", "其他")],
    ]
    labels = parts.request_labels()
    group_sizes: dict[int, int] = {}
    for i, (_, cells) in enumerate(labels):
        if len(cells) == 3 and cells[1]:
            size = 1
            while i + size < len(labels) and len(labels[i + size][1]) == 3 and not labels[i + size][1][1]:
                size += 1
            group_sizes[i] = size
    results = sum(1 for _, cells in labels if len(cells) >= 2 and cells[0] in ("", G_RESULTS.official))
    for i, (key, cells) in enumerate(labels):
        if len(cells) == 1:
            head = [_c(cells[0], colspan=3)]
        elif len(cells) == 2:
            head = ([_c(cells[0], rowspan=results)] if cells[0] else []) + [_c(cells[1], colspan=2)]
        else:
            head = ([_c(cells[1], rowspan=group_sizes[i])] if cells[1] else []) + [_c(cells[2])]
        rows.append(head + [_c(v) for v in parts.request_values(key)])
    return rows


def appeals_table(parts: _Parts) -> Table:
    """Table 四: the grouped header and one row of fifteen values."""
    leaves = [_c(t) for t in ("结果|维持", "结果|纠正", "其他|结果", "尚未|审结", "总计")]
    return [
        [_c("行政复议", colspan=5), _c("行政诉讼", colspan=10)],
        [
            *(_c(t, rowspan=2) for t in ("结果|维持", "结果|纠正", "其他|结果", "尚未|审结", "总计")),
            _c("未经复议直接起诉", colspan=5),
            _c("复议后起诉", colspan=5),
        ],
        leaves + leaves,
        [_c(v) for v in parts.appeal_values()],
    ]


TABLES = {2: active_table, 3: requests_table, 4: appeals_table}


def _html_table(table: Table) -> str:
    def td(text: str, rowspan: int, colspan: int) -> str:
        spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
            f' colspan="{colspan}"' if colspan > 1 else ""
        )
        return f"<td{spans}>{escape(text).replace('|', '<br>')}</td>"

    return (
        "<table border=1>"
        + "".join("<tr>" + "".join(td(*c) for c in row) + "</tr>" for row in table)
        + "</table>"
    )


def write_html(report: Report | Mapping[str, Any]) -> str:
    """The report inside a portal page: navigation, a script and a footer around it."""
    parts = _Parts(report)
    narrative = _narrative(parts)
    body = [f"<h1>{escape(parts.agency)}{parts.year}年度政府信息公开工作年度报告</h1>"]
    for number, title in enumerate(SECTION_TITLES, start=1):
        body.append(f"<p><strong>{title}</strong></p>")
        body += [f"<p>{escape(p)}</p>" for p in narrative[number]]
        if number in TABLES:
            body.append(_html_table(TABLES[number](parts)))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开</title>"
        "<script>var nav = '<table><tr><td>行政复议</td></tr></table>';</script></head><body>"
        "<nav><a href='/'>首页</a> | <a>政务公开</a> | <a>互动交流</a></nav>"
        f"<div class='article'>{''.join(body)}</div>"
        "<footer>主办单位：示例市人民政府办公室 | 网站标识码 0000000000</footer></body></html>"
    )


def _place(table: Table) -> tuple[int, int, list[tuple[int, int, Cell]]]:
    """Each cell's top-left position in the full grid, as a browser lays the table out."""
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            _, rowspan, colspan = cell
            placed.append((r, c, cell))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
            width = max(width, c)
    return len(table), width, placed


def write_docx(report: Report | Mapping[str, Any]) -> bytes:
    """The report as a Word file: headings, paragraphs, tables merged with Word's own merge."""
    from docx import Document

    parts = _Parts(report)
    narrative = _narrative(parts)
    doc = Document()
    doc.add_paragraph(f"{parts.agency}{parts.year}年度政府信息公开工作年度报告")
    for number, title in enumerate(SECTION_TITLES, start=1):
        doc.add_paragraph(title)
        for paragraph in narrative[number]:
            doc.add_paragraph(paragraph)
        if number in TABLES:
            height, width, placed = _place(TABLES[number](parts))
            table = doc.add_table(rows=height, cols=width)
            # Every cell taken once, before any merge: table.cell() walks the whole table on each
            # call (1.8 s a report). The areas never overlap, so no merge touches another's cells.
            grid = [row.cells for row in table.rows]
            for r, c, (text, rowspan, colspan) in placed:
                cell = grid[r][c]
                if rowspan > 1 or colspan > 1:
                    cell = cell.merge(grid[r + rowspan - 1][c + colspan - 1])
                first, *more = text.split("|")
                cell.paragraphs[0].text = first
                for line in more:
                    cell.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_paragraph_docx(text: str, tab_stops: bool = False) -> bytes:
    """A Word file whose every line of ``text`` is a paragraph, tabs as Word's tabs, and no table:
    a text report saved as Word (issue 16). ``tab_stops`` adds the stops Word sets when columns are
    lined up by hand (properties of the paragraph, no text of their own)."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for line in text.splitlines():
        paragraph = doc.add_paragraph(line)  # python-docx writes 「\t」 as <w:tab/>
        if tab_stops:
            for k in range(1, 6):
                paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(3 * k))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# A CJK TrueType font from Debian's fonts-wqy-microhei (scripts/system-packages installs it).
CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def write_pdf(
    report: Report | Mapping[str, Any], *, embed_font: bool = False, ruled: bool = True, centred: bool = False
) -> bytes:
    """The report as a PDF with a text layer: tables with the official merged cells.

    By default the font is reportlab's built-in CJK font STSong-Light, named but not embedded,
    as some producers (and OFD converters) do; ``embed_font`` embeds a subset of WenQuanYi
    Micro Hei (:data:`CJK_FONT_FILE`), as Word and WPS do. ``ruled=False`` draws the tables
    without any line, as some reports are typeset; ``centred`` centres every cell's text
    horizontally and vertically (reportlab's default is left and bottom).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    font = "WenQuanYi" if embed_font else "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(
            TTFont(font, str(CJK_FONT_FILE), subfontIndex=0) if embed_font else UnicodeCIDFont(font)
        )
    style = ParagraphStyle("cn", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    parts = _Parts(report)
    narrative = _narrative(parts)
    story: list[Any] = [Paragraph(f"{escape(parts.agency)}{parts.year}年度政府信息公开工作年度报告", style)]
    for number, title in enumerate(SECTION_TITLES, start=1):
        story.append(Paragraph(title, style))
        story += [Paragraph(escape(p), style) for p in narrative[number]]
        if number in TABLES:
            height, width, placed = _place(TABLES[number](parts))
            grid: list[list[Any]] = [[""] * width for _ in range(height)]
            commands: list[Any] = [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 6),
            ]
            if ruled:
                commands.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
            if centred:
                commands.append(("VALIGN", (0, 0), (-1, -1), "MIDDLE"))
            cell_style = ParagraphStyle(
                "cell", fontName=font, fontSize=6, leading=7, wordWrap="CJK", alignment=1 if centred else 0
            )
            for r, c, (text, rowspan, colspan) in placed:
                # Paragraphs wrap inside their cell, as in a real report; 「|」 is a line break.
                grid[r][c] = Paragraph(escape(text).replace("|", "<br/>"), cell_style)
                if rowspan > 1 or colspan > 1:
                    commands.append(("SPAN", (c, r), (c + colspan - 1, r + rowspan - 1)))
            labels = {4: 1, 10: 3, 15: 0}[width]  # label columns of tables 二, 三, 四
            widths = [
                (200 / labels if c < labels else 300 / (width - labels)) if labels else 500 / width
                for c in range(width)
            ]
            story += [
                Spacer(1, 4),
                PdfTable(grid, colWidths=widths, style=TableStyle(commands)),
                Spacer(1, 4),
            ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()
