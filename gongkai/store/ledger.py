"""Import a 台账 (the register many organs keep in Excel) from CSV or XLSX.

Two kinds: the documents issued (规章、行政规范性文件) and the log of proactive publications. Every
row is checked first; a file with any bad row imports nothing, and each bad row is reported with
its row number (as Excel shows it) and the reason.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from charset_normalizer import from_bytes
from sqlalchemy.orm import Session

from gongkai.model.text import clean_text
from gongkai.store.records import Refused
from gongkai.store.register import (
    CATALOGUE_FIELDS,
    SIGN_OFFS,
    add_document,
    add_publication,
    document_problems,
    publication_problems,
)
from gongkai.store.tables import Organ

MAX_LEDGER_BYTES = 20 * 1024 * 1024
MAX_LEDGER_ROWS = 100_000
MAX_LEDGER_XML_BYTES = 200 * 1024 * 1024  # a workbook's XML, unzipped

# Column → the headers seen for it in organs' spreadsheets.
DOCUMENT_COLUMNS = {
    "kind": ("类别", "文件类别", "类型", "种类"),
    "title": ("标题", "文件名称", "名称", "文件标题"),
    "doc_number": ("文号", "发文字号", "文件编号"),
    "issued_on": ("印发日期", "制发日期", "发文日期", "成文日期"),
    "published_on": ("公开日期", "发布日期"),
    "repealed_on": ("废止日期", "失效日期"),
}
PUBLICATION_COLUMNS = {
    "title": ("标题", "信息标题", "名称"),
    "category": ("公开目录", "类别", "栏目", "信息类别", "目录类别"),
    "published_on": ("发布日期", "公开日期", "日期"),
    "channels": ("发布渠道", "公开渠道", "渠道", "公开方式"),
    "first_review": ("初审", "初审人"),
    "second_review": ("复审", "复审人"),
    "final_review": ("终审", "终审人"),
    "secrecy_review": ("保密审查", "保密审查人"),
    # what the public catalogue shows (issue 13), each optional
    "index_number": ("索引号",),
    "doc_number": ("文号", "发文字号", "文件编号"),
    "issuer": ("发布机构", "发文机关", "发布单位", "发文单位"),
    "url": ("链接", "网址", "URL", "url", "网页地址", "原文链接"),
}
KINDS = {"documents": DOCUMENT_COLUMNS, "publications": PUBLICATION_COLUMNS}
REQUIRED = {
    "documents": ("kind", "title", "issued_on"),
    "publications": ("title", "category", "published_on", "channels", *SIGN_OFFS),
}
DOCUMENT_KIND_WORDS = {
    "规章": "rules",
    "政府规章": "rules",
    "行政规范性文件": "normative",
    "规范性文件": "normative",
}
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass
class LedgerProblems(Exception):
    """The rows that cannot be imported, each with its reason; nothing was imported."""

    path: str
    problems: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.path}：{len(self.problems)} 行有问题，未导入任何一行："]
        lines += [f"  第 {row} 行：{reason}" for row, reason in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ……另有 {len(self.problems) - 50} 行")
        return "\n".join(lines)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def _refuse_dtd(path: Path, data: bytes) -> None:
    # A workbook's XML never needs a DTD; one can only expand entities or reach for other files, and
    # the XML parser openpyxl uses would try (issue 14 §16). Refused before anything is parsed.
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        parts = [info for info in book.infolist() if info.filename.endswith((".xml", ".rels"))]
        if sum(info.file_size for info in parts) > MAX_LEDGER_XML_BYTES:
            raise Refused(f"{path}：Excel 文件解压后过大，不像台账，未导入")
        for info in parts:
            head = book.read(info).lower()
            if b"<!doctype" in head or "<!doctype".encode("utf-16-le") in head:
                raise Refused(
                    f"{path}：Excel 文件的「{info.filename}」含有 DTD（<!DOCTYPE>），不能导入；请在 Excel 中另存为新文件后再导入"
                )
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise Refused(f"{path}：无法读取 Excel 文件（{type(exc).__name__}）") from None


def _xlsx_rows(path: Path, data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    _refuse_dtd(path, data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or encrypted workbook
        raise Refused(f"{path}：无法读取 Excel 文件（{type(exc).__name__}）") from None
    rows: list[list[str]] = []
    try:
        # read_only: the sheet is parsed as its rows are read, so a damaged sheet fails here
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
    except Exception as exc:
        raise Refused(f"{path} 第 {len(rows) + 1} 行：无法读取（{type(exc).__name__}），未导入") from None
    finally:
        book.close()
    return rows


def read_rows(path: Path) -> list[list[str]]:
    """The sheet's rows as text (the first sheet of an XLSX; a CSV in any common encoding), without
    control characters (issue 14 §9); :class:`Refused` naming the file and the row when it cannot be
    read (issue 14 §16)."""
    data = path.read_bytes()
    if len(data) > MAX_LEDGER_BYTES:
        raise Refused(f"{path}：文件超过 {MAX_LEDGER_BYTES // 1024 // 1024} MB")
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(path, data)
    best = from_bytes(data).best()
    if best is None:
        raise Refused(f"{path}：不是文本或 Excel 文件")
    reader = csv.reader(io.StringIO(str(best)))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append([clean_text(c).strip() for c in row])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reason = f"有一格超过 {csv.field_size_limit():,} 个字符，不像台账（引号是否未配对？）"
        else:
            reason = f"不是有效的 CSV（{exc}）"
        raise Refused(f"{path} 第 {reader.line_num} 行：{reason}，未导入") from None
    return rows


def _date(text: str) -> date | None:
    if not text:
        return None
    m = _DATE_RE.match(text.split(" ")[0].split("T")[0])
    if not m:
        raise ValueError(text)
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:  # 2025-02-30
        raise ValueError(text) from None


def _header_map(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        name = re.sub(r"\s+", "", text)
        for key, aliases in columns.items():
            if key not in found and name in aliases:
                found[key] = index
    return found


def _find_header(rows: list[list[str]], kind: str) -> tuple[int, dict[str, int]] | None:
    """The first row (of ten) naming every required column, and where each column is."""
    for index, row in enumerate(rows[:10]):
        columns = _header_map(row, KINDS[kind])
        if all(key in columns for key in REQUIRED[kind]):
            return index, columns
    return None


def import_ledger(session: Session, organ: Organ, path: Path, kind: str, *, actor: str) -> int:
    """Import every row of a 台账, or none: raises :class:`LedgerProblems` listing the bad rows."""
    if kind not in KINDS:
        raise Refused("台账类别应为 documents（规章和行政规范性文件）或 publications（主动公开信息）")
    rows = read_rows(path)
    # The header is the first row naming the required columns (a title row may come before it).
    found = _find_header(rows, kind)
    if found is None:
        wanted = "、".join(KINDS[kind][key][0] for key in REQUIRED[kind])
        raise Refused(f"{path}：前 10 行里找不到表头（需要这些列：{wanted}）")
    header_index, columns = found
    body = rows[header_index + 1 :]
    if len(body) > MAX_LEDGER_ROWS:
        raise Refused(f"{path}：超过 {MAX_LEDGER_ROWS} 行")
    problems: list[tuple[int, str]] = []
    entries: list[dict] = []
    for offset, row in enumerate(body):
        number = header_index + 2 + offset  # as Excel numbers rows
        if not any(row):
            continue
        values = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
        try:
            entry, reasons = (_document_entry if kind == "documents" else _publication_entry)(values)
        except ValueError as exc:
            problems.append((number, f"「{exc}」不是日期（应如 2025-03-01）"))
            continue
        if reasons:
            problems.append((number, "；".join(reasons)))
        else:
            entries.append(entry)
    if problems:
        raise LedgerProblems(str(path), problems)
    for entry in entries:
        if kind == "documents":
            add_document(session, organ, actor=actor, **entry)
        else:
            add_publication(session, organ, actor=actor, **entry)
    return len(entries)


def _document_entry(values: dict[str, str]) -> tuple[dict, list[str]]:
    word = re.sub(r"\s+", "", values.get("kind", ""))
    kind = DOCUMENT_KIND_WORDS.get(word, word)
    entry = {
        "kind": kind,
        "title": values.get("title", ""),
        "doc_number": values.get("doc_number", ""),
        "issued_on": _date(values.get("issued_on", "")),
        "published_on": _date(values.get("published_on", "")),
        "repealed_on": _date(values.get("repealed_on", "")),
    }
    problems = document_problems(
        kind, entry["title"], entry["issued_on"], entry["published_on"], entry["repealed_on"]
    )
    return entry, problems


def _publication_entry(values: dict[str, str]) -> tuple[dict, list[str]]:
    channels = [c.strip() for c in re.split(r"[、,，;；/\n]", values.get("channels", "")) if c.strip()]
    sign_offs = {key: values.get(key, "") for key in SIGN_OFFS}
    catalogue = {key: values.get(key, "") for key in CATALOGUE_FIELDS}
    entry = {
        "title": values.get("title", ""),
        "category": values.get("category", ""),
        "published_on": _date(values.get("published_on", "")),
        "channels": channels,
        "sign_offs": sign_offs,
        "catalogue": catalogue,
    }
    return entry, publication_problems(
        entry["title"], entry["category"], entry["published_on"], channels, sign_offs, catalogue
    )
