"""Rows that lost their blank cells are placed by table 三's identities (issue 3, §3)."""

from __future__ import annotations

from conftest import clean_report_2021
from support.textwriter import write_tab_text

from gongkai.model.report import report_cells
from gongkai.readers import read_text
from gongkai.readers.placement import ShortRow, place_short_row

COLUMNS = ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total")


def _blank_zeros(**cells):
    """The clean report with the given table-三 rows' zero cells left blank (null)."""
    report = clean_report_2021()
    flat = report_cells(report)
    changes = {}
    for row in cells:
        for column in COLUMNS:
            key = f"requests.{row}.{column}"
            if flat[key] == 0:
                changes[key] = None
    return clean_report_2021(**changes)


def _flattened(text: str, label: str) -> str:
    """The row of ``label`` as copied out of a PDF: its blank cells gone, numbers in order."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if any(part.replace(" ", "") == label for part in line.split("\t")):
            lines[i] = "\t".join(part for part in line.split("\t") if part.strip())
    return "\n".join(lines)


def test_the_identities_choose_the_columns_of_a_short_row():
    """「1.本机关不掌握相关政府信息 1 1」: the 1 is 商业企业's, as the columns' 总计 require."""
    report = _blank_zeros(**{"unavailable.not_held": True})
    text = _flattened(write_tab_text(report), "1.本机关不掌握相关政府信息")
    assert "1. 本机关不掌握相关政府信息\t1\t1\n" in text  # the blanks are really gone
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(report)
    notice = next(n for n in reading.notices if n.rule == "READ-ROW-WIDTH")
    assert "按表三的勾稽关系放入：商业企业、总计" in notice.message
    assert notice.cells == ["requests.unavailable.not_held.commercial", "requests.unavailable.not_held.total"]


def test_several_short_rows_are_placed_together():
    """Two short rows, each decided with the other already placed."""
    report = _blank_zeros(**{"carried_over": True, "withheld.third_party": True})
    text = write_tab_text(report)
    for label in ("四、结转下年度继续办理", "4.保护第三方合法权益"):
        text = _flattened(text, label)
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(report)
    assert len([n for n in reading.notices if n.rule == "READ-ROW-WIDTH"]) == 2


def test_when_the_identities_cannot_decide_the_left_columns_are_kept_and_said():
    """With nothing else to go by, 「2 2」 is 自然人 and 总计, and five other placements are as good."""
    placement = place_short_row(ShortRow("granted", COLUMNS, (2, 2)), {})
    assert placement.columns == ("natural", "total")
    assert not placement.decided and placement.alternatives == 5


def test_a_placement_that_breaks_the_row_total_loses():
    """「3 4 7」: 7 must be the total, whatever else is unknown."""
    placement = place_short_row(ShortRow("granted", COLUMNS, (3, 4, 7)), {})
    assert placement.columns[-1] == "total"
