"""The XLSX package, made safe before openpyxl inflates anything, and the sheet XML it skips.

The package's uncompressed size is capped (a zip bomb) and every part is read up to its root
element and refused if it declares a DTD: the only way to an entity bomb, and nothing Excel or
WPS writes. The check is needed: openpyxl parses sheets and shared strings with the standard
library's expat, which expands internal entities (since expat 2.4 it stops only past a
hundredfold amplification). Merges and formulas without a cached result are read from the
sheet XML directly (openpyxl's read-only mode does not materialise merges).
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from typing import IO, Any
from xml.parsers import expat

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from gongkai.readers.bounds import MAX_MARKUP_RUN_BYTES, ZIP_DAMAGE, MarkupRuns, damage
from gongkai.readers.document import UnreadableDocument

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before anything is inflated


MAX_MERGES = 20_000  # merged areas on a sheet; a report has about a hundred


# Errors openpyxl (or the zip and XML layers under it) raises on a damaged package.
DAMAGED = (
    *ZIP_DAMAGE,
    InvalidFileException,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree ParseError and lxml's XMLSyntaxError
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


def check_package(archive: zipfile.ZipFile) -> None:
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
        if info.filename.endswith((".xml", ".rels")) and _has_overlong_markup(archive, info):
            raise UnreadableDocument(
                f"XLSX 中的 {info.filename} 有一段超过 {MAX_MARKUP_RUN_BYTES // (1024 * 1024)} MB 的标记或文字"
                "（如不闭合的标签），不是 Excel 或 WPS 写出的文件，已拒绝读取"
            )


def _has_overlong_markup(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part holds a stretch that would cost openpyxl's expat minutes to parse."""
    runs = MarkupRuns()
    with archive.open(info) as stream:
        while chunk := stream.read(MAX_MARKUP_RUN_BYTES):
            if runs.too_long(chunk):
                return True
    return False


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
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


def open_workbook(data: bytes, archive: zipfile.ZipFile, parts: dict[str, str]) -> Any:
    """The workbook in openpyxl's read-only mode; a damaged one raises one clear message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about what it drops (validation, styles)
        try:
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except DAMAGED as exc:
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
            return UnreadableDocument(f"{where}已损坏，无法读取（{damage_name(error)}）")
        except DAMAGED:
            return UnreadableDocument(f"XLSX 中的 {name} 已损坏，无法读取")
    if isinstance(exc, KeyError):  # zipfile: "There is no item named '…' in the archive"
        missing = re.findall(r"'([^']+)'", str(exc))
        if missing:
            return UnreadableDocument(f"XLSX 文件不完整，缺少 {missing[0]}，无法读取")
    return UnreadableDocument(f"XLSX 文件已损坏，无法读取（{damage(exc)}）")


def damage_name(exc: BaseException) -> str:
    """What is wrong, for a message: where the XML breaks, else the kind of error."""
    return damage(exc)


# --- the sheet XML: merges and formulas ----------------------------------------------------------

_MERGE_RE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
FORMULA_RE = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_COLUMN_RE = re.compile(r"^([A-Za-z]{1,3})")


def as_utf8(xml: bytes) -> bytes:
    """The part in UTF-8, so that the byte patterns below see it (Excel writes UTF-8 anyway)."""
    encoding = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16", b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
    if xml[:2] in encoding:
        return xml.decode(encoding[xml[:2]]).encode("utf-8")
    return xml


def sheet_merges(xml: bytes, title: str) -> list[tuple[int, int, int, int]]:
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


def uncomputed_formulas(xml: bytes) -> list[tuple[int, int]]:
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
