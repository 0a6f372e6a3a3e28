"""Text from PDF → Markdown converters, its tables' labels and numbers come apart (issue 16).

The shapes are written by ``support/convertedwriter.py``: labels on rows or lines of their own
before a row of numbers without one (tables 二 and 三), table 四's header words run together
above its 15 numbers, table 二 as small tables. What is determinable reads cell-exact, with an
info READ-* notice naming the cells placed by order; what is not is left unread, with a warning
naming the cells — never a value on the wrong row.
"""

from __future__ import annotations

import pytest
from conftest import clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.convertedwriter import CONVERTED_WRITERS, write_appeals_run_together
from support.strategies import valid_reports
from support.textwriter import write_markdown

from gongkai.checks import check_reading
from gongkai.model.layouts import layout_for
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_text

PAIRS = seed_pairs()
SHAPES = sorted(CONVERTED_WRITERS)
# What reading a converted shape may say: the rows paired by order, table 四 placed by order.
ORDER_RULES = {"READ-ROW-APART", "READ-HEADER"}


def _assert_reads_back(report, text: str):
    """Cell-exact, no error, and every finding an info saying what was placed by order."""
    reading = read_text(text)
    assert (reading.report.format, reading.report.agency, reading.report.year) == (
        report.format,
        report.agency,
        report.year,
    )
    expected, got = report_cells(report), report_cells(reading.report)
    assert {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v} == {}
    findings = check_reading(reading)
    assert [(f.rule, f.severity.value, f.message) for f in findings if f.severity.value != "info"] == []
    assert {f.rule for f in findings} <= ORDER_RULES
    keys = set(layout_for(report.format).cell_keys)
    assert all(set(f.cells) <= keys for f in findings)
    return reading, findings


