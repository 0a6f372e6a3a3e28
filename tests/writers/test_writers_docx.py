"""The DOCX writer (issue 4): read back cell-exact, laid out as a government document.

Round trips: the five seeds (their text as read from the seed file, their cells from the exact
JSON) and random reports of both layouts with random section text, written and read back by
:func:`gongkai.readers.read_bytes`. Structure, read with python-docx and from the XML: page and
margins, fonts, the merged cells of each table exactly as :mod:`gongkai.writers.printed` places
them, repeated header rows, rows that never split, page numbers in the footers.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
import pytest
from conftest import SECTION_ORDER, clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from docx.oxml.ns import qn
from docx.shared import Mm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from support.strategies import valid_reports

from gongkai.checks import report_to_findings
from gongkai.model import Sections
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_bytes
from gongkai.writers import render
from gongkai.writers.docx import FONTS, write_docx
from gongkai.writers.printed import PrintedTable, printed_report

PAIRS = seed_pairs()


def normalised(text: str | None) -> str:
    """Section text compared with its whitespace normalised (paragraph breaks become spaces)."""
    return " ".join((text or "").split())


def assert_same_report(read: Any, expected: Any, cells: dict[str, Any] | None = None) -> None:
    """Cells, agency, year, format and the six section texts as written."""
    assert report_cells(read) == (cells if cells is not None else report_cells(expected))
    assert (read.agency, read.year, read.format) == (expected.agency, expected.year, expected.format)
    for key in SECTION_ORDER:
        written = getattr(expected.sections, key) if expected.sections else None
        assert normalised(getattr(read.sections, key)) == normalised(written), key


@needs_seeds
@pytest.mark.parametrize("pair", PAIRS, ids=[txt.stem[:3] for txt, _ in PAIRS])
def test_seed_round_trip(pair):
    """Each seed, its text read from the seed file: written as DOCX, read back the same."""
    txt, gold = pair
    report = read_bytes(txt.read_bytes(), txt.name).report
    cells = report_cells(report_from_json(load_json(gold)))
    assert report_cells(report) == cells
    reading = read_bytes(write_docx(printed_report(report)), "report.docx")
    assert_same_report(reading.report, report, cells)
    assert not [n for n in reading.notices if n.code.startswith("READ-")]


# Paragraphs that real reports have: sentences, a level-2 heading, numbers, quotes and the
# characters XML escapes; none of them looks like one of the six section headings.
_SENTENCES = (
    "本年度主动公开政府信息120条，其中政策文件及解读7条。",
    "（一）主动公开",
    "（二）依申请公开",
    "严格落实“三审三校”制度，确保公开信息准确规范。",
    "依托门户网站 & 政务新媒体<平台>，及时更新公开内容。",
    "本年度共收到政府信息公开申请3件，均在法定期限内答复。",
    "2025年，我单位将加强业务培训，提升工作人员的业务能力。",
    "未收取信息处理费。",
)
_TEXTS = st.lists(st.sampled_from(_SENTENCES), min_size=0, max_size=4).map("\n".join)


@st.composite
def reports_with_text(draw: st.DrawFn, fmt: str) -> Any:
    """A random valid report of ``fmt`` with random text in sections 一, 四, 五 and 六."""
    report = draw(valid_reports(fmt, blank_zeros=("requests", "appeals")))
    sections = Sections(
        overview=draw(_TEXTS.filter(bool)),
        appeals=draw(_TEXTS),
        problems=draw(_TEXTS),
        other=draw(_TEXTS),
    )
    return report.model_copy(update={"sections": sections})


@pytest.mark.property
@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_random_reports_round_trip(fmt):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(report=reports_with_text(fmt))
    def check(report: Any) -> None:
        reading = read_bytes(write_docx(printed_report(report)), "report.docx")
        assert_same_report(reading.report, report)

    check()


def test_render_registry_writes_docx():
    """``render(report, "docx")`` is this writer, from the canonical JSON as well."""
    report = clean_report_2021()
    data = render(report, "docx", report_to_findings(report))
    assert data[:2] == b"PK"
    assert report_cells(read_bytes(data, "r.docx").report) == report_cells(report)


# --- structure ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["2021", "2019"])
def written(request) -> tuple[Any, Any]:
    """(printed report, python-docx Document) of a clean report of each layout."""
    report = clean_report_2021() if request.param == "2021" else clean_report_2019()
    printed = printed_report(report)
    return printed, docx.Document(io.BytesIO(write_docx(printed)))


def test_page_is_a4_with_the_official_margins(written):
    _, document = written
    section = document.sections[0]
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": 35,
        "left_margin": 28,
        "right_margin": 26,
    }
    for name, mm in expected.items():
        assert abs(getattr(section, name) - Mm(mm)) < Mm(0.1), name
    type_area = section.page_width - section.left_margin - section.right_margin
    assert abs(type_area - Mm(156)) < Mm(0.1)


def _fonts_of(style: Any) -> dict[str, str]:
    fonts = style.element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return {side: fonts.get(qn(f"w:{side}")) for side in ("ascii", "hAnsi", "eastAsia")}


def test_fonts_and_sizes_of_a_government_document(written):
    """Title 二号 方正小标宋简体, body 三号 仿宋_GB2312 at a fixed 28.95 pt with a two-character
    indent, headings 黑体, tables 五号 宋体; each font named for every script."""
    printed, document = written
    styles = document.styles
    expected = {
        "Title": ("方正小标宋简体", 22),
        "Normal": ("仿宋_GB2312", 16),
        "Heading 1": ("黑体", None),
        "Heading 2": ("楷体_GB2312", None),
        "表格文字": ("宋体", 10.5),
    }
    for name, (font, size) in expected.items():
        assert set(_fonts_of(styles[name]).values()) == {font}, name
        if size is not None:
            assert styles[name].font.size.pt == size, name
    normal = styles["Normal"].paragraph_format
    assert normal.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    assert normal.first_line_indent.pt == 32  # two characters of 三号
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text.replace("\n", "") == printed.title  # a line break, no text
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in printed.sections]
    # Word and WPS substitute a missing GB font by its alternative name and character set.
    font_table = etree.fromstring(zipfile.ZipFile(io.BytesIO(write_docx(printed))).read("word/fontTable.xml"))
    declared = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val")) for f in font_table}
    assert declared == FONTS
    assert {f.find(qn("w:charset")).get(qn("w:val")) for f in font_table} == {"86"}  # GB2312


def test_level_two_headings_of_the_text_are_kai():
    """A short paragraph 「（一）主动公开」 is a level-2 heading (楷体); a sentence is body text."""
    text = "（一）主动公开\n（二）本年度共收到申请3件，均已按期答复，无逾期情况，答复内容规范完整。"
    report = clean_report_2021().model_copy(update={"sections": Sections(overview=text)})
    document = docx.Document(io.BytesIO(write_docx(printed_report(report))))
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["（一）主动公开"] == "Heading 2"
    assert styles[text.split("\n")[1]] == "Normal"


def _merged_cells(tbl: Any) -> set[tuple[str, int, int, int, int]]:
    """(text, row, col, rowspan, colspan) of each cell of a ``w:tbl``, from gridSpan and vMerge."""
    starts: dict[tuple[int, int], list[Any]] = {}
    open_merge: dict[int, list[Any]] = {}  # column → the cell a vMerge continues
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        c = 0
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span_el = props.find(qn("w:gridSpan"))
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            merge = props.find(qn("w:vMerge"))
            if merge is not None and merge.get(qn("w:val")) != "restart":
                cell = open_merge[c]
                assert cell[4] == span, "a continued cell spans the columns of its first row"
                cell[3] += 1
                assert "".join(tc.itertext()) == ""
            else:
                text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
                cell = [text, r, c, 1, span]
                starts[(r, c)] = cell
                if merge is not None:
                    open_merge[c] = cell
            c += span
    return {tuple(cell) for cell in starts.values()}


def test_tables_merge_exactly_as_printed(written):
    """Every table's cells, texts, positions and spans are the printed model's."""
    printed, document = written
    assert len(document.tables) == 3
    for table, docx_table in zip(printed.tables, document.tables, strict=True):
        expected = {(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells}
        assert _merged_cells(docx_table._tbl) == expected, table.number


def test_row_labels_are_exact(written):
    """python-docx sees table 三's labels at their grid positions (merged cells answer for every
    position they cover)."""
    printed, document = written
    table = document.tables[1]
    printed_table = printed.tables[1]
    grid = printed_table.grid()
    covering = _covering(printed_table)
    for r in range(printed_table.height):
        for c in range(printed_table.label_columns):
            # A group label breaks after its numeral: a line break, no text.
            assert table.cell(r, c).text.replace("\n", "") == covering[(r, c)].text
    assert table.cell(printed_table.height - 1, 0).text == "四、结转下年度继续办理"
    assert grid[3][0] is not None and table.cell(3, 0).text == "一、本年新收政府信息公开申请数量"


def _covering(table: PrintedTable) -> dict[tuple[int, int], Any]:
    return {
        (r, c): cell
        for cell in table.cells
        for r in range(cell.row, cell.row + cell.rowspan)
        for c in range(cell.col, cell.col + cell.colspan)
    }


def test_header_rows_repeat_and_no_row_splits(written):
    printed, document = written
    for table, docx_table in zip(printed.tables, document.tables, strict=True):
        rows = docx_table._tbl.findall(qn("w:tr"))
        assert len(rows) == table.height
        for r, tr in enumerate(rows):
            props = tr.find(qn("w:trPr"))
            assert props.find(qn("w:cantSplit")) is not None
            assert (props.find(qn("w:tblHeader")) is not None) == (r < table.header_rows), (table.number, r)
    assert [t.header_rows for t in printed.tables] == [0, 3, 3]


def test_tables_fill_the_type_area_in_the_printed_proportions(written):
    printed, document = written
    for table, docx_table in zip(printed.tables, document.tables, strict=True):
        tbl = docx_table._tbl
        assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        columns = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]
        assert abs(sum(columns) - Mm(156).twips) <= 2
        for twips, mm in zip(columns, table.widths, strict=True):
            assert abs(twips - Mm(mm).twips) <= 2
        # Values are centred.
        for cell in table.value_cells():
            paragraph = docx_table.cell(cell.row, cell.col).paragraphs[0]
            assert paragraph.style.name == "表格文字"
            assert paragraph.style.paragraph_format.alignment == 1  # centre


def test_page_numbers_odd_right_even_left(written):
    """「— N —」 from a PAGE field, 4号 宋体; odd pages right, even pages left."""
    _, document = written
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(paragraph._p.itertext())
        assert paragraph.text.replace(" ", "") in ("——", "—1—")
        assert f'w:jc w:val="{side}"' in xml
        assert paragraph.style.font.size.pt == 14
        assert set(_fonts_of(paragraph.style).values()) == {"宋体"}


def test_long_title_breaks_after_the_organ_and_reads_back_whole():
    report = clean_report_2021()
    printed = printed_report(report)
    document = docx.Document(io.BytesIO(write_docx(printed)))
    title = document.paragraphs[0]
    assert title._p.find(".//" + qn("w:br")) is not None
    assert title.text == f"{report.agency}\n{report.year}年度政府信息公开工作年度报告"
    assert read_bytes(write_docx(printed), "t.docx").report.agency == report.agency


def test_text_that_xml_forbids_is_dropped_not_fatal():
    report = clean_report_2021().model_copy(
        update={"sections": Sections(overview="本年度\x0b公开 <信息> & “数据”\x01。")}
    )
    reading = read_bytes(write_docx(printed_report(report)), "x.docx")
    assert reading.report.sections.overview == "本年度公开 <信息> & “数据”。"
