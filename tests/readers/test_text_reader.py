"""The text reader on the quirks real exports carry, and the layout checks that need the source.

Each test starts from a clean report written in a seed's shape (tests/support/textwriter.py),
changes one thing the way real reports do, and asserts what is read and what is found.
"""

from __future__ import annotations

import codecs
import re

import pytest
from conftest import SECTION_ORDER, clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from support.textwriter import write_markdown, write_tab_text, write_word_text

from gongkai.checks import check_reading, has_errors
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, read_all_bytes, read_bytes, read_text
from gongkai.readers.split import split_document
from gongkai.readers.text.reader import text_to_document

CLEAN_2021 = clean_report_2021()
CLEAN_2019 = clean_report_2019()
WRITERS = {"word": write_word_text, "tab": write_tab_text, "markdown": write_markdown}


def _cells(text: str) -> dict:
    return report_cells(read_text(text).report)


def _rules(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in check_reading(read_text(text)):
        found.setdefault(f.rule, []).append(f)
    return found


@pytest.mark.parametrize("shape", WRITERS)
@pytest.mark.parametrize("report", [CLEAN_2021, CLEAN_2019], ids=["2021", "2019"])
def test_each_shape_reads_back_clean(shape, report):
    """Every shape reads back cell-exact, and a clean report gets no finding at all."""
    reading = read_text(WRITERS[shape](report))
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year, reading.report.format) == (
        report.agency,
        report.year,
        report.format,
    )
    assert check_reading(reading) == []


def test_full_width_digits_and_thousands_separators():
    """「５」 and 「5,829」 are numbers; full-width spaces inside cells are ignored."""
    report = clean_report_2021(**{"active.licensing.decisions": 5829})
    text = (
        write_tab_text(report)
        .replace("行政许可\t5829", "行政许可\t5,829")
        .replace(
            "一、本年新收政府信息公开申请数量\t\t5\t2", "一、本年新收政府信息公开申请数量\t\t５\t\u30002"
        )
    )
    assert _cells(text) == report_cells(report)


@pytest.mark.parametrize("mark", ["—", "/", "无", "-", ""])
def test_dash_slash_none_and_blank_are_null(mark):
    """A dash, 「/」, 「—」, 「无」 or a blank numeric cell is null (report-json.md)."""
    text = write_tab_text(CLEAN_2021).replace("行政许可\t30", f"行政许可\t{mark}")
    reading = read_text(text)
    assert reading.report.active.licensing.decisions is None
    notes = [n for n in reading.notices if n.rule == "READ-VALUE"]
    if mark in ("—", "/", "-"):
        assert notes and notes[0].cells == ["active.licensing.decisions"] and notes[0].line
    assert not has_errors(check_reading(reading))


@pytest.mark.parametrize("zero", ["〇", "○", "零", "０"])
def test_a_zero_written_as_a_chinese_numeral_is_zero(zero):
    """「〇」 (or 「○」, 「零」) alone in a numeric cell is 0, read silently like a full-width 「０」."""
    text = write_tab_text(CLEAN_2021).replace("行政许可\t30", f"行政许可\t{zero}")
    reading = read_text(text)
    assert reading.report.active.licensing.decisions == 0
    assert not [n for n in reading.notices if n.rule == "READ-VALUE"]


def test_look_alike_characters_in_labels():
    """「尚末审结」 and 「逾期末按收费」 (末 for 未, as typed or OCRed) are the official labels."""
    text = re.sub(r"尚未(\s?)审结", r"尚末\1审结", write_tab_text(CLEAN_2021)).replace("逾期未按", "逾期末按")
    assert "尚末 审结" in text and "逾期末按" in text
    assert _cells(text) == report_cells(CLEAN_2021)


def test_text_in_a_numeric_cell_is_null_with_a_reading_note():
    """「若干」 is not a number: null, and a READ-VALUE finding points at the line."""
    text = write_word_text(CLEAN_2021).replace("\t行政许可\n\t30", "\t行政许可\n\t若干")
    reading = read_text(text)
    assert reading.report.active.licensing.decisions is None
    [note] = [n for n in reading.notices if n.rule == "READ-VALUE"]
    assert "若干" in note.message and note.line == text.splitlines().index("\t若干") + 1