@needs_seeds
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seeds_in_converted_shapes_read_cell_exact(text, gold, shape, seed):
    """Each seed's exact tables, written as a converter prints them, read back cell-exact."""
    report = report_from_json(load_json(gold))
    _assert_reads_back(report, CONVERTED_WRITERS[shape](report, seed))


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("shape", SHAPES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_converted_shapes_read_back_exactly(shape, fmt, data):
    """Any consistent report, written in a converted shape (which rows come apart, how labels
    wrap, how captions and table 四's header are printed drawn at random), reads back to itself;
    the placements by order are named as info notices, and the checks find nothing wrong."""
    report = data.draw(valid_reports(fmt), label="report")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    _assert_reads_back(report, CONVERTED_WRITERS[shape](report, seed))


def test_placements_by_order_are_named():
    """Rows paired by order and table 四 placed by order are said, naming exactly those cells."""
    report = clean_report_2021()
    text = CONVERTED_WRITERS["converted"](report, 0)
    _, findings = _assert_reads_back(report, text)
    [apart] = [f for f in findings if f.rule == "READ-ROW-APART"]
    assert apart.cells and all(k.startswith("requests.") for k in apart.cells)
    assert "行名与数值分开排列" in apart.message and apart.line
    [header] = [f for f in findings if f.rule == "READ-HEADER"]
    assert header.cells == [f"appeals.{k}" for k in layout_for("2021").appeal_keys]
    assert "连在一起" in header.message and "三组的总计都等于前四项之和" in header.message


def test_table_two_in_small_tables_keeps_its_blocks():
    """Captions printed as lines, bold lines, headings or one-cell tables still open their
    blocks: every 第二十条 item of the layout is found, so no block is reported missing."""
    report = clean_report_2021()
    for seed in range(8):
        reading, _ = _assert_reads_back(report, CONVERTED_WRITERS["active_pieces"](report, seed))
        assert reading.evidence.active_blocks == [b.item for b in layout_for("2021").active_blocks]


# --- what cannot be told is left unread -------------------------------------------------------


def _table_lines(lines: list[str]) -> list[int]:
    """The lines of tables 二 and 三 (rows, label lines, captions), not the separators or prose."""
    start = next(i for i, line in enumerate(lines) if line.startswith("## 二、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("## 四、"))
    return [
        i
        for i in range(start + 1, end)
        if lines[i].strip() and not lines[i].startswith("|---") and "。" not in lines[i]
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_lost_or_doubled_line_never_shifts_values(data):
    """Protects against placing silently wrong: a line of a converted table lost or printed
    twice (a row of numbers, a label, a piece of a wrapped label) leaves labels and rows of
    numbers that may no longer pair. Whatever is read then is the right value or nothing:
    never the numbers of one row under another row's label."""
    report = data.draw(valid_reports(), label="report")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    lines = CONVERTED_WRITERS["labels_apart"](report, seed).split("\n")
    for _ in range(data.draw(st.integers(1, 2), label="changes")):
        i = data.draw(st.sampled_from(_table_lines(lines)), label="line")
        if data.draw(st.booleans(), label="lost"):
            del lines[i]
        else:
            lines.insert(i, lines[i])
    expected, got = report_cells(report), report_cells(read_text("\n".join(lines)).report)
    assert {k: (v, got[k]) for k, v in expected.items() if got.get(k) is not None and got[k] != v} == {}


_SECURITY = "|  |  | 3.危及“三安全一稳定” |"
_THIRD_PARTY = "|  |  | 4.保护第三方合法权益 |"


def _two_labels_one_row(text: str) -> str:
    """Table 三's rows 3. and 4. of （三）不予公开 as two label rows, then one row of numbers."""
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith(_SECURITY))
    assert lines[i + 1].startswith(_THIRD_PARTY)
    values = lines[i + 1][len(_THIRD_PARTY) :]
    blanks = " |" * values.count("|")
    lines[i : i + 2] = [_SECURITY + blanks, _THIRD_PARTY + blanks, "|  |  |  |" + values]
    return "\n".join(lines)


def test_two_labels_over_one_row_of_numbers_are_left_unread():
    """Two labels, then one row of numbers: which row it is cannot be told. Neither row gets
    the numbers (not 「3.危及…」 by order, not 「4.保护第三方…」 by being last); a warning names
    the cells of both, and the rows around them read as usual."""
    report = clean_report_2021(**{"requests.withheld.third_party.natural": 1})
    text = _two_labels_one_row(write_markdown(report))
    reading = read_text(text)
    cells = report_cells(reading.report)
    rows = ("requests.withheld.security.", "requests.withheld.third_party.")
    assert {k: v for k, v in cells.items() if k.startswith(rows)} == {
        k: None for k in cells if k.startswith(rows)
    }
    [notice] = [n for n in reading.notices if n.rule == "READ-ROW-APART"]
    assert notice.severity.value == "warning" and "无法确定" in notice.message
    assert {k for k in cells if k.startswith(rows)} == set(notice.cells)
    assert notice.line == text.split("\n").index(_SECURITY + " |" * 7) + 1
    expected = report_cells(report)
    assert {k: v for k, v in cells.items() if not k.startswith(rows)} == {
        k: v for k, v in expected.items() if not k.startswith(rows)
    }


def test_run_together_header_over_fewer_than_15_numbers_is_left_unread():
    """Table 四's header run together and a data row of 14 numbers and a blank: no order can be
    trusted, so table 四 is left unread, and a READ-HEADER warning names its 15 cells."""
    report = clean_report_2021(**{"appeals.review.upheld": 1, "appeals.review.total": 1})
    text = write_appeals_run_together(report, 0)
    row = "| " + " | ".join(["1", "0", "0", "0", "1", *["0"] * 10]) + " |"
    assert row in text
    reading = read_text(text.replace(row, row.replace("| 1 |", "|  |", 1)))
    assert all(v is None for k, v in report_cells(reading.report).items() if k.startswith("appeals."))
    [notice] = [n for n in reading.notices if n.rule == "READ-HEADER"]
    assert notice.severity.value == "warning" and "14个数字而不是15个" in notice.message
    assert notice.cells == [f"appeals.{k}" for k in layout_for("2021").appeal_keys]


def test_run_together_header_whose_sums_disagree_is_a_warning():
    """15 numbers under a run-together header are placed by order; when a group's 总计 is not
    the sum of its four, the order may be wrong, and the notice warns instead of informing."""
    report = clean_report_2021(**{"appeals.review.upheld": 1, "appeals.review.total": 2})
    reading = read_text(write_appeals_run_together(report, 0))
    assert reading.report.appeals.review.total == 2
    [notice] = [n for n in reading.notices if n.rule == "READ-HEADER"]
    assert notice.severity.value == "warning" and "行政复议的总计不等于前四项之和" in notice.message
