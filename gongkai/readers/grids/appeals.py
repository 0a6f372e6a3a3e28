"""Table 四 (行政复议、行政诉讼): one data row under the header, or 15 numbers without one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from gongkai.model.labels import core
from gongkai.model.layouts import APPEAL_GROUPS, APPEAL_HEADER
from gongkai.readers.document import Grid, GridCell, Paragraph
from gongkai.readers.grids.cells import cell_keys, store_cell, store_counts
from gongkai.readers.grids.columns import COLUMN_NAMES, header_columns
from gongkai.readers.grids.rows import RowLabels, distinct_cells, place_values, strip_blank_ends
from gongkai.readers.headers import Header, header_texts
from gongkai.readers.sections import match_heading
from gongkai.readers.tables import Notice, TableReading
from gongkai.readers.values import is_number_text, is_value_text, read_value

APPEAL_KEYS = tuple(n.key for n in APPEAL_HEADER.walk() if n.key and not n.children)


def read_appeals(
    grid: Grid, rows: list[list[GridCell]], reading: TableReading, labels: list[RowLabels]
) -> None:
    """Table 四's rows of one grid: header rows, then the one data row of 15 values.

    ``labels``: what each row's labels say, as :func:`~gongkai.readers.grids.rows.table_rows`
    read them.
    """
    header_rows: list[list[GridCell]] = []
    for row, lb in zip(rows, labels, strict=True):
        # The data row holds only numbers, dashes and blanks: officers often fill in only the
        # non-zero cells (「1 … 1」), or leave the row blank; it follows at least one header row.
        if header_rows and len(row) >= 5 and not lb.named and _all_values(row):
            said: list[Notice] = []  # what the header says, kept until it is known to be readable
            header = header_texts(header_rows)
            keys, positions, header_notice = header_columns(
                grid, header_rows, APPEAL_HEADER, APPEAL_KEYS, said, "表四", header
            )
            # A header that names no column, or whose words ran together, says nothing of where
            # each value goes: only the layout's fixed order does, and only for 15 values.
            if _run_together(header):
                _read_by_order(row, reading, "表四的表头无法识别（各列名称连在一起）")
                return
            if header_notice is None and said:
                _read_by_order(row, reading, "表四没有可识别的表头")
                return
            reading.notices.extend(said)
            if header_notice is not None:
                header_notice.cells = [f"appeals.{k}" for k in APPEAL_KEYS if k not in keys]
            reading.evidence.appeal_columns = keys
            placed, guess = place_values(row, keys, positions, lb.shape_in(row).label_end)
            if guess:
                reading.notices.append(Notice("READ-ROW-WIDTH", f"表四数据行：{guess}", row[0].line))
            columns: Sequence[str] = keys
            if len(set(keys)) < len(keys):
                columns, placed = distinct_cells(keys, placed)
            store_counts(reading, cell_keys("appeals", "", tuple(columns)), placed)
            return
        header_rows.append(row)
    reading.notices.append(
        Notice("READ-ROW", "表四没有找到数据行", rows[0][0].line if rows and rows[0] else None)
    )


def _all_values(row: list[GridCell]) -> bool:
    """Every cell of the row a number, a dash or blank."""
    return all(map(is_value_text, [cell.text for cell in row]))  # no generator: one per row costs


# Between the 表四 heading and a header-less grid: a caption line or two (「行政复议行政诉讼」,
# 「单位：件」), never running text.
MAX_CAPTION_LINES = 2
MAX_CAPTION_CHARS = 40


def headless_appeals(blocks: Sequence[Paragraph | Grid]) -> Grid | None:
    """Table 四 printed without its header: a grid of exactly 15 numbers right under the 表四 heading.

    Some reports give table 四 as its data row alone (the header lost, or drawn as a picture):
    ``| 119 | 25 | 91 | 24 | 259 | 7 | 0 | … | 38 |`` after 「四、政府信息公开行政复议、行政诉讼情况」.
    Only a grid that follows the heading, with at most a caption line or two between, and holds
    nothing but 15 numbers (no blank, no dash, no label) is taken; :func:`read_tables` places
    its values in the fixed order of the layout.
    """
    captions: int | None = None  # caption lines since the 表四 heading; None when not under it
    for block in blocks:
        if isinstance(block, Paragraph):
            found = match_heading(block.text)
            if found is not None:
                captions = 0 if found[0] == "appeals" else None
            elif captions is not None:
                caption = len(block.text) <= MAX_CAPTION_CHARS and "。" not in block.text
                captions = captions + 1 if caption and captions < MAX_CAPTION_LINES else None
            continue
        if captions is not None and _fifteen_numbers(block):
            return block
        captions = None
    return None


def _fifteen_numbers(grid: Grid) -> bool:
    """A grid of table 四's 15 numbers and nothing else (blank padding of merged cells aside)."""
    count = 0
    for row in grid.rows:
        for cell in strip_blank_ends(row):
            if not is_number_text(cell.text):
                return False  # the usual grid under the heading: table 四 with its header
            count += 1
    return count == len(APPEAL_KEYS)


