"""XLSX → :class:`~gongkai.readers.document.Document`: a report laid out in a workbook.

Two shapes are met: the whole report (title, section headings and paragraphs as one-cell rows,
the three tables with merged cells, on one sheet or a sheet per table), and a supervisor's
spreadsheet of one report (only the tables, often one per sheet, the organ and year in a first
row, in the sheet name, or nowhere).

**Blocks.** Blank rows and sheet boundaries separate blocks. A row whose only non-empty cell is
text is a paragraph, unless it belongs to the table it touches: a table-二 caption
(「第二十条第（一）项」) or a table row whose values are all blank reads with its table. Such a
row stays a paragraph when it reads as running text: a section heading, a title (it names a
year), a sentence (。；！？), a note (单位、注、说明…) or a long line. Rows tied together by a merge
spanning rows stay together. Table rows make a positional grid, merges expanded as the HTML
reader does: the top-left cell carries the text, covered positions are empty cells. A line break
inside a cell (Alt+Enter) is dropped in a table (「商业」「企业」 is one label) and splits
paragraphs in running text. Hidden sheets are skipped (a notice says so), and so is a sheet named
「检查结果」 (``FINDINGS_SHEET``): the findings gongkai's XLSX writer lists beside the report, not
part of it.

**Provenance.** ``line`` (of a GridCell or a Paragraph) is the row's number counted through the
workbook: the first visible sheet's rows are 1, 2, …; each further sheet continues after the last
used row of the sheet before it. ``Document.places`` says it in words (「工作表「表三」第5行」),
and notices name the sheet and the cell.

**Values.** Cached values are read (a formula's result as last saved); a formula saved without a
result is left blank and named in a READ-FORMULA notice, never read as 0. A number prints as a
spreadsheet shows it: 12.0 → 「12」, at most 15 significant digits (never 「1.5000000001」). The
cell's number format is applied where it changes what the number says: a percentage, a unit the
format prints (「0.00"万元"」), a scaling (a trailing 「,」 for thousands; 「0!.0000"万元"」 shows 元
as 万元). It is not applied where it would only hide what was typed: decimal places are not
rounded, and the negative and zero sections are not used (an accounting format prints 0 as 「-」
and may drop the minus sign). Dates and booleans are text.

**Safety.** Before openpyxl inflates anything, the package's uncompressed size is capped (a zip
bomb) and every part is read up to its root element and refused if it declares a DTD: the only
way to an entity bomb, and nothing Excel or WPS writes. The check is needed: openpyxl parses
sheets and shared strings with the standard library's expat, which expands internal entities
(since expat 2.4 it stops only past a hundredfold amplification). openpyxl reads in read-only mode
(streamed; merges not materialised, which in normal mode take most of a small report's time),
within a cap of cell positions walked (a sheet of absurd size) and of cells per table. Merges
are read from the sheet XML directly.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import warnings
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any
from xml.parsers import expat

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from gongkai.model.sections import FINDINGS_SHEET
from gongkai.readers.document import Document, DocumentNotice, Grid, GridCell, Paragraph, UnreadableDocument
from gongkai.readers.sections import match_heading
from gongkai.readers.values import is_value_text

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before anything is inflated
MAX_SHEETS = 200
# Cell positions walked in a workbook (openpyxl pads each row up to its last cell): a report uses
# a few thousand; a stray cell at column XFD of a million rows is refused long before it stalls.
MAX_POSITIONS = 2_000_000
MAX_GRID_CELLS = 20_000  # one table, as in the text reader: the three tables hold about 1,000
MAX_MERGES = 20_000  # merged areas on a sheet; a report has about a hundred
_NOTICE_CELLS = 5  # cells named in one notice before 「等」

# Errors openpyxl (or the zip and XML layers under it) raises on a damaged package.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree ParseError and lxml's XMLSyntaxError
    OSError,
    EOFError,
    RuntimeError,  # an encrypted member; NotImplementedError (an unknown compression method)
    ArithmeticError,
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_PROLOG_CHUNK_BYTES = 64 * 1024


# --- the package -------------------------------------------------------------------------------


class _Doctype(Exception):
    """A part declares a DTD."""


class _Root(Exception):
    """The prolog is over: the part's root element starts."""


