"""The corpus for researchers (issue 17 §7): every cell of every report as one long-form row, and
every finding as one row, written as CSV, as an Excel workbook or as Parquet.

Two tables: *cells* (source file, its SHA-256, organ, region, year, layout, cell key, the cell in
words, value) and *findings* (source, SHA-256, organ, region, year, rule, severity, cells, message,
and the finding's current judgement: its short key as ``gongkai judge`` takes it, the verdict in
words, the reason, who judged and when, in China time). The organ is the matched organ's name, else
the name as printed; the region is the nearest region above the matched organ (the organ's own name
when it is a region; empty when unmatched).

Reports are read from the database a page at a time and their rows written as they come, so a
corpus of 100,000 reports (some 20 million cell rows) never sits in memory. Text that people wrote
(organ names, file names, messages) is kept as text: a string a spreadsheet would take for a
formula (``=`` ``+`` ``-`` ``@``, tab, CR first) gets a leading apostrophe in CSV and is written as
an explicit string cell in Excel. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gongkai.clock import in_china
from gongkai.model.cleantext import csv_cell
from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import TABLES, flatten
from gongkai.store.judgements import VERDICTS, finding_key, short_key
from gongkai.store.records import subtree_select
from gongkai.store.tables import CorpusReport, CorpusSource, FindingJudgement, Organ

FORMS = ("csv", "xlsx", "parquet")
CELL_COLUMNS = ("source", "sha256", "organ", "region", "year", "layout", "key", "cell", "value")
FINDING_COLUMNS = (
    *("source", "sha256", "organ", "region", "year", "rule", "severity", "cells", "message"),
    *("finding", "judgement", "reason", "judged_by", "judged_at"),
)
PAGE = 200  # reports fetched from the database at a time

Row = tuple[Any, ...]


@dataclass(frozen=True)
class ReportRows:
    """The rows of one report: its cells and its findings."""

    cells: list[Row]
    findings: list[Row]


@dataclass
class Tally:
    """What an export wrote: reports, rows of each table, and the files."""

    reports: int = 0
    cells: int = 0
    findings: int = 0
    files: list[Path] = field(default_factory=list)


def export_paths(target: Path, form: str) -> list[Path]:
    """The files an export to ``target`` writes: for CSV and Parquet two (``corpus.csv`` gives
    ``corpus-cells.csv`` and ``corpus-findings.csv``), for Excel ``target`` itself."""
    if form == "xlsx":
        return [target]
    stem = target.stem if target.suffix.lower() == f".{form}" else target.name
    return [target.with_name(f"{stem}-{table}.{form}") for table in ("cells", "findings")]


def region_names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    """Every organ's name and the name of its region (nearest region at or above its parent; its
    own when it is a region): the whole tree is small, so read once."""
    organs = {
        oid: (name, kind, parent)
        for oid, name, kind, parent in session.execute(
            select(Organ.id, Organ.name, Organ.kind, Organ.parent_id)
        )
    }
    regions = {oid: _region_of(oid, organs) for oid in organs}
    names = {oid: name for oid, (name, _, _) in organs.items()}
    return names, regions


def _region_of(oid: int, organs: dict[int, tuple[str, str, int | None]]) -> str:
    """The name of the organ's region (nearest region at or above its parent; its own when it is
    a region), from ``organs`` (id → name, kind, parent) holding it and the organs above it."""
    _, kind, parent = organs[oid]
    at, seen = (oid if kind == "region" else parent), set()
    while at is not None and at in organs and organs[at][1] != "region" and at not in seen:
        seen.add(at)  # a cycle in a hand-edited tree ends the walk rather than the export
        at = organs[at][2]
    return organs[at][0] if at is not None and at in organs and organs[at][1] == "region" else ""


class Placed(NamedTuple):
    """An organ as a list of reports shows it: its code, name and region's name."""

    code: str
    name: str
    region: str


def organs_placed(session: Session, organ_ids: set[int]) -> dict[int, Placed]:
    """These organs' codes, names and regions, reading only them and the organs above them (a page
    of reports names a few dozen organs of the 15,000 in a province's tree)."""
    organs: dict[int, tuple[str, str, int | None]] = {}
    codes: dict[int, str] = {}
    wanted = set(organ_ids)
    while wanted:  # a level of the tree a query: a few, however many organs
        rows = session.execute(
            select(Organ.id, Organ.code, Organ.name, Organ.kind, Organ.parent_id).where(Organ.id.in_(wanted))
        ).all()
        for oid, code, name, kind, parent in rows:
            organs[oid], codes[oid] = (name, kind, parent), code
        wanted = {
            parent for _, _, _, kind, parent in rows if kind != "region" and parent is not None
        } - organs.keys()
    return {
        oid: Placed(codes[oid], organs[oid][0], _region_of(oid, organs)) for oid in organ_ids if oid in organs
    }


