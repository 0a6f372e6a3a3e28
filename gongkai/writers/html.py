"""The report as one self-contained HTML page, fit to publish on a government portal.

The page carries everything it needs: the style sheet is embedded, there are no scripts, no web
fonts and no external references, so it can be uploaded as it is or pasted into a portal's
article template. It is written for people who use screen readers too (GB/T 37668, WCAG 2):

* ``lang="zh-CN"``, one ``<h1>`` (the title), each section a ``<section aria-labelledby>`` with
  its ``<h2>``; the running text as ``<p>``.
* Tables 二, 三 and 四 are semantic tables in the official merged layout of
  :mod:`gongkai.writers.printed`: a ``<caption>`` (「表三 收到和处理政府信息公开申请情况」),
  the header rows in ``<thead>`` as ``<th scope="col">`` (``colgroup`` over several columns),
  row labels as ``<th scope="row">`` (``rowgroup`` for a label merged down several rows), values
  as ``<td>``. The header trees of tables 三 and 四 are too deep for ``scope`` alone, so every
  value also names its headers (``headers="…"``, WCAG technique H43). Table 二's block captions
  (「第二十条第（一）项」) are full-width header rows, each block its own ``<tbody>``; table 三's
  勾稽 note is a ``<td>``: it explains the label column, it heads no value.
* Printable on A4 with the margins of GB/T 9704: no page break inside a row, header rows
  repeated on each page (``thead``), a heading kept with what follows it.

Findings, when the report has them, follow the report in the page's ``<footer>``, one table
row each (级别, 规则, 单元格 in words, 说明, 位置), each cell named linked to the cell, which is
outlined in the table. The footer is not the report: the project's HTML reader skips it as it
skips a portal's footer, so a page written with findings reads back as the same report.

Every text is escaped. Each paragraph and table row is on a line of its own, so that findings
on a page read back point at useful source lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import Finding, Severity
from gongkai.writers.printed import PrintedCell, PrintedReport, PrintedSection, PrintedTable, Role

__all__ = ["CAPTIONS", "write_html"]

# Table captions: the table's number and its section's heading without the numeral. The HTML
# reader does not read captions (they are not rows), so any wording reads back the same.
CAPTIONS = {
    2: "表二 主动公开政府信息情况",
    3: "表三 收到和处理政府信息公开申请情况",
    4: "表四 政府信息公开行政复议、行政诉讼情况",
}
_SEVERITY_WORD = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
# Cell key → the worst severity of the errors and warnings naming it, and their row ids.
_Marks = dict[str, tuple[Severity, list[str]]]

# Fonts of printed official documents (GB/T 9704): 仿宋 for the text, 黑体 for headings, 小标宋
# for the title, each with the names Windows, macOS and Linux know it by, then a generic family.
_CSS = """\
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #000;
  font-family: "仿宋_GB2312", "仿宋", FangSong, "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-size: 16pt; line-height: 1.75; }
main { max-width: 46em; margin: 0 auto; padding: 1.5em 1em 2em; }
h2, caption, th[scope="col"], th[scope="colgroup"], th.caption { font-family: "黑体", SimHei, "STHeiti", "Heiti SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "黑体", SimHei, "Noto Serif CJK SC", serif;
  font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 0.5em 0 1em; }