def _raise_doctype(*_: object) -> None:
    raise _Doctype


def _raise_root(*_: object) -> None:
    raise _Root


def _declares_dtd(stream: IO[bytes]) -> bool:
    """Whether an XML part declares a DTD, read only up to its root element.

    A DTD can only come before the root element, so the rest is never read. Expat is the parser
    openpyxl uses for the sheets, so it sees the encoding (UTF-16 included) as openpyxl would.
    A part that is not XML (a picture) or is broken is not this check's business.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _raise_doctype
    parser.StartElementHandler = _raise_root
    try:
        while chunk := stream.read(_PROLOG_CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Doctype:
        return True
    except (_Root, expat.ExpatError):
        return False
    return False


def _check_package(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb and any part with a DTD before openpyxl reads anything."""
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise UnreadableDocument("XLSX 解压后超过 200 MB（可能是压缩炸弹），已拒绝读取")
    for info in infos:
        if info.is_dir():
            continue
        with archive.open(info) as stream:
            if _declares_dtd(stream):
                raise UnreadableDocument(
                    f"XLSX 中的 {info.filename} 含有文档类型声明（DTD），可能是实体炸弹，已拒绝读取"
                )


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the path of its XML part, from the workbook and its relationships."""
    try:
        book = etree.fromstring(archive.read("xl/workbook.xml"), _PARSER)
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return {}  # openpyxl says what is wrong, if anything is
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter("{*}Relationship")}
    parts: dict[str, str] = {}
    for sheet in book.iter("{*}sheet"):
        rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rel_id)
        if target:
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            parts[sheet.get("name", "")] = path
    return parts


def _open_workbook(data: bytes, archive: zipfile.ZipFile, parts: dict[str, str]) -> Any:
    """The workbook in openpyxl's read-only mode; a damaged one raises one clear message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about what it drops (validation, styles)
        try:
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except _DAMAGED as exc:
            raise _damaged(archive, parts, exc) from None


def _damaged(archive: zipfile.ZipFile, parts: dict[str, str], exc: BaseException) -> UnreadableDocument:
    """The message for a workbook openpyxl could not read, naming the broken sheet or part."""
    sheets = {path: title for title, path in parts.items()}
    for name in archive.namelist():
        if not name.endswith((".xml", ".rels")):
            continue
        try:
            etree.fromstring(archive.read(name), _PARSER)
        except etree.XMLSyntaxError as error:
            where = f"工作表「{sheets[name]}」" if name in sheets else f"XLSX 中的 {name} "
            return UnreadableDocument(f"{where}已损坏，无法读取（{_what(error)}）")
        except _DAMAGED:
            return UnreadableDocument(f"XLSX 中的 {name} 已损坏，无法读取")
    if isinstance(exc, KeyError):  # zipfile: "There is no item named '…' in the archive"
        missing = re.findall(r"'([^']+)'", str(exc))
        if missing:
            return UnreadableDocument(f"XLSX 文件不完整，缺少 {missing[0]}，无法读取")
    return UnreadableDocument(f"XLSX 文件已损坏，无法读取（{type(exc).__name__}）")


def _what(exc: BaseException) -> str:
    """What is wrong, for a message: where the XML breaks, else the kind of error."""
    position = getattr(exc, "position", None)  # ElementTree's ParseError and lxml's XMLSyntaxError
    if isinstance(exc, SyntaxError) and position:
        return f"XML 第{position[0]}行第{position[1]}列有误"
    return type(exc).__name__


# --- the sheet XML: merges and formulas ----------------------------------------------------------

_MERGE_RE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_FORMULA_RE = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_COLUMN_RE = re.compile(r"^([A-Za-z]{1,3})")


