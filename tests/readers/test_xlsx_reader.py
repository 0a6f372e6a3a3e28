"""The XLSX reader (issue 3): a whole report in a workbook, a supervisor's spreadsheet of its
tables, and damaged or hostile workbooks.

The fixtures (tests/support/xlsxwriter.py) render the table model of the HTML writer, so the
merges are the official ones and the numbers are numeric cells.
"""

from __future__ import annotations

import doctest
import io
import re
import zipfile

import pytest
from conftest import SECTION_ORDER, clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from support.htmlwriter import write_html
from support.readback import assert_same_report
from support.strategies import valid_reports
from support.xlsxwriter import write_xlsx_report, write_xlsx_tables

from gongkai.checks import check_reading, report_to_findings
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, bytes_to_document, read_bytes
from gongkai.readers.xlsx import numbers as xlsx_numbers
from gongkai.readers.xlsx import reader as xlsx_reader
from gongkai.readers.xlsx.package import MAX_MERGES
from gongkai.readers.xlsx.reader import MAX_GRID_CELLS, MAX_SHEETS, xlsx_to_document

CLEAN_2021 = clean_report_2021()
CLEAN_XLSX = write_xlsx_report(CLEAN_2021)
PAIRS = seed_pairs()
SHEET = "xl/worksheets/sheet1.xml"


def _cells(data: bytes) -> dict:
    return report_cells(read_bytes(data, "report.xlsx").report)


# --- round trips --------------------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(
    report=valid_reports(),
    sheet_per_table=st.booleans(),
    spaced=st.booleans(),
    merged_text=st.booleans(),
    formats=st.booleans(),
)
def test_round_trip_whole_report(report, sheet_per_table, spaced, merged_text, formats):
    """A random valid report laid out in a workbook reads back equal, text and tables, no error."""
    data = write_xlsx_report(
        report, sheet_per_table=sheet_per_table, spaced=spaced, merged_text=merged_text, formats=formats
    )
    reading = read_bytes(data, "report.xlsx")
    assert_same_report(reading, report)
    # The running text reads as it does from the same report as a web page.
    assert reading.report.sections == read_bytes(write_html(report).encode(), "report.html").report.sections
    assert [f for f in check_reading(reading) if f.severity.value == "error"] == []


@settings(max_examples=8, deadline=None)
@given(
    report=valid_reports(),
    title=st.sampled_from(["row", "sheet", None]),
    one_sheet=st.booleans(),
    formats=st.booleans(),
)
def test_round_trip_supervisor_spreadsheet(report, title, one_sheet, formats):
    """Only the tables: read cell-exact; the organ and year when a first row or sheet name gives them.

    There is no running text, so no section is found: the reading says so (every section
    ``null``, the section checks' errors) rather than inventing any.
    """
    data = write_xlsx_tables(report, title=title, one_sheet=one_sheet, formats=formats)
    reading = read_bytes(data, "tables.xlsx")
    assert report_cells(reading.report) == report_cells(report)
    assert reading.report.format == report.format
    expected = (report.agency, report.year) if title else (None, None)
    assert (reading.report.agency, reading.report.year) == expected
    assert reading.sections.headings == []
    assert all(text is None for text in reading.report.sections.model_dump().values())
    errors = {f.rule for f in check_reading(reading) if f.severity.value == "error"}
    assert errors and all(rule.startswith("SEC-") for rule in errors)
    assert ("READ-SHEET-NAME" in {n.rule for n in reading.notices}) == (title == "sheet")


@needs_seeds
@pytest.mark.parametrize("shape", ["report", "tables"])
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_tables_read_cell_exact(shape, text, gold):
    """Each seed's exact tables, as a whole-report workbook and as a supervisor's, read cell-exact."""
    report = report_from_json(load_json(gold))
    data = write_xlsx_report(report) if shape == "report" else write_xlsx_tables(report, one_sheet=True)
    assert _cells(data) == report_cells(report)


def test_formats_that_print_units_and_scale():
    """「0.00"万元"」 on 0.5 reads 0.5 万元; 「0!.0000"万元"」 on 251000 元 prints 25.1万元 → 251000 元."""
    for report in (CLEAN_2021, clean_report_2019()):
        assert _cells(write_xlsx_report(report, formats=True)) == report_cells(report)
    doc = xlsx_to_document(write_xlsx_report(clean_report_2019(), formats=True), "x.xlsx")
    texts = [c.text for grid in doc.grids for row in grid.rows for c in row]
    assert "25.1万元" in texts


