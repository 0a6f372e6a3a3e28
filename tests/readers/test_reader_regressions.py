"""Regressions from the review of issue 2: each reproduces a misreading, crash or hang that was fixed."""

from __future__ import annotations

import json

import pytest
from conftest import clean_report_2019, clean_report_2021
from support.textwriter import write_tab_text, write_word_text
from typer.testing import CliRunner

from gongkai.checks import check_reading
from gongkai.cli import app
from gongkai.model.report import report_cells, report_to_json
from gongkai.readers import read_bytes, read_text

CLEAN_2021 = clean_report_2021()


def _rules(reading) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in check_reading(reading):
        found.setdefault(f.rule, []).append(f)
    return found


def test_word_in_a_table_three_cell_does_not_shift_the_row():
    """「若干」 in 本年新收·自然人 is a bad value in its own cell; the other cells stay in place."""
    text = write_tab_text(CLEAN_2021).replace(
        "一、本年新收政府信息公开申请数量\t\t5\t2", "一、本年新收政府信息公开申请数量\t\t若干\t2"
    )
    reading = read_text(text)
    new = reading.report.requests.new
    assert (new.natural, new.commercial, new.other_org, new.total) == (None, 2, 0, 7)
    assert any(n.rule == "READ-VALUE" and "若干" in n.message for n in reading.notices)


def test_units_printed_in_headers_apply_to_bare_numbers():
    """「采购总金额（万元）」 over 「25.1」 is 251000 元; 「本年收费金额（单位：元）」 over 「5000」 is 0.5 万元."""
    text = (
        write_tab_text(clean_report_2019())
        .replace("采购总金额（元）", "采购总金额（万元）")
        .replace("\t251000", "\t25.1")
    )
    assert read_text(text).report.active.procurement.amount == 251000
    text = (
        write_tab_text(CLEAN_2021)
        .replace("（单位：万元）", "（单位：元）")
        .replace("行政事业性收费\t0.5", "行政事业性收费\t5000")
    )
    reading = read_text(text)
    assert reading.report.active.fees.amount == 0.5
    assert "LAY-T2-FEE-UNIT" in _rules(reading)


def test_missing_column_is_an_error_and_the_others_are_placed_by_name():
    """Without 法律服务机构 the other six columns keep their values; LAY-T3-SHAPE names the gap."""
    # Remove the 法律服务机构 header cell and the matching (5th value) cell of every table-三 row.
    text = write_tab_text(CLEAN_2021).replace("社会公益组织\t法律服务机构\t其他", "社会公益组织\t其他")
    rows = []
    for line in text.splitlines():
        cells = line.split("\t")
        numbers = [i for i, c in enumerate(cells) if c.strip().isdigit()]
        if len(numbers) == 7 and not line.startswith(("1\t", "0\t")):
            del cells[numbers[4]]
        rows.append("\t".join(cells))
    reading = read_text("\n".join(rows))
    assert reading.report.requests.new.total == 7 and reading.report.requests.new.legal is None
    shape = _rules(reading)["LAY-T3-SHAPE"]
    assert any(f.severity.value == "error" and "法律服务机构" in f.message for f in shape)


def test_rows_after_a_stray_line_continue_the_table():
    """A running header in the middle of table 三 does not cut the table."""
    text = write_word_text(CLEAN_2021).replace(
        "\n\n\t\n\t（四）无法提供", "\n\n示例市科学技术局2024年度报告（续表）\n\n\t\n\t（四）无法提供", 1
    )
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert "LAY-T3-SHAPE" not in _rules(reading)


def test_unknown_row_under_a_group_is_reported():
    """「9.属于其他情形」 under （三）不予公开 is not in the layout: READ-ROW, not silence."""
    text = write_tab_text(CLEAN_2021).replace(
        "\t\t8. 属于行政查询事项", "\t\t9. 属于其他情形\t4\t0\t0\t0\t0\t0\t4\n\t\t8. 属于行政查询事项"
    )
    assert any("其他情形" in n.message for n in read_text(text).notices if n.rule == "READ-ROW")


def test_group_heading_six_on_an_empty_row_is_not_the_2019_single_row():
    """「（六）其他处理」 alone above its three sub-rows (Word export, empty cells) is a heading."""
    text = write_word_text(CLEAN_2021).replace(
        "\t（六）其他处理\n\t1.申请人", "\t（六）其他处理\n\t\n\t\n\t\n\t\n\t\n\t\n\t\n\n\t\n\t1.申请人", 1
    )
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert check_reading(reading) == []