def _as_utf8(xml: bytes) -> bytes:
    """The part in UTF-8, so that the byte patterns below see it (Excel writes UTF-8 anyway)."""
    encoding = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16", b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
    if xml[:2] in encoding:
        return xml.decode(encoding[xml[:2]]).encode("utf-8")
    return xml


def _merges(xml: bytes, title: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged areas as (first row, first column, last row, last column)."""
    refs = _MERGE_RE.findall(xml)
    if len(refs) > MAX_MERGES:
        raise UnreadableDocument(
            f"工作表「{title}」有{len(refs)}个合并单元格区域，超过{MAX_MERGES}个，不是年度报告"
        )
    merges = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii", "replace"))
        except (ValueError, TypeError):
            raise UnreadableDocument(
                f"工作表「{title}」的合并单元格「{ref.decode('utf-8', 'replace')}」不是单元格区域，文件已损坏"
            ) from None
        if None in (min_col, min_row, max_col, max_row):
            continue  # a whole row or column: not a cell merge Excel can write
        top, bottom = sorted((min_row, max_row))
        left, right = sorted((min_col, max_col))
        if (top, left) != (bottom, right):
            merges.append((top, left, bottom, right))
    return merges


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _no_result(cell: etree._Element) -> bool:
    """A formula cell saved without its result: no ``<v>``, or an empty one (as openpyxl writes
    a formula) where the result is not a string (an empty string is a result)."""
    value = cell.find("{*}v")
    return value is None or (not value.text and cell.get("t") != "str")


def _uncomputed_formulas(xml: bytes) -> list[tuple[int, int]]:
    """(row, column) of every formula cell saved without its result (see :func:`_no_result`)."""
    found: list[tuple[int, int]] = []
    row_number = 0
    rows = etree.iterparse(
        io.BytesIO(xml),
        events=("end",),
        tag="{*}row",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _, row in rows:
            r = row.get("r", "")
            row_number = int(r) if r.isdigit() else row_number + 1
            column = 0
            for cell in row.iterchildren("{*}c"):
                match = _COLUMN_RE.match(cell.get("r", ""))
                column = _column_index(match.group(1)) if match else column + 1
                if cell.find("{*}f") is not None and _no_result(cell):
                    found.append((row_number, column))
            row.clear()
            while row.getprevious() is not None:  # keep memory flat on a long sheet
                del row.getparent()[0]
    except etree.XMLSyntaxError:
        pass  # a broken sheet: openpyxl has read what it could, and said so if it could not
    return found


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NumberFormat:
    """What a number format does to the number it prints (see the module docstring)."""

    prefix: str = ""
    suffix: str = ""
    percent: int = 0  # each 「%」 multiplies by 100
    thousands: int = 0  # each 「,」 after the last digit divides by 1,000
    shift: int = 0  # digits after a literal point (「0!.0000」): divides by 10**shift


_PLAIN = _NumberFormat()
_DROPPED_LITERALS = str.maketrans("", "", " \u3000+-()$¥￥€£")  # sign and currency: not what a cell says


@lru_cache(maxsize=1024)
def _number_format(code: str | None) -> _NumberFormat:
    """Parse the first section of a number format code (only what :class:`_NumberFormat` keeps)."""
    if not code or code.lower() in ("general", "@"):
        return _PLAIN
    tokens: list[tuple[str, str]] = []  # (kind, text): lit, digit, point, comma, percent
    i = 0
    while i < len(code):
        ch = code[i]
        if ch == ";":
            break
        if ch == '"':
            end = code.find('"', i + 1)
            end = len(code) if end < 0 else end
            tokens.append(("lit", code[i + 1 : end]))
            i = end + 1
            continue
        if ch in "\\!":
            tokens.append(("lit", code[i + 1 : i + 2]))
            i += 2
            continue
        if ch in "_*":  # padding and fill: spacing only
            i += 2
            continue
        if ch == "[":  # colour, condition, locale or currency ([$¥-804])
            end = code.find("]", i)
            i = len(code) if end < 0 else end + 1
            continue
        if ch in "Ee" and code[i + 1 : i + 2] in ("+", "-"):
            return _PLAIN  # scientific notation: shown as a plain number
        kind = {"0": "digit", "#": "digit", "?": "digit", ".": "point", ",": "comma", "%": "percent"}.get(ch)
        tokens.append((kind, ch) if kind else ("lit", ch))
        i += 1
    digits = [n for n, (kind, _) in enumerate(tokens) if kind == "digit"]
    if not digits:
        return _PLAIN
    first, last = digits[0], digits[-1]

    def literal(part: list[tuple[str, str]]) -> str:
        return "".join(t for k, t in part if k in ("lit", "percent")).translate(_DROPPED_LITERALS)

    middle = tokens[first:last]
    shift = 0
    if not any(k == "point" for k, _ in middle):
        dot = next((n for n, (k, t) in enumerate(middle) if k == "lit" and t == "."), None)
        if dot is not None:
            shift = sum(1 for k, _ in middle[dot:] if k == "digit") + 1  # the last digit too
    return _NumberFormat(
        prefix=literal(tokens[:first]),
        suffix=literal(tokens[last + 1 :]),
        percent=sum(1 for k, _ in tokens if k == "percent"),
        thousands=sum(1 for k, _ in tokens[last + 1 :] if k == "comma"),
        shift=shift,
    )


def number_text(value: int | float, number_format: str | None = "General") -> str:
    """A numeric cell's text as a spreadsheet prints it (see the module docstring).

    >>> [number_text(v) for v in (12, 12.0, 1.5, 1.5000000000000002, 0.1 + 0.2, -7, 1e-7)]
    ['12', '12', '1.5', '1.5', '0.3', '-7', '0.0000001']
    >>> number_text(0.355, "0.0%"), number_text(0.35, '0.00"万元"'), number_text(251000, '0!.0000"万元"')
    ('35.5%', '0.35万元', '25.1万元')
    >>> number_text(12345, '#,##0,"千元"'), number_text(-3, "#,##0;[Red](#,##0)"), number_text(0, '0;-0;"-"')
    ('12.345千元', '-3', '0')
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "#NUM!"
    fmt = _number_format(number_format)
    number = Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))
    if fmt.percent:
        number *= Decimal(100) ** fmt.percent
    if fmt.thousands or fmt.shift:
        number = number.scaleb(-3 * fmt.thousands - fmt.shift)
    if number == 0:
        number = Decimal(0)  # no 「-0」
    digits = format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    return f"{fmt.prefix}{digits}{fmt.suffix}"