def test_page_numbers_bookmarks_and_captions_between_rows():
    """Stray 「1」, 「- 2 -」, 「图 1」 and [bookmark: …] lines do not disturb the tables or the text."""
    text = write_word_text(CLEAN_2021)
    text = text.replace("\n\n\t二、上年结转", "\n\n- 2 -\n\n\t二、上年结转", 1)
    text = text.replace("\n\n\t（七）总计", "\n\n1\n\n\t（七）总计", 1)
    text = text.replace("\t本年处理决定数量", "\t[bookmark: _GoBack]本年处理决定数量", 1)
    assert "\n五、存在的主要问题" in text
    text = text.replace("\n五、存在的主要问题", "\n图 1\n\n五、存在的主要问题", 1)
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert not any("图 1" in (t or "") for t in reading.report.sections.model_dump().values())
    assert check_reading(reading) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("一、总体情况", "1、 总体情况"),
        ("五、存在的主要问题及改进情况", "存在的主要问题及改进情况"),
        ("六、其他需要报告的事项", "# 六、其他需要报告的事项"),
        ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"),
        ("五、存在的主要问题及改进情况", "5、 政府信息公开工作存在的主要问题及改进情况"),
    ],
)
def test_heading_variants(old, new):
    """Numerals as 1、/5、, a missing numeral, # marks and longer wordings are all headings."""
    text = write_word_text(CLEAN_2021)
    assert old in text
    reading = read_text(text.replace(old, new, 1))
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER
    assert "SEC-SIX" not in _rules(text.replace(old, new, 1))


def test_sub_headings_and_inline_numbering_are_not_sections():
    """「（一）主动公开」 and a sentence with 「一、」 inside stay in section 一."""
    text = write_word_text(CLEAN_2021).replace(
        "（一）主动公开",
        "（1） 主动公开情况。\n二、主动公开方面，本年新增栏目3个，内容较多，持续更新，不再一一列举。",
        1,
    )
    reading = read_text(text)
    assert [h.key for h in reading.sections.headings][:2] == ["overview", "active"]
    assert "本年新增栏目3个" in reading.report.sections.overview


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le"])
def test_encodings(encoding):
    """UTF-8 with BOM, GB18030/GBK and UTF-16 (with or without BOM) are decoded right."""
    text = write_tab_text(CLEAN_2021).replace("“", '"').replace("”", '"')
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        assert not data.startswith(codecs.BOM_UTF16_LE)
    reading = read_bytes(data, "x")
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert reading.report.agency == CLEAN_2021.agency


def test_straight_and_curly_quotes_and_half_width_brackets():
    """「危及"三安全一稳定"」 and 「(三) 不予公开」 match the official labels."""
    report = clean_report_2021(
        **{
            "requests.withheld.security.natural": 1,
            "requests.withheld.security.total": 1,
            "requests.granted.natural": 2,
            "requests.granted.total": 2,
        }
    )
    text = write_word_text(report).replace("3.危及“三安全一稳定”", '3. 危及"三安全一稳定"')
    text = text.replace("（三）不予公开", "(三)不予公开")
    assert _cells(text) == report_cells(report)


def test_unknown_row_is_reported_not_guessed():
    """A row whose label is not in the layout is left out with a READ-ROW finding."""
    text = write_tab_text(CLEAN_2021).replace(
        "四、结转下年度继续办理", "五、备注\t\t0\t0\t0\t0\t0\t0\t0\t\n四、结转下年度继续办理"
    )
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert any(n.rule == "READ-ROW" and "备注" in n.message for n in reading.notices)


# --- layout checks: they need the source -----------------------------------------------------


def test_missing_row_of_table_three():
    """LAY-T3-SHAPE: a report that leaves out 「8.属于行政查询事项」 is flagged."""
    lines = [ln for ln in write_tab_text(CLEAN_2021).splitlines() if "行政查询事项" not in ln]
    found = _rules("\n".join(lines))
    assert [f.severity.value for f in found["LAY-T3-SHAPE"]] == ["error"]
    assert "行政查询事项" in found["LAY-T3-SHAPE"][0].message


def test_single_other_row_in_a_2021_report():
    """（六）其他处理 printed as one row in a 2021 report: kept so, with a LAY-T3-SHAPE warning."""
    text = write_tab_text(CLEAN_2021)
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if "(六) 其他处理" in ln)
    lines[start : start + 3] = ["\t(六) 其他处理\t0\t1\t0\t0\t0\t0\t1\t"]
    reading = read_text("\n".join(lines))
    assert reading.report.requests.other.commercial == 1
    found = _rules("\n".join(lines))
    assert [f.severity.value for f in found.pop("LAY-T3-SHAPE")] == ["warning"]
    assert not [f for fs in found.values() for f in fs if f.severity.value == "error"], found


def test_mixed_layouts():
    """LAY-FORMAT-CONSISTENT: a 2021 report whose 二（一） carries the 2019 headers."""
    text = write_tab_text(CLEAN_2021).replace(
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
    )
    found = _rules(text)
    assert "LAY-FORMAT-CONSISTENT" in found
    assert found["LAY-FORMAT-CONSISTENT"][0].severity.value == "error"
    assert "LAY-T2-SHAPE" in found  # the 2021 columns of 二（一） are missing


