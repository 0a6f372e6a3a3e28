"""The XLSX writer (gongkai/writers/xlsx.py): round trips through the XLSX reader, and the
workbook's structure as openpyxl sees it (merges, numeric cells, panes, print setup, findings)."""

from __future__ import annotations

import io
from decimal import Decimal

from conftest import clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from support.strategies import valid_reports

from gongkai.checks import check_reading, check_report, report_to_findings
from gongkai.model.layouts import CellKind
from gongkai.model.report import Severity, build_report, report_cells, report_from_json
from gongkai.readers import read_bytes
from gongkai.writers import printed_report, render
from gongkai.writers.printed import Role
from gongkai.writers.sheets import append_row
from gongkai.writers.xlsx import FINDINGS_SHEET, REPORT_SHEET, TABLE_SHEETS


def _read_back(report, findings=()):
    return read_bytes(render(report, "xlsx", findings), "r.xlsx")


def _assert_same(reading, report) -> None:
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year, reading.report.format) == (
        report.agency,
        report.year,
        report.format,
    )


def _broken_report():
    """A 2021 report with three errors: 本年新收 of 自然人 off by 4 (a row sum and the balance),
    and the 行政复议 total off by 2."""
    report = clean_report_2021()
    cells = report_cells(report)
    cells["requests.new.natural"] = 9
    cells["appeals.review.total"] = 3
    return build_report("2021", cells, agency=report.agency, year=report.year, sections=report.sections)


# --- round trips ---------------------------------------------------------------------------------


@needs_seeds
def test_seeds_read_back_as_written():
    for _, json_path in seed_pairs():
        report = report_from_json(load_json(json_path))
        _assert_same(_read_back(report, check_report(report)), report)


def test_clean_reports_read_back_whole_text_and_no_finding():
    """Title, six sections and tables: the same report, and nothing for the checks to say."""
    for report in (clean_report_2021(), clean_report_2019()):
        reading = _read_back(report)
        _assert_same(reading, report)
        assert reading.report.sections == report.sections
        assert check_reading(reading) == []


def test_findings_sheet_is_not_read_as_part_of_the_report():
    report = _broken_report()
    findings = check_report(report)
    assert {f.severity for f in findings} == {Severity.ERROR}
    reading = _read_back(report, findings)
    _assert_same(reading, report)
    assert reading.report.sections == report.sections  # no finding's text in section 六
    assert [f.rule for f in check_reading(reading)] == [f.rule for f in findings]


@settings(max_examples=25, deadline=None)
@given(
    report=st.one_of(
        valid_reports(),
        valid_reports("2021", single_other=True),
        valid_reports(blank_zeros=("requests", "appeals")),
    )
)
def test_random_reports_read_back_cell_exact(report):
    """Both layouts, blank cells (table 二 money, zeros left blank in tables 三 and 四), the
    single （六） row: the same cells, organ, year and format."""
    _assert_same(_read_back(report), report)


# --- structure -----------------------------------------------------------------------------------


def _workbook(report, findings=()):
    return load_workbook(io.BytesIO(render(report, "xlsx", findings)))


@settings(max_examples=10, deadline=None)
@given(report=st.one_of(valid_reports(), valid_reports(blank_zeros=("requests", "appeals"))))
def test_tables_are_the_printed_layout(report):
    """Each table on its sheet: the printed merges exactly, values numeric or empty, labels and
    headers as printed."""
    wb = _workbook(report)
    assert wb.sheetnames == [REPORT_SHEET, *TABLE_SHEETS.values(), FINDINGS_SHEET]
    for table in printed_report(report).tables:
        ws = wb[TABLE_SHEETS[table.number]]
        merges = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges}
        assert merges == {
            (c.row + 1, c.col + 1, c.row + c.rowspan, c.col + c.colspan)
            for c in table.cells
            if c.rowspan > 1 or c.colspan > 1
        }
        for pc in table.cells:
            cell = ws.cell(pc.row + 1, pc.col + 1)
            if pc.role is not Role.VALUE:
                assert cell.value == pc.text
            elif pc.value is None:
                assert cell.value is None
            else:
                # XLSX numbers are all doubles: openpyxl reads a whole one back as int, 3.0 too.
                assert cell.data_type == "n" and type(cell.value) in (int, float)
                assert cell.value == pc.value
                if pc.kind is not CellKind.MONEY:
                    assert type(cell.value) is int


def test_signed_and_money_number_formats():
    """2019 本年增/减 prints its sign; money prints as typed, without trailing zeros."""
    wb = _workbook(clean_report_2019())
    ws = wb[TABLE_SHEETS[2]]
    formats = {c.number_format for row in ws.iter_rows() for c in row if c.data_type == "n"}
    assert "+0;-0;0" in formats and "General" in formats and "0" in formats


def test_panes_widths_borders_and_print_setup():
    wb = _workbook(clean_report_2021())
    panes = {name: wb[name].freeze_panes for name in TABLE_SHEETS.values()}
    assert panes == {"表二 主动公开": "B1", "表三 依申请公开": "D4", "表四 复议诉讼": "A4"}
    three = wb[TABLE_SHEETS[3]]
    assert three.print_title_rows == "$1:$3"
    widths = [three.column_dimensions[letter].width for letter in "ABCDEFGHIJ"]
    printed = printed_report(clean_report_2021()).tables[1].widths
    assert [round(w / widths[0], 3) for w in widths] == [round(w / printed[0], 3) for w in printed]
    note = three["A1"]
    assert note.alignment.wrap_text and note.alignment.horizontal == "center"
    for name in TABLE_SHEETS.values():
        ws = wb[name]
        assert ws.page_setup.paperSize == 9  # A4 (PAPERSIZE_A4 is the string "9")
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        # openpyxl redraws a merged area's covered cells from its top-left cell when it loads.
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell, MergedCell):
                    assert cell.border.left.style == cell.border.bottom.style == "thin"


