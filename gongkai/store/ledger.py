"""Import a 台账 (the register many organs keep in Excel) from CSV or XLSX.

Two kinds: the documents issued (规章、行政规范性文件) and the log of proactive publications. Every
row is checked first; a file with any bad row imports nothing, and each bad row is reported with
its row number (as Excel shows it) and the reason.

An import is two steps (issue 14 §1):

1. :func:`read_ledger` reads and checks the file and touches no database: a pure function of the
   file's bytes, giving plain data (:class:`LedgerRead`), so that it can run in a worker process
   under time and memory limits. Rows are streamed and reading stops at the row limit
   (:mod:`gongkai.store.ledger_files`).
2. :func:`write_ledger` writes the entries in short transactions of :data:`LEDGER_CHUNK_ROWS` rows,
   so that a citizen's filing or a clerk's save gets in between (SQLite has one writer at a time).

All or nothing: everything the writing could refuse (each field as :func:`add_document` and
:func:`add_publication` check it, and the columns' widths) is checked in step 1, before the first
chunk is written; there is no unique key on these entries for another writer to take meanwhile.
If the process dies mid-way, the chunks already committed stay: each of their rows' audit entries
names the import (``"import": <id>``), the import's own audit entry (entity ``ledger``, action
``import``) says how many rows it was to write, and the action ``imported`` is written with the
last chunk, so an interrupted import is one without it. Importing the same file again completes it:
rows already in the register are skipped (counted with repetition, so a file that lists one entry
twice still gets it twice), which also makes importing an unchanged or extended 台账 twice harmless.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gongkai import settings
from gongkai.store.db import READ_ONLY, transaction
from gongkai.store.ledger_files import (
    LEDGER_HEADER_ROWS,
    MAX_LEDGER_BYTES,
    MAX_LEDGER_ROWS,
    ledger_rows,
    too_many_rows,
)
from gongkai.store.records import Refused, audit, lock_row
from gongkai.store.register import (
    CATALOGUE_FIELDS,
    SIGN_OFFS,
    add_document,
    add_publication,
    document_problems,
    publication_problems,
)
from gongkai.store.tables import Document, Organ, Publication
from gongkai.workers import LimitedPool, WorkerFailure

__all__ = [
    "MAX_LEDGER_BYTES",
    "MAX_LEDGER_ROWS",
    "LedgerImport",
    "LedgerProblems",
    "LedgerRead",
    "import_ledger",
    "read_ledger",
    "write_ledger",
]

LEDGER_CHUNK_ROWS = 500  # rows written per transaction: a fraction of a second on SQLite
# Between two chunks on SQLite the importer waits longer than SQLite's longest pause between two
# tries of a writer waiting for the lock (100 ms), so a waiting filing always finds the lock free:
# without the pause the importer takes it again at once and a waiter may wait out its 15 s.
SQLITE_PAUSE_SECONDS = 0.12

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
        kind,
        entry["title"],
        entry["issued_on"],
        entry["published_on"],
        entry["repealed_on"],
        entry["doc_number"],
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


# --- step 1: reading and checking, no database -----------------------------------------------------


@dataclass
class LedgerRead:
    """What reading a 台账 gave, as plain data that pickles (it may come from a worker process):
    the entries to import, or why not. ``refusal`` is set when the file as a whole cannot be used
    (unreadable, too long, no header); ``problems`` lists the bad rows as ``{"row", "reason"}``;
    ``entries`` holds the keyword arguments of :func:`add_document` or :func:`add_publication`,
    and is left empty once a problem is found (nothing will be imported)."""

    name: str
    kind: str
    entries: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    refusal: str = ""

    def raise_for_problems(self) -> None:
        """Raise :class:`Refused` or :class:`LedgerProblems` unless every row can be imported."""
        if self.refusal:
            raise Refused(self.refusal)
        if self.problems:
            raise LedgerProblems(self.name, [(p["row"], p["reason"]) for p in self.problems])


def read_ledger(source: Path | bytes, kind: str, name: str | None = None) -> LedgerRead:
    """Read and check a 台账 (XLSX or CSV, as a path or its bytes) of ``kind`` (``documents`` or
    ``publications``), naming it ``name`` in messages (by default the path). Touches no database
    and raises nothing for a bad file: what is wrong is in the result."""
    name = name or (str(source) if isinstance(source, Path) else "台账")
    read = LedgerRead(name, kind)
    if kind not in KINDS:
        read.refusal = "台账类别应为 documents（规章和行政规范性文件）或 publications（主动公开信息）"
        return read
    try:
        if isinstance(source, Path):
            with source.open("rb") as file:
                source = file.read(MAX_LEDGER_BYTES + 1)
        _read_rows(read, ledger_rows(source, name))
    except Refused as exc:
        read.refusal, read.entries, read.problems = str(exc), [], []
    except OSError as exc:
        read.refusal = f"{name}：无法读取文件（{exc.strerror or type(exc).__name__}）"
    return read


# A 台账 at the row limit (100,000 rows of 30 cells) takes about half a minute to read: more time
# than a report, the same memory.
LEDGER_SECONDS = 120


def read_ledger_within(
    source: Path | bytes,
    kind: str,
    name: str | None = None,
    seconds: int = LEDGER_SECONDS,
    memory_mb: int | None = None,
) -> LedgerRead:
    """:func:`read_ledger` in a worker process of its own under the limits every document is read
    under (issue 14 §3): the web server's memory and time are never the file's to spend."""
    name = name or (str(source) if isinstance(source, Path) else "台账")
    with LimitedPool(1, seconds, memory_mb or settings.current().worker_memory_mb) as pool:
        outcome = pool.run(read_ledger, source, kind, name)
    if isinstance(outcome, WorkerFailure):
        return LedgerRead(name, kind, refusal=f"{name}：{outcome.reason}，未导入")
    return outcome


def _read_rows(read: LedgerRead, rows: Iterable[tuple[int, list[str]]]) -> None:
    header: tuple[int, dict[str, int]] | None = None
    try:
        for number, row in rows:
            if header is None:
                if number > LEDGER_HEADER_ROWS:
                    break
                # the header is the first row naming the required columns (a title may come before)
                columns = _header_map(row, KINDS[read.kind])
                if all(key in columns for key in REQUIRED[read.kind]):
                    header = number, columns
                continue
            if number > header[0] + MAX_LEDGER_ROWS:
                raise Refused(too_many_rows(read.name))  # and nothing further is read
            if any(row):
                _read_row(read, number, row, header[1])
    finally:
        getattr(rows, "close", lambda: None)()  # a generator: its file is closed now
    if header is None:
        wanted = "、".join(KINDS[read.kind][key][0] for key in REQUIRED[read.kind])
        raise Refused(f"{read.name}：前 {LEDGER_HEADER_ROWS} 行里找不到表头（需要这些列：{wanted}）")


def _read_row(read: LedgerRead, number: int, row: list[str], columns: dict[str, int]) -> None:
    values = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
    try:
        entry, reasons = (_document_entry if read.kind == "documents" else _publication_entry)(values)
    except ValueError as exc:
        reasons = [f"「{exc}」不是日期（应如 2025-03-01）"]
    if reasons:
        read.problems.append({"row": number, "reason": "；".join(reasons)})
        read.entries.clear()  # nothing will be imported: no need to keep them
    elif not read.problems:
        read.entries.append(entry)


# --- step 2: writing, in short transactions ---------------------------------------------------------


@dataclass(frozen=True)
class LedgerImport:
    """What an import wrote: ``written`` rows under ``import_id``, ``skipped`` already present."""

    import_id: str
    written: int
    skipped: int


def _document_key(kind, title, doc_number, issued_on, published_on, repealed_on) -> tuple:
    return (kind, title.strip(), doc_number.strip(), issued_on, published_on, repealed_on)


def _publication_key(title, category, published_on, channels, sign_offs, catalogue) -> tuple:
    return (
        title.strip(),
        category.strip(),
        published_on,
        tuple(c.strip() for c in channels if c.strip()),
        *(sign_offs.get(key, "").strip() for key in SIGN_OFFS),
        *((catalogue or {}).get(key, "").strip() for key in CATALOGUE_FIELDS),
    )


def _digest(key: tuple) -> bytes:
    # 16 bytes per entry already stored, rather than its texts: an organ may have 100k of them
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def _entry_digest(kind: str, entry: dict) -> bytes:
    if kind == "documents":
        return _digest(_document_key(**entry))
    return _digest(_publication_key(**entry))


def _present(
    session: Session, organ_id: int, kind: str, titles: Collection[str] | None = None
) -> Counter[bytes]:
    """How many times each entry is already in the organ's register (withdrawn ones included: a
    withdrawn entry was entered, and a mistake once withdrawn is not brought back); only entries of
    these ``titles`` when given."""
    if kind == "documents":
        columns = (Document.kind, Document.title, Document.doc_number, Document.issued_on)
        query = select(*columns, Document.published_on, Document.repealed_on).where(
            Document.organ_id == organ_id
        )
        if titles is not None:
            query = query.where(Document.title.in_(titles))
        rows = session.execute(query.execution_options(yield_per=2000))
        return Counter(_digest(_document_key(*row)) for row in rows)
    signed = [getattr(Publication, key) for key in SIGN_OFFS]
    listed = [getattr(Publication, key) for key in CATALOGUE_FIELDS]
    query = select(
        Publication.title,
        Publication.category,
        Publication.published_on,
        Publication.channels,
        *signed,
        *listed,
    ).where(Publication.organ_id == organ_id)
    if titles is not None:
        query = query.where(Publication.title.in_(titles))
    counts: Counter[bytes] = Counter()
    for row in session.execute(query.execution_options(yield_per=2000)):
        title, category, published_on, channels = row[:4]
        sign_offs = dict(zip(SIGN_OFFS, row[4:8], strict=True))
        catalogue = dict(zip(CATALOGUE_FIELDS, row[8:], strict=True))
        counts[_digest(_publication_key(title, category, published_on, channels, sign_offs, catalogue))] += 1
    return counts


def entries_to_write(session: Session, organ_id: int, read: LedgerRead) -> tuple[list[dict], int]:
    """The entries of ``read`` not yet in the organ's register, and how many were left out: an entry
    present n times in the register stands for its first n copies in the file."""
    todo = _missing(session, organ_id, read.kind, _ranked(read))
    return [entry for _, _, entry in todo], len(read.entries) - len(todo)


Ranked = tuple[bytes, int, dict]  # an entry's digest, which copy of it in the file it is (1, 2…), the entry


def _ranked(read: LedgerRead) -> list[Ranked]:
    seen: Counter[bytes] = Counter()
    out = []
    for entry in read.entries:
        digest = _entry_digest(read.kind, entry)
        seen[digest] += 1
        out.append((digest, seen[digest], entry))
    return out


def _missing(
    session: Session, organ_id: int, kind: str, ranked: list[Ranked], titles: Collection[str] | None = None
) -> list[Ranked]:
    """The entries whose copy is not yet in the register: the n-th copy is there when the register
    holds the entry at least n times."""
    present = _present(session, organ_id, kind, titles)
    return [item for item in ranked if present[item[0]] < item[1]]


def _write(
    session: Session, organ: Organ, kind: str, entries: list[dict], actor: str, import_id: str
) -> None:
    add = add_document if kind == "documents" else add_publication
    for entry in entries:
        add(session, organ, actor=actor, import_id=import_id, **entry)


def write_ledger(
    sessions: sessionmaker[Session],
    organ_id: int,
    read: LedgerRead,
    *,
    actor: str,
    chunk_rows: int = LEDGER_CHUNK_ROWS,
) -> LedgerImport:
    """Write what :func:`read_ledger` read into the organ's register, each ``chunk_rows`` rows in a
    transaction of their own (sessions from ``sessions``), skipping rows already present (see the
    module's docstring for what an interrupted import leaves). Raises what
    :meth:`LedgerRead.raise_for_problems` raises before writing anything; a failure after some chunks
    were written is a :class:`Refused` saying so."""
    read.raise_for_problems()
    engine = sessions.kw["bind"]
    # a read that waits for no writer and makes none wait (SQLite: BEGIN, not BEGIN IMMEDIATE)
    with sessions(bind=engine.execution_options(**READ_ONLY)) as session, session.begin():
        todo = _missing(session, organ_id, read.kind, _ranked(read))
    import_id = uuid.uuid4().hex[:16]
    pause = SQLITE_PAUSE_SECONDS if engine.dialect.name == "sqlite" else 0.0
    written = handled = 0  # rows written; rows of the file dealt with (written, or found written meanwhile)
    try:
        for start in range(0, len(todo), chunk_rows):
            if start:
                time.sleep(pause)
            with transaction(sessions) as session:
                organ = session.get_one(Organ, organ_id)
                # Another import of the same file may have written some of these meanwhile: the
                # organ's lock makes imports take turns, and under it the chunk is checked again.
                lock_row(session, organ)
                chunk = todo[start : start + chunk_rows]
                chunk = _missing(
                    session, organ_id, read.kind, chunk, {entry["title"] for _, _, entry in chunk}
                )
                if start == 0:
                    about = {
                        "file": read.name,
                        "kind": read.kind,
                        "rows": len(todo),
                        "skipped": len(read.entries) - len(todo),
                    }
                    audit(session, actor, "ledger", import_id, "import", organ_id=organ_id, after=about)
                _write(session, organ, read.kind, [entry for _, _, entry in chunk], actor, import_id)
                if start + chunk_rows >= len(todo):  # done: said in the last chunk's transaction
                    audit(session, actor, "ledger", import_id, "imported", organ_id=organ_id)
            written += len(chunk)
            handled = min(start + chunk_rows, len(todo))
    except Exception as exc:
        if not written:
            raise
        raise Refused(
            f"{read.name}：导入中断（{type(exc).__name__}），已导入 {written} 行，其余 {len(todo) - handled} 行未导入；"
            "再次导入同一文件即可补上（已导入的行会跳过）"
        ) from exc
    return LedgerImport(import_id, written, len(read.entries) - written)


def import_ledger(session: Session, organ: Organ, path: Path, kind: str, *, actor: str) -> int:
    """Import every row of a 台账 in the caller's transaction, or none: raises :class:`Refused` or
    :class:`LedgerProblems` listing the bad rows. Rows already in the register are skipped; gives
    how many were written. For a large file, :func:`read_ledger` and :func:`write_ledger` keep the
    database free for others meanwhile."""
    read = read_ledger(path, kind)
    read.raise_for_problems()
    todo, skipped = entries_to_write(session, organ.id, read)
    if todo:
        import_id = uuid.uuid4().hex[:16]
        about = {"file": read.name, "kind": kind, "rows": len(todo), "skipped": skipped}
        audit(session, actor, "ledger", import_id, "import", organ_id=organ.id, after=about)
        _write(session, organ, kind, todo, actor, import_id)
        audit(session, actor, "ledger", import_id, "imported", organ_id=organ.id)
    return len(todo)