def _where(region: Organ | None, year: int | None) -> list[ColumnElement[bool]]:
    """The reports asked for: of ``region`` and the organs under it, of ``year``."""
    conditions: list[ColumnElement[bool]] = []
    if region is not None:
        conditions.append(CorpusReport.organ_id.in_(subtree_select(region.id)))
    if year is not None:
        conditions.append(CorpusReport.year == year)
    return conditions


def count_reports(session: Session, *, region: Organ | None = None, year: int | None = None) -> int:
    """How many reports an export of ``region`` and ``year`` holds (for a progress bar)."""
    return session.scalar(select(func.count()).select_from(CorpusReport).where(*_where(region, year))) or 0


class Judged(NamedTuple):
    """A finding's current judgement, as the export writes it."""

    verdict: str
    reason: str
    judged_by: str
    judged_at: datetime


def _judgements(session: Session) -> dict[tuple[str, int], dict[str, Judged]]:
    """The current judgement of every judged finding, by report (source hash, position) and
    fingerprint: people judge findings one at a time, so there are few; read once."""
    current: dict[tuple[str, int], dict[str, Judged]] = {}
    columns = (FindingJudgement.verdict, FindingJudgement.reason, FindingJudgement.judged_by)
    for sha, position, key, *judged in session.execute(  # plain columns: thousands of rows, read fast
        select(FindingJudgement.source_sha256, FindingJudgement.position, FindingJudgement.finding_key)
        .add_columns(*columns, FindingJudgement.judged_at)
        .order_by(FindingJudgement.id)
    ):
        current.setdefault((sha, position), {})[key] = Judged(*judged)
    return current


def _judged(sha: str, position: int, finding: dict[str, Any], judged: dict[str, Judged]) -> Row:
    """A finding's short key and its current judgement as export columns (blank when none)."""
    key = finding_key(finding)
    row = judged.get(key)
    if row is None:
        return (short_key(sha, position, key), "", "", "", "")
    when = in_china(row.judged_at).strftime("%Y-%m-%d %H:%M:%S")
    return (
        short_key(sha, position, key),
        VERDICTS.get(row.verdict, row.verdict),
        row.reason,
        row.judged_by,
        when,
    )


@lru_cache(maxsize=2048)
def cell_in_words(key: str, fmt: str) -> str:
    """A cell's name in the words of its layout's printed table (some 400 keys in all)."""
    try:
        return cell_name(key, layout_for(fmt))
    except (ValueError, KeyError):  # a layout or a key this version does not know: the key must do
        return key


def corpus_rows(
    session: Session, *, region: Organ | None = None, year: int | None = None, page: int = PAGE
) -> Iterator[ReportRows]:
    """The rows of every report asked for, in the order they were taken in, read ``page`` reports at
    a time (a server-side cursor on PostgreSQL): one report's rows in memory at once, not the corpus's."""
    names, regions = region_names(session)
    judgements = _judgements(session)
    query = (
        select(
            CorpusSource.name,
            CorpusSource.sha256,
            CorpusReport.position,
            CorpusReport.organ_id,
            CorpusReport.organ_name,
            CorpusReport.year,
            CorpusReport.format,
            CorpusReport.body,
            CorpusReport.findings,
        )
        .join(CorpusSource, CorpusSource.id == CorpusReport.source_id)
        .where(*_where(region, year))
        .order_by(CorpusReport.id)
        .execution_options(yield_per=page)
    )
    for source, sha, position, organ_id, printed, report_year, fmt, body, findings in session.execute(query):
        organ = names.get(organ_id, printed) if organ_id is not None else printed
        place = (source, sha, organ, regions.get(organ_id, "") if organ_id is not None else "", report_year)
        # The body is the report's canonical JSON: its tables flattened are report_cells() without
        # validating the report again (a millisecond a report, minutes on a large corpus).
        cells = flatten({table: body[table] for table in TABLES if table in body})
        yield ReportRows(
            cells=[(*place, fmt, key, cell_in_words(key, fmt), value) for key, value in cells.items()],
            findings=[
                (
                    *place,
                    f.get("rule", ""),
                    f.get("severity", ""),
                    ";".join(f.get("cells") or ()),
                    f.get("message", ""),
                    *_judged(sha, position, f, judgements.get((sha, position), {})),
                )
                for f in findings or ()
            ],
        )