h2 { font-size: 16pt; font-weight: normal; margin: 1em 0 0.25em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.table-wrap { overflow-x: auto; margin: 0.75em 0 1em; }
.table-wrap:focus { outline: 2px solid #005a9c; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 10.5pt; line-height: 1.4; }
.t3 { min-width: 44em; }
.t4 { min-width: 40em; }
caption { font-size: 12pt; padding: 0 0 0.4em; }
th, td { border: 1px solid #000; padding: 0.25em 0.3em; vertical-align: middle; overflow-wrap: anywhere; }
th { font-weight: normal; text-align: center; }
th[scope="row"], th[scope="rowgroup"] { text-align: left; }
th.caption { text-align: left; background: #f2f2f2; }
td { text-align: center; font-variant-numeric: tabular-nums; }
td.note { text-align: left; font-size: 9pt; }
.cell-error { outline: 2px solid #b00020; outline-offset: -3px; background: #fde8ea; }
.cell-warning { outline: 2px dashed #8a5a00; outline-offset: -3px; background: #fff4d6; }
footer { max-width: 46em; margin: 0 auto; padding: 0 1em 2em; }
.findings h2 { font-size: 14pt; }
.findings table { font-size: 10.5pt; }
.findings td { text-align: left; }
.findings a { color: #005a9c; }
@media print {
  @page { size: A4; margin: 37mm 26mm 35mm 28mm; }
  body { font-size: 16pt; }
  main, footer { max-width: none; padding: 0; }
  .table-wrap { overflow: visible; }
  .t3, .t4 { min-width: 0; }
  thead { display: table-header-group; }
  tr, th, td { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, caption { break-after: avoid; page-break-after: avoid; }
  .cell-error, .cell-warning { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .findings { break-before: page; page-break-before: always; }
}
"""


def write_html(printed: PrintedReport) -> str:
    """The report as a self-contained, accessible HTML page (see the module docstring)."""
    marks = _cell_marks(printed.findings)
    title = escape(printed.title)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f'<h1 id="title">{title}</h1>',
    ]
    for section in printed.sections:
        out.extend(_section(section, marks))
    out.append("</main>")
    if printed.findings:
        out.extend(_findings(printed))
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _section(section: PrintedSection, marks: _Marks) -> Iterator[str]:
    heading_id = f"s-{section.key}"
    yield f'<section aria-labelledby="{heading_id}">'
    yield f'<h2 id="{heading_id}">{escape(section.heading)}</h2>'
    for paragraph in section.paragraphs:
        yield f"<p>{escape(paragraph)}</p>"
    if section.table is not None:
        yield from _table(section.table, marks)
    yield "</section>"


# --- tables ----------------------------------------------------------------------------------------


def _table(table: PrintedTable, marks: _Marks) -> Iterator[str]:
    n = table.number
    covering = _covering(table)
    rows = table.rows()
    # A scrollable region on narrow screens, reachable by keyboard and named by the caption.
    yield f'<div class="table-wrap" role="region" aria-labelledby="t{n}-caption" tabindex="0">'
    yield f'<table class="t{n}">'
    yield f'<caption id="t{n}-caption">{escape(CAPTIONS[n])}</caption>'
    yield from _colgroups(table)
    if table.header_rows:
        yield "<thead>"
        for r in range(table.header_rows):
            yield _row(table, rows[r], covering, marks)
        yield "</thead>"
    starts = _body_groups(table, covering)
    for r in range(table.header_rows, table.height):
        if r in starts:
            if r != table.header_rows:
                yield "</tbody>"
            yield "<tbody>"
        yield _row(table, rows[r], covering, marks)
    yield "</tbody>"
    yield "</table>"
    yield "</div>"


def _colgroups(table: PrintedTable) -> Iterator[str]:
    """Column widths as percentages; label columns and value columns as two column groups, so
    that a header over all the value columns (「申请人情况」) heads a real ``colgroup``."""
    total = sum(table.widths)
    cols = [f'<col style="width:{100 * w / total:.2f}%">' for w in table.widths]
    split = table.label_columns
    if 0 < split < table.width:
        yield "<colgroup>" + "".join(cols[:split]) + "</colgroup>"
        yield "<colgroup>" + "".join(cols[split:]) + "</colgroup>"
    else:
        yield "<colgroup>" + "".join(cols) + "</colgroup>"


def _covering(table: PrintedTable) -> list[list[PrintedCell]]:
    """For every position, the cell that covers it (merged cells cover several)."""
    grid: list[list[PrintedCell | None]] = [[None] * table.width for _ in range(table.height)]
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                grid[r][c] = cell
    assert all(c is not None for row in grid for c in row), "a printed table covers every position"
    return grid  # type: ignore[return-value]


def _body_groups(table: PrintedTable, covering: list[list[PrintedCell]]) -> set[int]:
    """Rows that start a ``<tbody>``: each block of table 二 (at its caption), and each label
    merged down several rows (「三、本年度办理结果」) with the rows it heads, so that its
    ``scope="rowgroup"`` means just those rows and no rowspan crosses a group."""
    first = table.header_rows
    starts = {first}
    for r in range(first, table.height):
        cell = covering[r][0]
        if cell.row != r:
            continue
        if cell.role is Role.CAPTION:
            starts.add(r)
        elif cell.role is Role.LABEL and cell.rowspan > 1:
            starts.update((r, r + cell.rowspan))
    return {r for r in starts if r < table.height}


def _cell_id(table: PrintedTable, cell: PrintedCell) -> str:
    if cell.key is not None:
        return f"c-{cell.key}"
    return f"t{table.number}-{cell.row}-{cell.col}"


def _headers(table: PrintedTable, cell: PrintedCell, covering: list[list[PrintedCell]]) -> list[str]:
    """The ids of a value's headers: table 二's block caption, the row labels (outermost first),
    then the column headers from the top."""
    labels: list[PrintedCell] = []
    for c in range(cell.col - 1, -1, -1):
        other = covering[cell.row][c]
        if other.role is Role.LABEL and other not in labels:
            labels.insert(0, other)
    heads: list[PrintedCell] = []
    for r in range(cell.row - 1, -1, -1):
        other = covering[r][cell.col]
        if other.role in (Role.HEADER, Role.CAPTION) and other not in heads:
            heads.insert(0, other)
        if other.role is Role.CAPTION:
            break
    # Table 二's block caption reads first: 「第二十条第（一）项 规章 本年制发件数」.
    captions = [h for h in heads if h.role is Role.CAPTION]
    heads = [h for h in heads if h.role is not Role.CAPTION]
    return [_cell_id(table, h) for h in (*captions, *labels, *heads)]


def _row(
    table: PrintedTable,
    cells: list[PrintedCell],
    covering: list[list[PrintedCell]],
    marks: _Marks,
) -> str:
    parts = ["<tr>"]
    for cell in cells:
        spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
            f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
        )
        text = escape(cell.text)
        ident = _cell_id(table, cell)
        if cell.role is Role.VALUE:
            headers = " ".join(_headers(table, cell, covering))
            extra = ""
            if cell.key in marks:
                severity, finding_ids = marks[cell.key]
                extra = f' class="cell-{severity.value}" aria-describedby="{" ".join(finding_ids)}"'
            parts.append(f'<td id="{ident}" headers="{headers}"{spans}{extra}>{text}</td>')
        elif cell.role is Role.CAPTION:
            parts.append(f'<th id="{ident}" class="caption" scope="rowgroup"{spans}>{text}</th>')
        elif cell.role is Role.LABEL:
            scope = "rowgroup" if cell.rowspan > 1 else "row"
            parts.append(f'<th id="{ident}" scope="{scope}"{spans}>{text}</th>')
        elif cell.col < table.label_columns and cell.row < table.header_rows:
            # Table 三's 勾稽 note: a remark on the label column, not the header of any value.
            parts.append(f'<td id="{ident}" class="note"{spans}>{text}</td>')
        else:
            scope = "colgroup" if cell.colspan > 1 else "col"
            parts.append(f'<th id="{ident}" scope="{scope}"{spans}>{text}</th>')
    parts.append("</tr>")
    return "".join(parts)


# --- findings --------------------------------------------------------------------------------------

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _cell_marks(findings: tuple[Finding, ...]) -> _Marks:
    """Cell key → the worst severity of an error or warning naming it, and those findings' ids."""
    marks: _Marks = {}
    for i, finding in enumerate(findings, start=1):
        if finding.severity is Severity.INFO:
            continue
        for key in finding.cells:
            severity, ids = marks.get(key, (finding.severity, []))
            worst = min(severity, finding.severity, key=_RANK.__getitem__)
            marks[key] = (worst, [*ids, f"finding-{i}"])
    return marks


def _named(key: str, printed: PrintedReport) -> str:
    """A cell in words (「表三“（一）予以公开”行“自然人”列」), its path when it has no name."""
    try:
        return cell_name(key, layout_for(printed.format))
    except (ValueError, KeyError, StopIteration):
        return key


def _findings(printed: PrintedReport) -> Iterator[str]:
    printed_keys = {c.key for t in printed.tables for c in t.value_cells()}
    counts = {s: sum(1 for f in printed.findings if f.severity is s) for s in _SEVERITY_WORD}
    summary = "，".join(f"{_SEVERITY_WORD[s]}{n}条" for s, n in counts.items() if n)
    with_place = any(f.place or f.line for f in printed.findings)
    yield "<footer>"
    yield '<section class="findings" aria-labelledby="findings-title">'
    yield f'<h2 id="findings-title">检查发现（共{len(printed.findings)}条：{summary}）</h2>'
    yield '<div class="table-wrap" role="region" aria-labelledby="findings-title" tabindex="0">'
    yield "<table>"
    heads = ["级别", "规则", "单元格", "说明", *(["位置"] if with_place else [])]
    yield "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in heads) + "</tr></thead>"
    yield "<tbody>"
    for i, finding in enumerate(printed.findings, start=1):
        names = []
        for key in finding.cells:
            name = escape(_named(key, printed))
            names.append(f'<a href="#c-{escape(key)}">{name}</a>' if key in printed_keys else name)
        place = finding.place or (f"第{finding.line}行" if finding.line else "")
        row = [
            f'<th scope="row">{_SEVERITY_WORD[finding.severity]}</th>',
            f"<td><code>{escape(finding.rule)}</code></td>",
            f"<td>{'<br>'.join(names)}</td>",
            f"<td>{escape(finding.message)}</td>",
            *([f"<td>{escape(place)}</td>"] if with_place else []),
        ]
        yield f'<tr id="finding-{i}">' + "".join(row) + "</tr>"
    yield "</tbody>"
    yield "</table>"
    yield "</div>"
    yield "</section>"
    yield "</footer>"
