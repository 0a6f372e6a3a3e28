"""Reading a 台账 file (XLSX or CSV) row by row, with bounded memory whatever the file declares.

Issue 14 §3: a 1.4 MB XLSX of 600k rows × 30 cells took the server to 1.6 GB and 43 s, because
every row was read into a list before the row limit was checked, and because openpyxl, when a sheet
declares no ``<dimension>``, parses the whole sheet just to open the workbook. Here rows come one at
a time and the reader stops at the limit:

- an XLSX's parts are scanned once, streamed, before anything is parsed: a DTD anywhere is refused
  (issue 14 §16), and a sheet with more row elements than the limit allows is refused then;
- the first sheet is then parsed cell by cell (openpyxl reads the shared strings, styles and the
  workbook; its own sheet reader is not used), each cell dropped once read, so a row of a million
  cells costs no more memory than a row of three;
- only the first :data:`MAX_LEDGER_COLUMNS` columns are kept, each cell cut at
  :data:`MAX_LEDGER_CELL_CHARS` characters (no field of an entry may be that long, so such a row
  is still reported as too long, never imported cut short);
- a CSV is decoded once and split into records lazily.

Nothing here touches the store: the functions take bytes and give text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from gongkai.model.text import clean_text
from gongkai.store.records import Refused

MAX_LEDGER_BYTES = 20 * 1024 * 1024  # the file as uploaded
MAX_LEDGER_ROWS = 100_000  # rows below the header
MAX_LEDGER_XML_BYTES = 200 * 1024 * 1024  # a workbook's XML, unzipped
# Parts openpyxl loads whole (the shared strings, the styles, the workbook…), unzipped. A real
# 100k-row 台账's shared strings are about 30 MB; styles and the rest are well under a megabyte.
MAX_LEDGER_STRINGS_BYTES = 64 * 1024 * 1024
MAX_LEDGER_PART_BYTES = 16 * 1024 * 1024
LEDGER_HEADER_ROWS = 10  # the header is looked for in the first ten rows
MAX_LEDGER_COLUMNS = 64  # a 台账 has a dozen columns; more are not read
MAX_LEDGER_CELL_CHARS = 2000  # longer than any field may be (a link: 500)

_SCAN_CHUNK_BYTES = 1024 * 1024
# a row element with a namespace prefix: <x:row>, <x:row r="2">, <x:row/>
_PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.-]{0,31}:row[\s/>]")
_SCAN_OVERLAP = 48  # longer than any match above and than "<!doctype" in UTF-16


def too_many_rows(name: str) -> str:
    """The refusal of a 台账 longer than :data:`MAX_LEDGER_ROWS` rows."""
    return (
        f"{name}：表头以下超过 {MAX_LEDGER_ROWS:,} 行（台账最多 {MAX_LEDGER_ROWS:,} 行），"
        "未导入；请分成几个文件分别导入"
    )


def ledger_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a 台账 as ``(row number as Excel shows it, cell texts)``, one at a time: the first
    sheet of an XLSX, or a CSV in any common encoding. Cell texts have no control characters (issue
    14 §9) and no surrounding spaces; rows without any row element in the sheet are not given.
    Raises :class:`Refused` naming ``name`` (and the row) when the file cannot be read; stop
    iterating to stop reading."""
    if len(data) > MAX_LEDGER_BYTES:
        raise Refused(f"{name}：文件超过 {MAX_LEDGER_BYTES // 1024 // 1024} MB")
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data, name)
    return _csv_rows(data, name)