_VALUE_CHARS = 24  # longer text is never a number or a dash (and is not worth caching as one)
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _clean(text: str) -> str:
    """A string cell's text, line breaks kept: Excel's 「_x000D_」 escapes undone, CRs dropped."""
    if "_x" in text:
        text = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\r", "").replace("\xa0", " ").strip()


def _cell_text(cell: Any) -> tuple[str, bool]:
    """A cell's text and whether it is a value (a number, a dash) rather than a label."""
    value = cell.value
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int | float):
        try:
            number_format = cell.number_format
        except IndexError:  # a style the stylesheet lacks
            number_format = None
        return number_text(value, number_format), True
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")), False
    if isinstance(value, date | time):
        return value.isoformat(), False
    if isinstance(value, timedelta):
        return str(value), False
    text = _clean(str(value))
    return text, len(text) <= _VALUE_CHARS and is_value_text(text)


def _one_line(text: str) -> str:
    """A table cell's text: the lines of a wrapped label joined, spaces collapsed."""
    return " ".join("".join(line.strip() for line in text.split("\n")).split())


# --- rows → blocks ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Cell:
    text: str  # line breaks kept
    value: bool  # a number or a dash: a table value, never running text


@dataclass
class _Sheet:
    """What the reader keeps of a sheet: its non-empty cells and its merged areas."""

    title: str
    cells: dict[int, dict[int, _Cell]] = field(default_factory=dict)  # row → column → cell
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        """The last row holding a cell or a merged area."""
        return max([*self.cells, *(m[2] for m in self.merges), 0])