def read_headless_appeals(grid: Grid, reading: TableReading) -> None:
    """Table 四's 15 numbers placed by position, and whether each group's 总计 is its sum."""
    cells = [cell for row in grid.rows for cell in strip_blank_ends(row)]
    reading.evidence.tables.add("appeals")
    _place_in_order(cells, reading, "表四没有表头")


_HEADER_WORDS = tuple(
    dict.fromkeys(core(n.label.official) for n in APPEAL_HEADER.walk()[1:] if core(n.label.official))
)


@lru_cache(maxsize=1024)  # headers repeat from report to report
def _run_together(header: Header) -> bool:
    """A header whose words ran together: one cell holds two or more of table 四's header labels.

    PDF → Markdown converters print a header they cannot split into its columns as one cell
    (「行政复议行政诉讼结果维持结果纠正…」); which column each word stood over is lost.
    """
    for row in header:
        for cell_text in row:
            text = core(cell_text)
            if len(text) > 4 and sum(word in text for word in _HEADER_WORDS) >= 2:
                return True
    return False


def _read_by_order(row: list[GridCell], reading: TableReading, reason: str) -> None:
    """The data row under an unreadable header: its 15 numbers in the layout's order, or none.

    Only a row of exactly 15 numbers is placed: a blank or a dash may stand for a cell or for
    none (a converter drops empty cells), and then no order can be trusted.
    """
    cells = strip_blank_ends(row)
    if len(cells) == len(APPEAL_KEYS) and all(is_number_text(c.text) for c in cells):
        _place_in_order(cells, reading, reason)
        return
    given = sum(is_number_text(c.text) for c in cells)
    reading.notices.append(
        Notice(
            "READ-HEADER",
            f"{reason}，数据行有{given}个数字而不是15个，"
            "无法确定各数值属于哪一列；表四的数值未读取，请对照原件填写",
            row[0].line if row else None,
            [f"appeals.{k}" for k in APPEAL_KEYS],
        )
    )


def _place_in_order(cells: list[GridCell], reading: TableReading, reason: str) -> None:
    """15 cells placed in the layout's column order, saying so (READ-HEADER) with the cells."""
    reading.evidence.appeal_columns = list(APPEAL_KEYS)
    keys = [f"appeals.{k}" for k in APPEAL_KEYS]
    for key, cell in zip(keys, cells, strict=True):
        store_cell(reading, key, read_value(cell.text), cell.line, cell.confidence)
    values = [read_value(cell.text).value or 0 for cell in cells]
    group_names = [COLUMN_NAMES[group] for group, _ in APPEAL_GROUPS]
    wrong = [
        name
        for g, name in enumerate(group_names)
        if abs(sum(values[5 * g : 5 * g + 4]) - values[5 * g + 4]) > 1e-9
    ]
    placed = (
        f"{reason}，按位置读取：15个数值依格式的列序放入{'、'.join(group_names)}三组，"
        "每组依次为结果维持、结果纠正、其他结果、尚未审结、总计"
    )
    if wrong:
        message = f"{placed}；但{'、'.join(wrong)}的总计不等于前四项之和，位置可能不对，请对照原件核对"
    else:
        message = f"{placed}；三组的总计都等于前四项之和"
    reading.notices.append(Notice("READ-HEADER", message, cells[0].line, keys, info=not wrong))