def test_number_rendering_doctests():
    """The examples in the reader's docstrings (number formats, running text) hold."""
    results = [doctest.testmod(module) for module in (xlsx_numbers, xlsx_reader)]
    assert sum(r.attempted for r in results) >= 5 and not any(r.failed for r in results)


# --- provenance and shapes ----------------------------------------------------------------------


def test_lines_run_through_the_workbook():
    """A cell's line is its row counted through the sheets: sheet 表三 continues after 表二."""
    data = write_xlsx_report(CLEAN_2021, sheet_per_table=True)
    workbook = load_workbook(io.BytesIO(data))
    text_sheet, active, requests = workbook.worksheets[:3]
    row = next(c.row for c in requests["A"] if c.value == "一、本年新收政府信息公开申请数量")
    reading = read_bytes(data, "x.xlsx")
    line = reading.origins["requests.new.total"]
    assert line == text_sheet.max_row + active.max_row + row
    assert reading.places[line] == f"工作表「表三」第{row}行"


def test_merged_cells_expand_like_html():
    """Table 三's header: the note cell spans 3×3, 「申请人情况」 7 columns, as the HTML reader expands them."""
    grid = next(g for g in bytes_to_document(CLEAN_XLSX, "x.xlsx").grids if "申请人情况" in str(g.texts()))
    html_grid = next(
        g
        for g in bytes_to_document(write_html(CLEAN_2021).encode(), "x.html").grids
        if g.texts() == grid.texts()
    )
    spans = [[(c.colspan, c.rowspan) for c in row] for row in grid.rows]
    assert spans == [[(c.colspan, c.rowspan) for c in row] for row in html_grid.rows]
    assert grid.rows[1][4].text == "法人或其他组织" and grid.rows[2][4].text == "商业企业"  # 「商业\n企业」


def test_rows_of_blank_values_stay_in_their_table():
    """A table row whose values are all blank is a lone label; touching its table, it reads with it.

    Without blank rows around the tables, such a row sits right before a section heading (the
    last rows of tables 二 and 三 here) or between table rows (行政处罚).
    """
    blank = {"active.penalty.decisions": None, "active.fees.amount": None}
    blank |= {f"requests.carried_over.{c}": None for c in ("natural", "commercial", "total")}
    report = clean_report_2021(**blank)
    assert all(report_cells(report)[k] is None for k in blank)
    reading = read_bytes(write_xlsx_report(report, spaced=False), "x.xlsx")
    assert report_cells(reading.report) == report_cells(report)
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER
    assert reading.report.sections == read_bytes(write_html(report).encode(), "x.html").report.sections
    assert ("carried_over", reading.origins["requests.total.total"] + 1) in reading.evidence.request_rows


def test_hidden_sheet_skipped_and_said():
    """A hidden sheet (last year's table, a lookup list) is not read; a notice names it."""
    data = write_xlsx_tables(CLEAN_2021)
    workbook = load_workbook(io.BytesIO(data))
    stale = workbook.copy_worksheet(workbook["表三 依申请公开"])
    stale.title = "去年"
    stale.sheet_state = "hidden"
    workbook.move_sheet(stale, offset=-workbook.index(stale))  # first, so that it would win
    for row in stale.iter_rows():
        for cell in row:
            if isinstance(cell.value, int):
                cell.value += 1
    out = io.BytesIO()
    workbook.save(out)
    reading = read_bytes(out.getvalue(), "x.xlsx")
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert any(n.rule == "READ-SHEET" and "去年" in n.message for n in reading.notices)


def test_dates_and_booleans_are_text_and_cells_split_into_paragraphs():
    """A date prints as a date, a boolean as TRUE; a cell's line breaks split running text."""
    from datetime import datetime

    workbook = Workbook()
    ws = workbook.active
    ws["A1"] = "第一段。\n第二段。"
    ws["A3"] = datetime(2025, 1, 20)
    ws["A5"] = True
    out = io.BytesIO()
    workbook.save(out)
    doc = xlsx_to_document(out.getvalue(), "x.xlsx")
    assert [(p.text, p.line) for p in doc.paragraphs] == [
        ("第一段。", 1),
        ("第二段。", 1),
        ("2025-01-20", 3),
        ("TRUE", 5),
    ]