def export_corpus(
    session: Session,
    target: Path,
    form: str,
    *,
    region: Organ | None = None,
    year: int | None = None,
    on_report: Callable[[Tally], None] | None = None,
    max_sheet_rows: int | None = None,
) -> Tally:
    """Write the corpus (or its ``region`` and ``year``) to ``target`` as ``form`` (csv | xlsx | parquet),
    calling ``on_report`` with the running tally after each report. The files appear whole or not at
    all: each is written beside its place and moved there at the end."""
    if form not in FORMS:
        raise ValueError(f"不支持的导出格式「{form}」：可用 {'、'.join(FORMS)}")
    paths = export_paths(target, form)
    parts = [path.with_name(path.name + ".part") for path in paths]
    tally = Tally(files=paths)
    rows = corpus_rows(session, region=region, year=year)
    try:
        write = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet}[form]
        write(parts, rows, tally, on_report, max_sheet_rows)
        for part, path in zip(parts, paths, strict=True):
            os.replace(part, path)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return tally


def _count(tally: Tally, rows: ReportRows, on_report: Callable[[Tally], None] | None) -> None:
    tally.reports += 1
    tally.cells += len(rows.cells)
    tally.findings += len(rows.findings)
    if on_report is not None:
        on_report(tally)


def _write_csv(
    parts: list[Path],
    rows: Iterator[ReportRows],
    tally: Tally,
    on_report: Callable[[Tally], None] | None,
    _max_rows: int | None,
) -> None:
    # UTF-8 with a byte-order mark: without it Excel takes the file for the local code page and
    # shows the Chinese as mojibake.
    with (
        parts[0].open("w", encoding="utf-8-sig", newline="") as cells_file,
        parts[1].open("w", encoding="utf-8-sig", newline="") as findings_file,
    ):
        cells, findings = csv.writer(cells_file), csv.writer(findings_file)
        cells.writerow(CELL_COLUMNS)
        findings.writerow(FINDING_COLUMNS)
        for report in rows:
            cells.writerows([csv_cell(v) for v in row] for row in report.cells)
            findings.writerows([csv_cell(v) for v in row] for row in report.findings)
            _count(tally, report, on_report)


def _write_xlsx(
    parts: list[Path],
    rows: Iterator[ReportRows],
    tally: Tally,
    on_report: Callable[[Tally], None] | None,
    max_rows: int | None,
) -> None:
    from openpyxl import Workbook  # some 100 ms to import: only for an Excel export

    from gongkai.writers.sheets import StreamedTable

    workbook = Workbook(write_only=True)
    cells = StreamedTable(workbook, "cells", CELL_COLUMNS, max_rows)
    findings = StreamedTable(workbook, "findings", FINDING_COLUMNS, max_rows)
    for report in rows:
        for row in report.cells:
            cells.append(row)
        for row in report.findings:
            findings.append(row)
        _count(tally, report, on_report)
    workbook.save(parts[0])


PARQUET_BATCH = 50_000  # rows a Parquet row group: a few MB of memory, large enough to compress well


def _parquet_schemas() -> tuple[Any, Any]:
    """The two tables' columns, typed: text as strings, the year as a 32-bit integer, a cell's value
    as a double (exact: every cell is an integer under 10^15 or a sum of money)."""
    import pyarrow as pa

    def text(*names: str) -> list[Any]:
        return [pa.field(name, pa.string()) for name in names]

    place = [*text("source", "sha256", "organ", "region"), pa.field("year", pa.int32())]
    cells = pa.schema([*place, *text("layout", "key", "cell"), pa.field("value", pa.float64())])
    findings = pa.schema([*place, *text(*FINDING_COLUMNS[len(place) :])])
    return cells, findings


class _ParquetTable:
    """A table written to a Parquet file a row group at a time."""

    def __init__(self, path: Path, schema: Any) -> None:
        import pyarrow.parquet as pq

        self.schema, self.rows = schema, []
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")

    def extend(self, rows: list[Row]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= PARQUET_BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            columns = list(zip(*self.rows, strict=True))
            self.writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _write_parquet(
    parts: list[Path],
    rows: Iterator[ReportRows],
    tally: Tally,
    on_report: Callable[[Tally], None] | None,
    _max_rows: int | None,
) -> None:
    # Parquet is read by programs, not run by a spreadsheet: text is written as it is, unguarded.
    cell_schema, finding_schema = _parquet_schemas()
    cells, findings = _ParquetTable(parts[0], cell_schema), _ParquetTable(parts[1], finding_schema)
    try:
        for report in rows:
            cells.extend(report.cells)
            findings.extend(report.findings)
            _count(tally, report, on_report)
    finally:
        cells.close()
        findings.close()
