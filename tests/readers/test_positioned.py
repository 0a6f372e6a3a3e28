"""Text laid out on a page → paragraphs and grids (the module PDF, OFD and OCR share)."""

from __future__ import annotations

from conftest import clean_report_2019, clean_report_2021
from support.htmlwriter import write_html

from gongkai.readers import bytes_to_document
from gongkai.readers.assemble import document_to_reading
from gongkai.readers.document import Grid, Paragraph
from gongkai.readers.positioned.pages import page_blocks
from gongkai.readers.positioned.pieces import Page, Piece, Rule, chars_to_pieces
from gongkai.readers.positioned.ruled import _rule_lines


def _h(y: float, x0: float, x1: float) -> Rule:
    return Rule(x0, y - 0.25, x1, y + 0.25)


def _v(x: float, y0: float, y1: float) -> Rule:
    return Rule(x - 0.25, y0, x + 0.25, y1)


def _table_page(scale: float = 1.0, double_border: bool = False) -> Page:
    """A 3×3 ruled table under a heading; the header cell spans the two value columns.

    Columns at x = 0, 100, 150, 200; rows at y = 20, 40, 60, 80. No vertical rule at x = 150
    in the header row, so 「申请人情况」 covers both value columns.
    """
    s = scale
    rules = [_h(y * s, 0, 200 * s) for y in (20, 40, 60, 80)]
    rules += [_v(0, 20 * s, 80 * s), _v(100 * s, 20 * s, 80 * s), _v(200 * s, 20 * s, 80 * s)]
    rules += [_v(150 * s, 40 * s, 80 * s)]
    if double_border:
        rules += [_h(80 * s + 1.5 * s, 0, 200 * s)]  # a second line 1.5 units under the bottom one
    pieces = [
        Piece("三、收到和处理情况", 0, 5 * s, 90 * s, 14 * s),
        Piece("申请人情况", 120 * s, 25 * s, 170 * s, 34 * s),
        Piece("自然人", 110 * s, 45 * s, 140 * s, 54 * s),
        Piece("总计", 160 * s, 45 * s, 180 * s, 54 * s),
        Piece("（一）予以", 5 * s, 62 * s, 60 * s, 70 * s),
        Piece("公开", 5 * s, 70.5 * s, 30 * s, 78.5 * s),  # the label wraps onto a second line
        Piece("3", 120 * s, 65 * s, 125 * s, 74 * s, confidence=0.6),
        Piece("3", 170 * s, 65 * s, 175 * s, 74 * s),
    ]
    return Page(1, pieces, rules)


def _grid_texts(blocks) -> list[list[tuple[str, int, int]]]:
    grid = next(b for b in blocks if isinstance(b, Grid))
    return [[(c.text, c.colspan, c.rowspan) for c in row] for row in grid.rows]


EXPECTED = [
    [("", 1, 1), ("申请人情况", 2, 1), ("", 2, 1)],
    [("", 1, 1), ("自然人", 1, 1), ("总计", 1, 1)],
    [("（一）予以公开", 1, 1), ("3", 1, 1), ("3", 1, 1)],
]


def test_ruled_table_with_a_merged_header_and_a_wrapped_label():
    """Slots with no rule between them are one cell; a wrapped label is one text; text above
    the table is a paragraph before it."""
    blocks, counter = page_blocks(_table_page())
    assert isinstance(blocks[0], Paragraph) and blocks[0].text == "三、收到和处理情况"
    assert _grid_texts(blocks) == EXPECTED
    assert counter == 1 + 1 + 3  # one line of text, three table rows


def test_units_do_not_matter_and_a_double_border_is_one_line():
    """The same page in pixels (×8), or with its bottom border doubled, gives the same grid."""
    assert _grid_texts(page_blocks(_table_page(scale=8))[0]) == EXPECTED
    assert _grid_texts(page_blocks(_table_page(double_border=True))[0]) == EXPECTED