# --- values: formulas, text numbers -------------------------------------------------------------


def _edit_workbook(data: bytes, edit) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    edit(workbook.active)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row_of(ws, label: str) -> int:
    """The row holding ``label`` in its first column."""
    return next(c.row for c in ws["A"] if c.value == label)


def _set_new_total_formula(ws) -> None:
    """表三 「本年新收」 总计 (column J, after three label and six applicant columns) as a formula."""
    row = _row_of(ws, "一、本年新收政府信息公开申请数量")
    assert ws.cell(row, 10).value == 7
    ws.cell(row, 10).value = f"=SUM(D{row}:I{row})"


def test_formula_without_cached_value_is_blank_and_said():
    """A formula saved without its result (openpyxl, scripts) is blank, never 0, and a notice names it."""
    data = _edit_workbook(CLEAN_XLSX, _set_new_total_formula)
    reading = read_bytes(data, "x.xlsx")
    assert CLEAN_2021.requests.new.total == 7
    assert reading.report.requests.new.total is None
    assert reading.raw_cells["requests.new.total"] is None
    cells = report_cells(reading.report)
    assert {k: v for k, v in cells.items() if v != report_cells(CLEAN_2021)[k]} == {
        "requests.new.total": None
    }
    row = _row_of(load_workbook(io.BytesIO(data)).active, "一、本年新收政府信息公开申请数量")
    notice = next(n for n in reading.notices if n.rule == "READ-FORMULA")
    assert "年度报告" in notice.message and f"J{row}" in notice.message and notice.line == row
    assert notice.severity.value == "warning"


def test_formula_with_cached_value_reads_the_value():
    """A formula saved by Excel carries its result: that is read, no notice."""
    data = _edit_workbook(CLEAN_XLSX, _set_new_total_formula)
    data = _replace_in_part(data, SHEET, "</f><v></v>", "</f><v>7</v>")
    reading = read_bytes(data, "x.xlsx")
    assert reading.report.requests.new.total == 7
    assert not any(n.rule == "READ-FORMULA" for n in reading.notices)


def test_number_stored_as_text_still_reads():
    """「30」 typed into a text-formatted cell is a string cell; it reads as the number 30."""

    def edit(ws):
        row = _row_of(ws, "行政许可")
        assert ws.cell(row, 2).value == 30
        ws.cell(row, 2).value = "30"

    data = _edit_workbook(CLEAN_XLSX, edit)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.cell(_row_of(ws, "行政许可"), 2).data_type == "s"
    assert read_bytes(data, "x.xlsx").report.active.licensing.decisions == 30


# --- damaged and hostile workbooks --------------------------------------------------------------


def _replace_in_part(data: bytes, part: str, old: str, new: str) -> bytes:
    """The same package with one replacement in ``part``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == part:
                text = content.decode("utf-8")
                assert old in text
                content = text.replace(old, new, 1).encode("utf-8")
            target.writestr(name, content)
    return out.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# 「Billion laughs」: ten levels of ten references; expanded, 10^10 copies of 「哈」.
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a0 "哈">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 11))
    + f']><worksheet {_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a10;</t></is></c>'
    "</row></sheetData></worksheet>"
).encode()
# One harmless entity: openpyxl's parser (the standard library's expat) would expand it.
_ONE_ENTITY = (
    f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY org "某某县民政局">]><worksheet {_NS}>'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&org;</t></is></c></row></sheetData></worksheet>'
).encode()


def _with_sheet(xml: bytes) -> bytes:
    """The clean workbook with its first sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(CLEAN_XLSX))
    return _zip({name: xml if name == SHEET else source.read(name) for name in source.namelist()})


def _sheet_with_cells(cells: dict[str, int], merges: int = 0) -> bytes:
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        rows.setdefault(int(re.sub(r"\D", "", ref)), []).append(f'<c r="{ref}"><v>{value}</v></c>')
    data = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    merge_cells = "".join(f'<mergeCell ref="A{2 * i + 1}:B{2 * i + 1}"/>' for i in range(merges))
    merged = f'<mergeCells count="{merges}">{merge_cells}</mergeCells>' if merges else ""
    return _with_sheet(f"<worksheet {_NS}><sheetData>{data}</sheetData>{merged}</worksheet>".encode())


