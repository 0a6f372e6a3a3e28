"""One file, several reports: split a :class:`Document` into one document per report.

Portals publish, say, a district's page with the annual reports of several organs one after
another, each with its title, sections 一 to 六 and tables 二 三 四. Read as one document
their tables would be merged into one report. This works on the intermediate form, so it
serves every form (HTML, text, DOCX, PDF …).

A new report starts, once the current one has tables, at

* a report title (「XX局2023年政府信息公开工作年度报告」) other than the ones already seen
  (a running page header repeats the same title and starts nothing);
* a numbered 「一、总体情况」: the headings restart;
* a table the current report already has, after another one: the tables restart
  (二 三 四 二 …; a table continued over two grids is not a restart).

The lines of a title printed over several (「XX局2023年度」「政府信息公开工作年度报告」) just
before such a start go with the report they head. The split is kept only where every part
is a report, with cells of at least two of the three tables; a part that is not (links to
other years' reports after the last table, a stray table) stays with the report before it.
A document that holds one report is returned as it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from itertools import pairwise

from gongkai.readers.document import Document, Grid, Paragraph
from gongkai.readers.grids import read_tables, split_tables
from gongkai.readers.sections import match_heading, parse_title

MAX_TITLE_CHARS = 80
MAX_LEAD_LINES = 3  # lines of a title printed over several, taken back with what they precede
_SENTENCE = re.compile(r"[。；;，,！!？?：:]")
_ORGAN_END = re.compile(
    r"(局|委员会|委|办公室|办|政府|院|中心|所|站|处|厅|部|署|街道|办事处|镇|乡|馆|队|社|公司|管委会|管理委员会)$"
)


_SPACES_RE = re.compile(r"\s+")


def _plain(text: str) -> str:
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", text)).strip("#*《》")


def is_report_title(text: str) -> bool:
    """A line that is an annual report's title: short, no sentence, naming 信息公开 and a year's report.

    >>> is_report_title("## 某某区民政局2023年政府信息公开工作年度报告")
    True
    >>> is_report_title("本机关2023年政府信息公开工作年度报告已在门户网站公布。")
    False
    """
    if len(text) > 2 * MAX_TITLE_CHARS or "开" not in text or "报" not in text:
        return False  # running text, or a line without 信息公开 and 年度报告 / 年报: nothing to normalise
    squeezed = "".join(text.split())
    if "信息公开" not in squeezed or not ("年度报告" in squeezed or "年报" in squeezed):
        return False
    plain = _plain(text)
    if len(plain) > MAX_TITLE_CHARS or _SENTENCE.search(plain):
        return False
    return parse_title(plain)[1] is not None and match_heading(text) is None


def _is_title_piece(text: str) -> bool:
    """A short line that may be part of a title printed over several lines: an organ, a year, the
    words 「政府信息公开工作年度报告」 (a date line, 「2024年1月20日」, is a signature's)."""
    plain = _plain(text)
    if not plain or len(plain) > 40 or _SENTENCE.search(plain) or match_heading(text) is not None:
        return False
    if "年度报告" in plain or "信息公开" in plain or re.search(r"20\d{2}年度?$", plain):
        return True
    return not re.search(r"\d", plain) and _ORGAN_END.search(plain) is not None


def _lead_start(blocks: list[Paragraph | Grid], index: int, floor: int) -> int:
    """Where a report that starts at ``index`` really begins: the lines of its title just before.

    Going back line by line while the lines are title pieces, and only until they make a whole
    title (organ and year): the organ line of the previous report's signature stays with it.
    """
    own = blocks[index]
    text = _plain(own.text) if isinstance(own, Paragraph) and is_report_title(own.text) else ""
    start = index
    while start - 1 > floor and index - start < MAX_LEAD_LINES:
        agency, year = parse_title(text) if text else (None, None)
        if agency and year:
            break
        block = blocks[start - 1]
        if not isinstance(block, Paragraph) or not _is_title_piece(block.text):
            break
        text = _plain(block.text) + text
        start -= 1
    return start


# What a row that begins table 二, 三 or 四 says (grids.rows._table_of_texts), spaces allowed: rows
# without any of these cannot begin a table, and need not be read closely.
_TABLE_MARKERS = re.compile(
    "|".join(
        r"\s*".join(word)
        for word in ("第二十条", "信息内容", "勾稽关系", "申请人情况", "本年新收", "行政复议")
    )
)


def _grid_tables(grid: Grid) -> list[str]:
    """The tables that begin in a grid (as :func:`~gongkai.readers.grids.split_tables` finds
    them), reading closely only the rows that may begin one."""
    rows = [row for row in grid.rows if _TABLE_MARKERS.search("".join([c.text for c in row]))]
    return list(split_tables([Grid(rows, grid.positional)])) if rows else []


def report_starts(blocks: list[Paragraph | Grid]) -> list[int]:
    """Indexes of the blocks where a second, third … report begins (candidates, not yet checked)."""
    starts: list[int] = []
    floor = 0  # where the current report starts
    tables: list[str] = []  # the current report's tables, in order of appearance
    titles: set[str] = set()

    def begin(at: int) -> None:
        nonlocal floor
        starts.append(at)
        floor = at
        tables.clear()

    for index, block in enumerate(blocks):
        if isinstance(block, Grid):
            for kind in _grid_tables(block):
                if kind in tables and tables[-1] != kind:
                    begin(_lead_start(blocks, index, floor))
                if not tables or tables[-1] != kind:
                    tables.append(kind)
            continue
        if is_report_title(block.text):
            title = _plain(block.text)
            if tables and title not in titles:
                begin(_lead_start(blocks, index, floor))
            titles.add(title)
            continue
        found = match_heading(block.text) if tables else None
        if found is not None and found[1] == 1 and found[2]:
            begin(_lead_start(blocks, index, floor))
    return starts


def is_report(blocks: list[Paragraph | Grid]) -> bool:
    """Whether blocks hold a report of their own: cells of at least two of tables 二, 三 and 四."""
    cells = read_tables([b for b in blocks if isinstance(b, Grid)]).cells
    return len({key.split(".", 1)[0] for key in cells}) >= 2


def split_document(doc: Document) -> list[Document]:
    """One document per report, in order; ``[doc]`` itself when it holds one report.

    Each part keeps the name and the reader's notices of the whole document; source lines
    are unchanged, so findings still point into the file.
    """
    starts = report_starts(doc.blocks)
    if not starts:
        return [doc]
    bounds = [0, *starts, len(doc.blocks)]
    parts: list[list[Paragraph | Grid]] = []
    leading: list[Paragraph | Grid] = []  # blocks before the first part that is a report
    for begin, end in pairwise(bounds):
        blocks = doc.blocks[begin:end]
        if is_report(blocks):
            parts.append(leading + blocks)
            leading = []
        elif parts:
            parts[-1] += blocks
        else:
            leading += blocks
    if len(parts) < 2:
        return [doc]
    # replace(): every other field of the document (its places, …) is the whole file's, kept; not
    # its source text, which each part would search whole (a file of 1,000 reports: 1,000 times).
    return [replace(doc, blocks=blocks, notices=list(doc.notices), text=None) for blocks in parts]


__all__ = ["is_report", "is_report_title", "report_starts", "split_document"]