def test_the_lowest_confidence_of_a_cell_is_kept():
    """OCR confidence reaches the grid cell (the table reader turns it into a finding)."""
    grid = next(b for b in page_blocks(_table_page())[0] if isinstance(b, Grid))
    assert [c.confidence for c in grid.rows[2]] == [None, 0.6, None]


def test_characters_group_into_runs_split_at_gaps_and_spaces():
    """Neighbouring characters are one run; a space or a wide gap starts another."""
    chars = [("出", 0, 0, 10, 10), ("版", 10, 0, 20, 10), (" ", 0, 0, 0, 0), ("物", 20, 0, 30, 10)]
    chars += [("5", 60, 0, 65, 10), ("甲", 0, 30, 10, 40)]
    assert [p.text for p in chars_to_pieces(chars)] == ["出版", "物", "5", "甲"]


def test_an_uncertain_ocr_value_is_a_finding_naming_its_cell():
    """A value the OCR engine was unsure of is read, and reported for checking against the original."""
    doc = bytes_to_document(write_html(clean_report_2021()).encode(), "r.html")
    row = next(row for grid in doc.grids for row in grid.rows if any(c.text == "（一）予以公开" for c in row))
    numbers = [c for c in row if c.text.isdigit()]
    numbers[0].confidence = 0.42
    reading = document_to_reading(doc)
    found = [n for n in reading.notices if n.rule == "READ-OCR"]
    assert len(found) == 1
    assert found[0].cells == ["requests.granted.natural"]
    assert "0.42" in found[0].message and f"「{numbers[0].text}」" in found[0].message
    assert found[0].severity.value == "warning"


def test_an_increase_read_by_ocr_without_its_sign_is_named():
    """A 2019 本年增/减 above zero without 「+」, read by OCR however sure, may be a 「-」 the scan
    lost (the scanned round-trip property found 「-4」 read as 「4」 with confidence, in two cells at
    once, and no identity of the tables notices a sign): it is named for the officer to check. A
    decrease, a zero, 「+4」, or the same text from a document with real text, are not."""
    report = clean_report_2019(
        **{"active.licensing.change": -4, "active.penalty.change": -2, "active.fees.change": 0}
    )

    def reading(ocr: bool, plus: bool = False):
        doc = bytes_to_document(write_html(report).encode(), "r.html")
        for grid in doc.grids:
            for row in grid.rows:
                for cell in row:
                    if cell.text == "-4":  # the scan lost the minus of 行政许可's change
                        cell.text = "+4" if plus else "4"
                    if ocr:
                        cell.confidence = 0.98
        return document_to_reading(doc)

    named = [n for n in reading(ocr=True).notices if "没有正负号" in n.message]
    assert [n.cells for n in named] == [["active.licensing.change"]]
    assert named[0].severity.value == "warning" and "「4」" in named[0].message
    assert not [n for n in reading(ocr=False).notices if "没有正负号" in n.message]
    assert not [n for n in reading(ocr=True, plus=True).notices if "没有正负号" in n.message]


def test_pieces_of_a_rule_a_pixel_apart_keep_their_extent():
    """A scanned vertical rule in pieces, a pixel apart (x 1522 and 1521, either side of a
    rounding boundary): touching pieces join, a piece beyond a gap stays its own, none is lost."""
    rules = [Rule(1521, 829, 1523, 1489), Rule(1520, 1543, 1522, 1800), Rule(1521, 1799, 1523, 1900)]
    lines = _rule_lines(rules, 16.0)
    assert sorted((ln.horizontal, ln.start, ln.end) for ln in lines) == [
        (False, 829, 1489),
        (False, 1543, 1900),
    ]


def test_rules_far_apart_or_across_stay_apart():
    """Two verticals 20 units apart, and a horizontal crossing them, are three lines."""
    lines = _rule_lines([Rule(100, 0, 101, 50), Rule(120, 0, 121, 50), Rule(90, 25, 130, 26)], 16.0)
    assert sorted((ln.horizontal, ln.at) for ln in lines) == [(False, 100.5), (False, 120.5), (True, 25.5)]
