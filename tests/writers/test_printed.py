"""The report as printed (gongkai/writers/printed.py): the official layout every writer renders."""

from __future__ import annotations

from conftest import clean_report_2019, clean_report_2021
from hypothesis import given, settings
from support.strategies import valid_reports

from gongkai.model.layouts import layout_for
from gongkai.model.report import report_cells
from gongkai.writers.printed import PrintedTable, Role, format_value, printed_report


def _coverage(table: PrintedTable) -> dict[tuple[int, int], int]:
    covered: dict[tuple[int, int], int] = {}
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covered[(r, c)] = covered.get((r, c), 0) + 1
    return covered


@settings(max_examples=40, deadline=None)
@given(report=valid_reports())
def test_every_position_is_covered_once_and_every_cell_is_printed(report):
    """No gap, no overlap; each value of the report appears once, as its printed text."""
    printed = printed_report(report)
    cells = report_cells(report)
    seen: dict[str, str] = {}
    for table in printed.tables:
        covered = _coverage(table)
        assert set(covered) == {(r, c) for r in range(table.height) for c in range(table.width)}
        assert set(covered.values()) == {1}
        for cell in table.value_cells():
            assert cell.key not in seen
            seen[cell.key] = cell.text
            assert cell.value == cells[cell.key]
    assert seen == {key: format_value(value, _kind(report, key)) for key, value in cells.items()}
    assert [s.heading[:2] for s in printed.sections] == ["一、", "二、", "三、", "四、", "五、", "六、"]


def _kind(report, key: str):
    layout = layout_for(report.format)
    if key.startswith("active."):
        return layout.active_kinds[key.removeprefix("active.")]
    return None


def test_table_three_is_the_official_layout():
    """The 勾稽 note over three label columns and three header rows; 「三、本年度办理结果」 down
    every outcome row; the group labels down their sub-rows (2021: （六） has three)."""
    for report, outcome_rows in ((clean_report_2021(), 22), (clean_report_2019(), 20)):
        table = printed_report(report).tables[1]
        grid = table.grid()
        note = grid[0][0]
        assert note.text.startswith("（本列数据的勾稽关系为") and (note.rowspan, note.colspan) == (3, 3)
        assert [c.text for c in table.rows()[2]] == [
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
        ]
        results = next(c for c in table.cells if c.text == "三、本年度办理结果")
        assert results.rowspan == outcome_rows and results.col == 0
        withheld = next(c for c in table.cells if c.text == "（三）不予公开")
        assert withheld.rowspan == 8 and withheld.role is Role.LABEL
        other = next(c for c in table.cells if c.text == "（六）其他处理")
        assert (other.rowspan, other.colspan) == ((3, 1) if report.format == "2021" else (1, 2))
        assert grid[-1][0].text == "四、结转下年度继续办理" and grid[-1][0].colspan == 3
        assert table.header_rows == 3 and table.width == 10


def test_table_four_and_table_two():
    table2, _, table4 = printed_report(clean_report_2021()).tables
    assert [(c.text, c.colspan) for c in table4.rows()[0]] == [("行政复议", 5), ("行政诉讼", 10)]
    assert [c.rowspan for c in table4.rows()[1][:5]] == [2] * 5
    assert len(list(table4.value_cells())) == 15
    captions = [c.text for c in table2.cells if c.role is Role.CAPTION]
    assert captions == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    fee_header = next(c for c in table2.cells if c.text.startswith("本年收费金额"))
    assert fee_header.colspan == 3
    procurement = next(
        c for c in printed_report(clean_report_2019()).tables[0].cells if "采购总金额" in c.text
    )
    assert "元" in procurement.text  # the unit meant is printed (format-and-law.md §3.2)