_YEAR_RE = re.compile(r"(?<!\d)20\d{2}\s*年")
_NOTE_RE = re.compile(r"^(?:注|备注|说明|单位|填报|填表|制表|审核|联系)")
_LONG_TEXT_CHARS = 80  # the longest table label (a 2021 table-三 row) has under 40


def _reads_as_text(text: str) -> bool:
    """Whether a lone text cell is running text rather than a table's caption or label.

    >>> [_reads_as_text(t) for t in ("二、主动公开政府信息情况", "某某局2024年度政府信息公开工作年度报告")]
    [True, True]
    >>> [_reads_as_text(t) for t in ("第二十条第（一）项", "四、结转下年度继续办理", "单位：件")]
    [False, False, True]
    """
    return bool(
        match_heading(text)
        or _YEAR_RE.search(text)
        or any(mark in text for mark in "。；！？")
        or _NOTE_RE.match(text)
        or len(text) > _LONG_TEXT_CHARS
    )


def _units(rows: list[int], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Row ranges that belong together: single rows, joined where a merge spans rows."""
    units: list[tuple[int, int]] = []
    for start, end in sorted([(r, r) for r in rows] + spans):
        if units and start <= units[-1][1]:
            units[-1] = (units[-1][0], max(units[-1][1], end))
        else:
            units.append((start, end))
    return units


def _kinds(sheet: _Sheet, units: list[tuple[int, int]], rows: list[int]) -> list[str]:
    """Each unit's kind: ``table``, ``text`` or ``gap`` (an empty merged area)."""
    kinds = []
    for start, end in units:
        found = [
            cell
            for r in rows[bisect_left(rows, start) : bisect_right(rows, end)]
            for cell in sheet.cells[r].values()
        ]
        if not found:
            kinds.append("gap")
        elif len(found) > 1 or found[0].value:
            kinds.append("table")
        else:
            kinds.append("text" if _reads_as_text(" ".join(found[0].text.split())) else "unsure")
    # A lone label touching a table (a caption, a row of blank values) belongs to it: spread
    # downwards, then upwards, through runs of such rows.
    for i in range(1, len(units)):
        if kinds[i] == "unsure" and kinds[i - 1] == "table" and units[i][0] == units[i - 1][1] + 1:
            kinds[i] = "table"
    for i in range(len(units) - 2, -1, -1):
        if kinds[i] == "unsure" and kinds[i + 1] == "table" and units[i + 1][0] == units[i][1] + 1:
            kinds[i] = "table"
    return ["text" if kind == "unsure" else kind for kind in kinds]


def _sheet_blocks(sheet: _Sheet, offset: int) -> list[Paragraph | Grid]:
    """A sheet's paragraphs and grids in row order; ``offset`` is added to row numbers."""
    rows = sorted(sheet.cells)
    units = _units(rows, [(m[0], m[2]) for m in sheet.merges if m[2] > m[0]])
    kinds = _kinds(sheet, units, rows)
    blocks: list[Paragraph | Grid] = []
    i = 0
    while i < len(units):
        start, end = units[i]
        if kinds[i] == "text":
            r = rows[bisect_left(rows, start)]
            text = next(iter(sheet.cells[r].values())).text
            blocks += [Paragraph(" ".join(p.split()), offset + r) for p in text.split("\n") if p.strip()]
        elif kinds[i] == "table":
            while i + 1 < len(units) and kinds[i + 1] == "table" and units[i + 1][0] == end + 1:
                i += 1
                end = units[i][1]
            blocks.append(_grid(sheet, start, end, offset))
        i += 1
    return blocks


def _grid(sheet: _Sheet, first: int, last: int, offset: int) -> Grid:
    """Rows ``first``–``last`` as a positional grid, merges expanded as the HTML reader does."""
    anchors = {(m[0], m[1]): m for m in sheet.merges if first <= m[0] <= last}
    columns = [c for r in range(first, last + 1) for c in sheet.cells.get(r, ())]
    columns += [c for m in anchors.values() for c in (m[1], m[3])]
    left, right = min(columns), max(columns)
    height, width = last - first + 1, right - left + 1
    if height * width > MAX_GRID_CELLS:
        raise UnreadableDocument(
            f"工作表「{sheet.title}」第{first}行起的表格有{height}行×{width}列，"
            f"超过{MAX_GRID_CELLS}个单元格，不是年度报告的统计表"
        )
    covered: set[tuple[int, int]] = set()
    for top, lft, bottom, rgt in anchors.values():
        covered.update((r, c) for r in range(top, min(bottom, last) + 1) for c in range(lft, rgt + 1))
    grid = Grid(positional=True)
    for r in range(first, last + 1):
        line = offset + r
        cells = sheet.cells.get(r, {})
        row: list[GridCell] = []
        c = left
        while c <= right:
            merge = anchors.get((r, c))
            cell = cells.get(c)
            if merge is not None:
                colspan, rowspan = merge[3] - c + 1, min(merge[2], last) - r + 1
                text = _one_line(cell.text) if cell else ""
                row += [GridCell(text if k == 0 else "", line, colspan, rowspan) for k in range(colspan)]
                c += colspan
                continue
            # A position under a merge is empty, whatever a careless writer left in it.
            text = _one_line(cell.text) if cell and (r, c) not in covered else ""
            row.append(GridCell(text, line))
            c += 1
        grid.rows.append(row)
    return grid


# --- the workbook ----------------------------------------------------------------------------


class _Budget:
    """Cell positions left to walk in the workbook (see ``MAX_POSITIONS``)."""

    def __init__(self) -> None:
        self.left = MAX_POSITIONS

    def spend(self, positions: int, title: str, row: int) -> None:
        self.left -= positions
        if self.left < 0:
            raise UnreadableDocument(
                f"工作表「{title}」过大（到第{row}行已超过{MAX_POSITIONS}个单元格位置），不是一份年度报告"
            )


def _rows(ws: Any, title: str) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as openpyxl streams them; a damaged sheet raises one clear message."""
    ws.reset_dimensions()  # a stored dimension may lie; rows are padded only to their last cell
    rows = iter(ws.iter_rows())
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a date outside Excel's range, read as an error
            try:
                row = next(rows)
            except StopIteration:
                return
            except _DAMAGED as exc:
                raise UnreadableDocument(f"工作表「{title}」已损坏，无法读取（{_what(exc)}）") from None
        yield row


def _read_sheet(ws: Any, xml: bytes, budget: _Budget) -> _Sheet:
    """A visible sheet's non-empty cells (as text) and merged areas."""
    sheet = _Sheet(ws.title, merges=_merges(xml, ws.title))
    # openpyxl yields every row from the first, an empty tuple for a row the XML leaves out.
    for number, row in enumerate(_rows(ws, ws.title), start=1):
        budget.spend(max(1, len(row)), ws.title, number)
        for cell in row:
            if cell.value is None:
                continue
            text, value = _cell_text(cell)
            if text:
                sheet.cells.setdefault(cell.row, {})[cell.column] = _Cell(text, value)
    return sheet


def _formula_notice(title: str, cells: list[tuple[int, int]], offset: int) -> DocumentNotice:
    names = [f"{get_column_letter(c)}{r}" for r, c in cells[:_NOTICE_CELLS]]
    more = f"等{len(cells)}个单元格" if len(cells) > _NOTICE_CELLS else ""
    return DocumentNotice(
        "READ-FORMULA",
        f"工作表「{title}」的{'、'.join(names)}{more}是公式，但文件没有保存计算结果，已按空白读取；"
        "请在 Excel 或 WPS 中打开、重新计算并保存后再检查",
        offset + cells[0][0],
        info=False,
    )


def _names_organ_and_year(title: str) -> bool:
    """A sheet name that reads as a report's title: 「某某县民政局2024年度」, 「2024年」."""
    match = _YEAR_RE.search(title)
    if not match:
        return False
    rest = title[match.end() :].lstrip("度").strip()
    return bool(title[: match.start()].strip()) or not rest


def xlsx_to_document(data: bytes, name: str = "<xlsx>") -> Document:
    """Paragraphs and table grids of a workbook's visible sheets, in sheet and row order.

    Raises :class:`UnreadableDocument` with one message for a damaged, hostile or absurdly large
    workbook (see the module docstring for the limits).
    """
    doc = Document(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnreadableDocument("XLSX 文件已损坏或被截断，无法打开") from None
    with archive:
        try:
            _check_package(archive)
            parts = _sheet_parts(archive)
        except _DAMAGED as exc:
            raise UnreadableDocument(f"XLSX 文件已损坏，无法读取（{_what(exc)}）") from None
        _check_sheet_count(len(parts))  # before openpyxl opens every sheet
        workbook = _open_workbook(data, archive, parts)
        try:
            _check_sheet_count(len(workbook.worksheets))
            _read_workbook(workbook, archive, parts, doc)
        finally:
            workbook.close()
    return doc


def _check_sheet_count(count: int) -> None:
    if count > MAX_SHEETS:
        raise UnreadableDocument(f"工作簿有{count}张工作表，超过{MAX_SHEETS}张，不是一份年度报告")


def _read_part(archive: zipfile.ZipFile, path: str | None) -> bytes:
    """A sheet's XML (already checked for a DTD), or nothing when the workbook names no such part."""
    if path is None:
        return b""
    try:
        return _as_utf8(archive.read(path))
    except KeyError:
        return b""  # openpyxl skips a sheet whose part is missing too
    except _DAMAGED as exc:
        raise UnreadableDocument(f"XLSX 中的 {path} 已损坏，无法读取（{type(exc).__name__}）") from None


def _read_workbook(workbook: Any, archive: zipfile.ZipFile, parts: dict[str, str], doc: Document) -> None:
    """Each visible sheet's blocks, notices and places, rows numbered through the workbook."""
    budget = _Budget()
    offset = 0
    titled: list[tuple[str, int]] = []  # sheet names that could stand for a title, with their line
    for ws in workbook.worksheets:
        if ws.sheet_state != "visible":
            doc.notices.append(DocumentNotice("READ-SHEET", f"已跳过隐藏的工作表「{ws.title}」"))
            continue
        if ws.title == FINDINGS_SHEET:
            continue
        xml = _read_part(archive, parts.get(ws.title))
        sheet = _read_sheet(ws, xml, budget)
        if _FORMULA_RE.search(xml):
            uncomputed = _uncomputed_formulas(xml)
            if uncomputed:
                doc.notices.append(_formula_notice(ws.title, uncomputed, offset))
                doc.places[offset + uncomputed[0][0]] = f"工作表「{ws.title}」第{uncomputed[0][0]}行"
        if _names_organ_and_year(ws.title):
            titled.append((ws.title, offset + 1))
        blocks = _sheet_blocks(sheet, offset)
        for block in blocks:
            lines = [row[0].line for row in block.rows if row] if isinstance(block, Grid) else [block.line]
            doc.places.update((line, f"工作表「{ws.title}」第{line - offset}行") for line in lines)
        doc.blocks += blocks
        offset += sheet.last_row
    # A supervisor's spreadsheet often says whose report it is only in a sheet's name.
    if titled and not any(_YEAR_RE.search(p.text) for p in doc.paragraphs):
        title, line = titled[0]
        doc.blocks.insert(0, Paragraph(title, line))
        doc.places.setdefault(line, f"工作表「{title}」的名称")
        doc.notices.append(
            DocumentNotice(
                "READ-SHEET-NAME", f"表格前没有写明机关和年度的标题，已按工作表名「{title}」读取", line
            )
        )