def test_note_line_after_table_four_is_text_not_part_of_a_cell():
    """「注：…」 right after the last value of a Word table is a paragraph; table 四 is read."""
    text = write_word_text(CLEAN_2021)
    last_value = text.rindex("\n\t0\n")
    text = text[: last_value + 4] + "注：本表数据统计截至2024年12月31日。\n" + text[last_value + 4 :]
    reading = read_text(text)
    assert reading.report.appeals.review.upheld == 1
    assert "LAY-T4-SHAPE" not in _rules(reading)


@pytest.mark.parametrize("cell", ["3万", "3 5", "١٢"])
def test_doubtful_numbers_are_not_guessed(cell):
    """「3万」 in a count cell, 「3 5」 and non-ASCII digits are not read as numbers."""
    text = write_tab_text(CLEAN_2021).replace("行政许可\t30", f"行政许可\t{cell}")
    reading = read_text(text)
    assert reading.report.active.licensing.decisions is None
    assert any(n.rule == "READ-VALUE" for n in reading.notices)


def test_unclosed_bookmarks_do_not_hang():
    """A line of unclosed 「[bookmark:」 (quadratic before the fix) reads in linear time."""
    text = write_tab_text(CLEAN_2021).replace("## 六、", "[bookmark:" * 40_000 + "\n\n## 六、")
    assert read_text(text).report.year == 2024


def test_a_five_thousand_digit_cell_is_a_bad_value_not_a_crash():
    """Python refuses to print such an integer; the reader refuses to read it."""
    text = write_tab_text(CLEAN_2021).replace("行政许可\t30", "行政许可\t" + "9" * 5000)
    reading = read_text(text)
    assert reading.report.active.licensing.decisions is None
    json.dumps(report_to_json(reading.report))


def test_markup_in_names_and_text_is_printed_as_is(tmp_path):
    """A file name or label such as 「[/red]」 is not Rich markup: no crash, printed verbatim."""
    path = tmp_path / "报告[b].txt"
    path.write_text(
        write_tab_text(CLEAN_2021).replace("行政许可\t30", "行政许可[/red]\t30"), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "报告[b].txt" in result.output


@pytest.mark.parametrize(
    ("payload", "phrase"),
    [
        (
            b'{"schema": "gongkai.report/1", "format": "2021", "requests": {"new": {"natural": "5"}}}',
            'requests.new.natural：单元格的值应为数字或 null，且绝对值小于 1,000,000,000,000,000（超出合理范围的数、文字、true/false 都不行），这里是 "5"',
        ),
        (
            b'{"schema": "gongkai.report/1", "format": "2021", "requests": {"new": {"natural": true}}}',
            "单元格的值应为数字或 null，且绝对值小于 1,000,000,000,000,000（超出合理范围的数、文字、true/false 都不行），这里是 true",
        ),
        (
            b'{"schema": "gongkai.report/1", "format": "2021", "requests": {"new": {"natural": NaN}}}',
            "这里是 NaN",
        ),
        (b"[1, 2]", "报告对象"),
    ],
    ids=["string", "bool", "nan", "array"],
)
def test_report_json_is_strict(tmp_path, payload, phrase):
    """Report JSON cells are numbers or null; anything else is refused with one line."""
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + payload)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and phrase in result.output


def test_json_with_a_bom_is_read_as_json(tmp_path):
    """A UTF-8 BOM before the JSON object does not make it look like a text report."""
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(report_to_json(CLEAN_2021), ensure_ascii=False).encode())
    assert CliRunner().invoke(app, ["check", str(path)]).exit_code == 0


def test_headerless_2019_row_takes_the_2019_block():
    """「行政许可 12 -2 300」 with no header row above it fills the three 2019 columns."""
    report = clean_report_2019()
    text = write_tab_text(report)
    text = text.replace("信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可", "行政许可", 1)
    active = read_bytes(text.encode(), "x").report.active
    assert (active.licensing.previous, active.licensing.change, active.licensing.decisions) == (12, -2, 300)


def test_unknown_extra_column_of_table_two_is_an_error():
    """Only the 2019 （八） 处理决定数量 column is a tolerated extra; any other is an error."""
    text = write_tab_text(CLEAN_2021).replace(
        "信息内容\t本年处理决定数量\t\t\n行政许可\t30\t\t",
        "信息内容\t本年处理决定数量\t备注\t\n行政许可\t30\t5\t",
        1,
    )
    shape = _rules(read_text(text))["LAY-T2-SHAPE"]
    assert [(f.severity.value, "备注" in f.message) for f in shape] == [("error", True)]