def test_missing_notes_and_units():
    """LAY-T3-NOTE and LAY-T2-FEE-UNIT: the 勾稽 note, the 部分公开 note, the 万元 unit."""
    text = write_tab_text(CLEAN_2021)
    text = text.replace("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)", "")
    text = text.replace(" (区分处理的, 只计这一情形, 不计其他情形)", "").replace("（单位：万元）", "")
    found = _rules(text)
    assert len(found["LAY-T3-NOTE"]) == 2
    assert found["LAY-T2-FEE-UNIT"][0].cells == ["active.fees.amount"]


def test_procurement_without_unit_2019():
    """LAY-T2-PROC-UNIT: a bare 采购总金额 is read as 元 and flagged."""
    text = write_tab_text(CLEAN_2019).replace("采购总金额（元）", "采购总金额")
    reading = read_text(text)
    assert reading.report.active.procurement.amount == 251000
    assert "LAY-T2-PROC-UNIT" in _rules(text)


def test_procurement_amount_in_wan_yuan():
    """A 采购总金额 written 「25.1万元」 is 251000 元."""
    text = write_tab_text(CLEAN_2019).replace("\t251000", "\t25.1万元")
    assert read_text(text).report.active.procurement.amount == 251000


def test_missing_table_four_and_block():
    """LAY-T4-SHAPE when table 四 is absent; LAY-T2-SHAPE when a block of table 二 is."""
    text = write_tab_text(CLEAN_2021)
    no_four = text[: text.index("## 四、")] + text[text.index("## 五、") :]
    assert "LAY-T4-SHAPE" in _rules(no_four)
    lines = text.splitlines()
    i = lines.index("第二十条第（六）项\t\t\t")
    del lines[i : i + 4]
    found = _rules("\n".join(lines))
    assert any("第二十条第（六）项" in f.message for f in found["LAY-T2-SHAPE"])


def test_title_without_report_words():
    """SEC-TITLE: a title that does not say 年度报告."""
    text = write_word_text(CLEAN_2021).replace("政府信息公开工作年度报告", "政府信息公开工作情况", 1)
    assert [f.message for f in _rules(text)["SEC-TITLE"]] == [
        "标题“示例市科学技术局2024年度政府信息公开工作情况”中没有“年度报告”。"
    ]


def test_no_tables_is_unreadable():
    """Running text without any statistical table is not a report."""
    with pytest.raises(UnreadableDocument, match="统计表"):
        read_text("# 关于某事的通知\n\n一、总体情况\n\n正文。")


@needs_seeds
def test_one_invalid_byte_in_a_utf8_report_is_replaced_and_said_issue_14():
    """A seed with one byte garbled in its text: every cell read as before, one READ-ENCODING
    warning naming the line, the rest of the text intact."""
    text, gold = seed_pairs()[0]
    data = text.read_bytes()
    line = 7  # the first paragraph of 一、总体情况
    rows = data.splitlines(keepends=True)
    cut = sum(len(row) for row in rows[: line - 1]) + len(rows[line - 1].decode()[:10].encode())
    garbled = data[:cut] + b"\xff" + data[cut:]
    reading = read_bytes(garbled, "garbled.txt")
    assert report_cells(reading.report) == report_cells(report_from_json(load_json(gold)))
    assert reading.report.sections == read_bytes(data, text.name).report.sections.model_copy(
        update={"overview": reading.report.sections.overview}
    )
    assert "\ufffd" in reading.report.sections.overview
    notes = [f for f in reading.notices if f.rule == "READ-ENCODING"]
    assert len(notes) == 1 and notes[0].line == line and notes[0].severity.value == "warning"
    assert f"第{line}行有1处字节不是有效的 UTF-8" in notes[0].message


@pytest.mark.parametrize("shape", sorted(WRITERS))
def test_the_reports_of_one_file_search_only_their_own_text_issue_16(shape):
    """A text document keeps its source text, so that a test for control or Traditional characters
    searches it once; the parts of a file of several reports must not keep the whole file's, or
    each part searches all of it (the fuzzer's file of 1,001 reports: 29 s to read instead of 2)."""
    one = WRITERS[shape](CLEAN_2021)
    doc = text_to_document("\n\n".join([one, one.replace("0", "\x0b0", 1), one]))
    parts = split_document(doc)
    assert doc.text is not None and len(parts) == 3
    assert [part.text for part in parts] == [None, None, None]
    readings = read_all_bytes("\n\n".join([one, one.replace("0", "\x0b0", 1), one]).encode(), "x.txt")
    expected = report_cells(read_text(one).report)
    assert [report_cells(r.report) for r in readings] == [expected] * 3  # the \x0b of the second cleaned