def cell_text(value: object) -> str:
    """A cell's value as the text an entry is built from."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)[:MAX_LEDGER_CELL_CHARS]).strip()


# --- CSV -----------------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[str]:
    # what iterating over io.StringIO(text) gives (lines end at "\n" only), without a second copy
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _csv_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    from charset_normalizer import from_bytes  # here: every store command imports this module

    best = from_bytes(data).best()
    if best is None:
        raise Refused(f"{name}：不是文本或 Excel 文件")
    reader = csv.reader(_lines(str(best)))
    number = 0
    try:
        for record in reader:
            number += 1
            yield number, [cell_text(c) for c in record[:MAX_LEDGER_COLUMNS]]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reason = f"有一格超过 {csv.field_size_limit():,} 个字符，不像台账（引号是否未配对？）"
        else:
            reason = f"不是有效的 CSV（{exc}）"
        raise Refused(f"{name} 第 {reader.line_num} 行：{reason}，未导入") from None


# --- XLSX ----------------------------------------------------------------------------------------


def _unreadable(name: str, exc: BaseException) -> Refused:
    return Refused(f"{name}：无法读取 Excel 文件（{type(exc).__name__}）")


def _scan_part(book: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> int:
    """Stream one XML part: refuse a DTD, and count its row elements."""
    from gongkai.readers.bounds import MarkupRuns  # here: the readers' package is heavy to import

    rows = 0
    carry = b""
    runs = MarkupRuns()
    with book.open(info) as part:
        while True:
            chunk = part.read(_SCAN_CHUNK_BYTES)
            if runs.too_long(chunk):  # openpyxl's expat would parse such a token for minutes
                raise Refused(
                    f"{name}：Excel 文件的「{info.filename}」有一段超过 1 MB 的标记或文字（如不闭合的标签），"
                    "不像 Excel 或 WPS 写出的文件，未导入"
                )
            buffer = carry + chunk
            lowered = buffer.lower()
            if b"<!doctype" in lowered or "<!doctype".encode("utf-16-le") in lowered:
                # A workbook's XML never needs a DTD; one can only expand entities or reach for other
                # files, and the XML parsers would try (issue 14 §16). Refused before any parsing.
                raise Refused(
                    f"{name}：Excel 文件的「{info.filename}」含有 DTD（<!DOCTYPE>），不能导入；"
                    "请在 Excel 中另存为新文件后再导入"
                )
            # a match is counted in the buffer where it starts before the carried-over tail
            counted = len(buffer) if not chunk else len(buffer) - _SCAN_OVERLAP
            rows += buffer.count(b"<row", 0, counted + 3)  # <rowBreaks> too: one more at most
            if b":row" in buffer:  # <x:row>, rare: the slower exact count
                rows += sum(1 for m in _PREFIXED_ROW.finditer(buffer) if m.start() < counted)
            if not chunk:
                return rows
            carry = buffer[-_SCAN_OVERLAP:]


def _scan_parts(book: zipfile.ZipFile, name: str) -> dict[str, int]:
    """Every XML part's row elements, by part name, after checking sizes and refusing a DTD."""
    parts = [info for info in book.infolist() if info.filename.endswith((".xml", ".rels"))]
    if sum(info.file_size for info in parts) > MAX_LEDGER_XML_BYTES:
        raise Refused(f"{name}：Excel 文件解压后过大，不像台账，未导入")
    for info in parts:
        # openpyxl loads these whole; only the sheet itself is read as a stream
        limit = (
            MAX_LEDGER_STRINGS_BYTES if "sharedstrings" in info.filename.lower() else MAX_LEDGER_PART_BYTES
        )
        if "worksheets/" not in info.filename and info.file_size > limit:
            raise Refused(f"{name}：Excel 文件的「{info.filename}」解压后过大，不像台账，未导入")
    return {info.filename: _scan_part(book, info, name) for info in parts}


def _xlsx_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        rows_in_part = _scan_parts(book, name)
        # What openpyxl's load_workbook does, but for the worksheets: opening them would parse each
        # whole sheet when it declares no <dimension> (issue 14 §3).
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except Refused:
        raise
    except Exception as exc:  # a damaged or encrypted workbook, invalid XML
        raise _unreadable(name, exc) from None
    if not sheets:
        raise Refused(f"{name}：Excel 文件中没有工作表")
    if rows_in_part.get(sheets[0], 0) > LEDGER_HEADER_ROWS + MAX_LEDGER_ROWS:
        raise Refused(too_many_rows(name))
    return _sheet_rows(reader, sheets[0], name)


def _sheet_rows(reader, part: str, name: str) -> Iterator[tuple[int, list[str]]]:
    from lxml import etree
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG, WorkSheetParser

    book = reader.wb
    # openpyxl's own reading of one cell (shared strings, dates by their number format, booleans);
    # the loop below decides what is kept
    cells = WorkSheetParser(
        None,
        reader.shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    number = 0
    values: dict[int, str] = {}
    try:
        with reader.archive.open(part) as source:
            # huge_tree=False: libxml2's own limits (a text node of 10 MB, 256 levels) stay on
            events = etree.iterparse(
                source,
                events=("start", "end"),
                tag=(ROW_TAG, CELL_TAG, DATA_TAG),
                resolve_entities=False,
                no_network=True,
                huge_tree=False,
            )
            for event, element in events:
                tag = element.tag
                if event == "start":
                    if tag == ROW_TAG:
                        given = element.get("r")
                        number = int(float(given)) if given else number + 1
                        cells.row_counter, cells.col_counter = number, 0
                        values = {}
                    elif tag == DATA_TAG:
                        _drop_before(element)  # the sheet's settings, read already
                    continue
                if tag == CELL_TAG and len(element) == 0:  # <c/>, <c r="B2" s="1"/>: no value
                    given = element.get("r")
                    cells.col_counter = coordinate_to_tuple(given)[1] if given else cells.col_counter + 1
                elif tag == CELL_TAG:
                    cell = cells.parse_cell(element)
                    if cell["column"] <= MAX_LEDGER_COLUMNS and cell["value"] is not None:
                        values[cell["column"]] = cell_text(cell["value"])
                elif tag == ROW_TAG:
                    yield number, [values.get(i, "") for i in range(1, max(values, default=0) + 1)]
                else:
                    return  # the end of the rows; what follows (merged cells, print settings) is not needed
                # each cell and row dropped once read: memory stays that of one cell, whatever the
                # number of rows or the length of a row
                element.clear()
                _drop_before(element)
    except Refused:
        raise
    except Exception as exc:  # invalid XML, a bad row number or value
        raise Refused(f"{name} 第 {number + 1} 行：无法读取（{type(exc).__name__}），未导入") from None


def _drop_before(element) -> None:
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]