def test_report_sheet_holds_title_and_sections():
    report = clean_report_2021()
    ws = _workbook(report)[REPORT_SHEET]
    texts = [c.value for c in ws["A"] if c.value]
    printed = printed_report(report)
    assert texts[0] == printed.title
    assert [t for t in texts if t in {s.heading for s in printed.sections}] == [
        s.heading for s in printed.sections
    ]


def test_findings_sheet_lists_findings_and_shades_their_cells():
    report = _broken_report()
    findings = check_report(report)
    wb = _workbook(report, findings)
    ws = wb[FINDINGS_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("级别", "规则", "单元格", "位置", "说明")
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [("错误", f.rule, f.message) for f in findings]
    balance = next(r for r in rows[1:] if r[1] == "T3-BALANCE")
    assert "表三“一、本年新收政府信息公开申请数量”行“自然人”列（'表三 依申请公开'!D4）" in balance[2]
    assert ws["C2"].hyperlink.location.startswith("'表三 依申请公开'!")
    three = wb[TABLE_SHEETS[3]]
    assert three["D4"].value == 9 and three["D4"].fill.start_color.rgb == "FFF4CCCC"
    assert three["E4"].fill.fill_type == "solid"  # named too, by the row sum
    assert three["D5"].fill.fill_type == "solid" and three["F5"].fill.fill_type is None


def test_findings_sheet_says_when_nothing_was_found():
    ws = _workbook(clean_report_2021(), ())[FINDINGS_SHEET]
    assert [c.value for c in ws[2] if c.value] == ["检查未发现问题。"]


def test_organ_or_year_unknown():
    """A report without organ or year is written (the title with gaps) and reads back so."""
    report = clean_report_2021()
    report = report.model_copy(update={"agency": None})
    reading = _read_back(report)
    assert report_cells(reading.report) == report_cells(report)
    assert reading.report.agency is None and reading.report.year == report.year


def test_values_are_written_as_stated_issue_13():
    """Money digit for digit; a fractional count (which the checks name) is never cut to an integer."""
    import zipfile

    report = clean_report_2021(**{"active.fees.amount": 4166.241619, "requests.new.natural": 2.5})
    sheets = zipfile.ZipFile(io.BytesIO(render(report, "xlsx", report_to_findings(report))))
    xml = "".join(sheets.read(n).decode() for n in sheets.namelist() if n.startswith("xl/worksheets/"))
    assert "<v>4166.241619</v>" in xml and "<v>2.5</v>" in xml


# --- hardening (issue 14) ------------------------------------------------------------------------

_FORMULAS = ('=HYPERLINK("http://example.com","点此")', "+86 010 1234", "-1+2", "@SUM(A1)", "\tx", "\rx")


def _report_with_texts(agency: str, paragraphs: list[str]):
    report = clean_report_2021()
    sections = report.sections.model_copy(update={"overview": "\n".join(paragraphs)})
    return report.model_copy(update={"agency": agency, "sections": sections})


def test_text_beginning_like_a_formula_is_written_as_text_issue_14():
    """= + - @: never a live formula, in the report sheet or the findings; numbers stay numbers."""
    report = _report_with_texts("=cmd|' /C calc'!A0", list(_FORMULAS))
    findings = [f.model_copy(update={"message": "=1+1"}) for f in check_report(_broken_report())]
    wb = _workbook(report, findings)
    texts = {c.value: c for c in wb[REPORT_SHEET]["A"] if isinstance(c.value, str)}
    title = next(c for v, c in texts.items() if v.startswith("=cmd"))
    assert title.data_type == "s" and title.quotePrefix
    for formula in _FORMULAS[:4]:
        assert (texts[formula].data_type, texts[formula].quotePrefix) == ("s", True), formula
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    messages = [row[4] for row in wb[FINDINGS_SHEET].iter_rows(min_row=2)]
    assert {(c.value, c.data_type, c.quotePrefix) for c in messages} == {("=1+1", "s", True)}
    assert wb[TABLE_SHEETS[3]]["D4"].data_type == "n"
    assert report_cells(
        read_bytes(render(report, "xlsx", report_to_findings(report)), "r.xlsx").report
    ) == report_cells(report)


def test_every_export_cell_goes_through_one_safe_put_issue_14():
    """Tab and carriage return lead a formula too; numbers and None are left as they are."""
    wb = Workbook()
    row = append_row(wb.active, ["\tx", "\r=1", "=1+1", 3, Decimal("0.35"), None, "a\x0bb\x00"])
    back = load_workbook(io.BytesIO(_saved(wb))).active
    assert [(c.value, c.data_type) for c in back[row]] == [
        ("\tx", "s"),
        ("\r=1", "s"),  # openpyxl reads an escaped CR back as it was written
        ("=1+1", "s"),
        (3, "n"),
        (0.35, "n"),  # openpyxl reads a number back as a float
        (None, "n"),
        ("a\nb", "s"),
    ]


def _saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_control_characters_are_cleaned_on_the_way_out_issue_14():
    """Word's line break (\\x0b) becomes a line break; \\x00, \\x1f and \\ufffe are dropped."""
    report = _report_with_texts("某某\x00区\x1f科学技术局\ufffe", ["第一行\x0b第二行\x00，完\x1f毕\ufffe。"])
    wb = _workbook(report)
    texts = [c.value for c in wb[REPORT_SHEET]["A"] if c.value]
    assert texts[0].startswith("某某区科学技术局") and "第一行\n第二行，完毕。" in texts
