"""Publication dates for the corpus from a list (``gongkai ingest --dates LIST.csv``, issue 17 §5).

Whoever gathered the reports usually knows when each was published (a portal's list page, a
crawler's log): a CSV file with a header naming the file (``file``/``文件``, the path as given to
ingest or just the file's name) or its content hash (``sha256``), and the date (``published`` /
``公布日期`` / ``发布日期``; 2025-01-20, 2025/1/20 or 2025年1月20日). A date from the list replaces
what a page said of itself: the list is what a person vouches for.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gongkai.store.records import Refused
from gongkai.store.tables import CorpusReport, CorpusSource

FILE_COLUMNS = ("file", "文件", "文件名", "sha256")
DATE_COLUMNS = ("published", "published_on", "公布日期", "发布日期", "发布时间")
MAX_LIST_BYTES = 50 * 1024 * 1024
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class DateList:
    """The list's dates by file (as written in it) and by content hash."""

    by_file: dict[str, date] = field(default_factory=dict)
    by_sha: dict[str, date] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.by_file) + len(self.by_sha)


def _decoded(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel saves CSV in the local code page
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused(f"{path}: 无法识别文件的编码（请存为 UTF-8 的 CSV）")


def read_date_list(path: Path) -> DateList:
    """The dates a list file gives; :class:`Refused` naming the file and line for anything amiss,
    before anything is kept."""
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise Refused(f"{path}: 日期清单超过 {MAX_LIST_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(f"{path}: 无法读取日期清单（{exc.strerror or exc}）") from None
    rows = csv.reader(io.StringIO(_decoded(path, data)))
    header = [cell.strip().lower() for cell in next(rows, [])]
    where = next((i for i, name in enumerate(header) if name in FILE_COLUMNS), None)
    when = next((i for i, name in enumerate(header) if name in DATE_COLUMNS), None)
    if where is None or when is None:
        raise Refused(
            f"{path} 第1行: 表头应有文件列（{'、'.join(FILE_COLUMNS)}）和日期列（{'、'.join(DATE_COLUMNS)}）"
        )
    found = DateList()
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(where, when):
            raise Refused(f"{path} 第{number}行: 缺少文件或日期")
        name, text = row[where].strip(), row[when].strip()
        match = _DATE_RE.match(text)
        try:
            day = date(int(match[1]), int(match[2]), int(match[3])) if match else None
        except ValueError:
            day = None
        if not name or day is None:
            said = f"「{text}」不是日期（应如 2025-01-20）" if name else "缺少文件"
            raise Refused(f"{path} 第{number}行: {said}")
        if header[where] == "sha256" or _SHA_RE.match(name.lower()):
            found.by_sha[name.lower()] = day
        else:
            found.by_file[name] = day
    return found


def dates_by_sha(listed: DateList, files: dict[str, str]) -> tuple[dict[str, date], list[str]]:
    """The list's dates by content hash, matched to ``files`` (each name given to ingest → its hash):
    by the whole name, else by the file's own name when only one file bears it; and the list's
    entries that matched no file."""
    by_base: dict[str, list[str]] = defaultdict(list)
    for name, sha in files.items():
        by_base[PurePosixPath(name.replace("\\", "/")).name].append(sha)
    dates, held = dict(listed.by_sha), set(files.values())
    unmatched = [sha for sha in listed.by_sha if sha not in held]
    for name, day in listed.by_file.items():
        if name in files:
            dates[files[name]] = day
        elif len(set(by_base.get(name, []))) == 1:
            dates[by_base[name][0]] = day
        else:
            unmatched.append(name)
    return dates, unmatched


def set_published(session: Session, dates: dict[str, date]) -> int:
    """Give the reports of each source (by hash) its listed publication date; how many reports
    were given one."""
    by_day: dict[date, list[str]] = defaultdict(list)
    for sha, day in dates.items():
        by_day[day].append(sha)
    changed = 0
    for day, hashes in by_day.items():
        for start in range(0, len(hashes), 500):  # well under any database's parameter limit
            sources = select(CorpusSource.id).where(CorpusSource.sha256.in_(hashes[start : start + 500]))
            result = session.execute(
                update(CorpusReport)
                .where(CorpusReport.source_id.in_(sources))
                .values(published_on=day, published_from="list")
                .execution_options(synchronize_session=False)
            )
            changed += result.rowcount or 0
    return changed