def _many_sheets(count: int) -> bytes:
    workbook = Workbook()
    for n in range(count - 1):
        workbook.create_sheet(f"S{n}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: CLEAN_XLSX[: len(CLEAN_XLSX) // 2], "损坏或被截断"),
        (lambda: _zip({"xl/workbook.xml": b"<workbook/>"}), r"不完整，缺少 \[Content_Types\].xml"),
        (
            lambda: _with_sheet(f"<worksheet {_NS}><sheetData><row r='1'><c r='A1'>".encode()),
            "工作表「年度报告」已损坏",
        ),
        (lambda: _zip({"xl/workbook.xml": b"0" * (201 * 1024 * 1024)}), "压缩炸弹"),
        (lambda: _with_sheet(_LAUGHS), "实体炸弹"),
        (lambda: _with_sheet(_ONE_ENTITY), "xl/worksheets/sheet1.xml 含有文档类型声明"),
        (lambda: _sheet_with_cells({f"XFD{r}": 1 for r in range(1, 200)}), "「年度报告」过大"),
        (
            lambda: _sheet_with_cells({"A1": 1, "XFD1": 1, "A2": 1}),
            f"2行×16384列，超过{MAX_GRID_CELLS}个单元格",
        ),
        (lambda: _sheet_with_cells({"A1": 1}, merges=MAX_MERGES + 1), "合并单元格区域"),
        (lambda: _many_sheets(MAX_SHEETS + 1), f"{MAX_SHEETS + 1}张工作表"),
    ],
    ids=[
        "truncated",
        "no-parts",
        "broken-sheet-xml",
        "zip-bomb",
        "entity-bomb",
        "any-dtd",
        "absurd-sheet",
        "absurd-table",
        "absurd-merges",
        "absurd-sheet-count",
    ],
)
def test_damaged_and_hostile_workbooks(make, phrase):
    """Each is refused with one clear message naming what is wrong, from the reader itself."""
    with pytest.raises(UnreadableDocument, match=phrase):
        xlsx_to_document(make(), "x.xlsx")


def test_truncated_workbook_through_read_bytes():
    """Cut in half, the package is refused before any reader runs (the zip directory is gone)."""
    with pytest.raises(UnreadableDocument, match="损坏或被截断"):
        read_bytes(CLEAN_XLSX[: len(CLEAN_XLSX) // 2], "x.xlsx")


def test_workbook_is_recognised_by_content():
    """A workbook saved under another name is still read as one."""
    assert report_cells(read_bytes(CLEAN_XLSX, "report.txt").report) == report_cells(CLEAN_2021)


def test_control_characters_in_cells_are_cleaned_on_the_way_in_issue_14():
    """A workbook's _x000B_ (Word's line break, pasted into Excel) and _x0000_ are characters no
    report holds: read as a line break and dropped, so the report reads and can be written again."""
    from gongkai.writers import render

    report = clean_report_2021()
    first = report.sections.overview.split("\n")[0]
    cut = len(first) // 2
    marked = report.sections.overview.replace(first, f"{first[:cut]}BREAK{first[cut:]}JUNK", 1)
    edited = report.model_copy(update={"sections": report.sections.model_copy(update={"overview": marked})})
    data = render(edited, "xlsx", report_to_findings(edited))
    package = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as patched:
        for item in package.infolist():
            content = package.read(item).replace(b"BREAK", b"_x000B_").replace(b"JUNK", b"_x0000__x001F_")
            patched.writestr(item, content)
    reading = read_bytes(out.getvalue(), "r.xlsx")
    overview = reading.report.sections.overview
    # the break is a line break, which the section reader joins like any other
    assert re.search(f"{re.escape(first[:cut])}\\s{re.escape(first[cut:])}", overview)
    assert "\x00" not in overview and "\x1f" not in overview
    assert report_cells(reading.report) == report_cells(report)
    render(reading.report, "xlsx", report_to_findings(reading.report))  # and it can be written again
