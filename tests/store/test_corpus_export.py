"""Exports of the corpus for researchers (issue 17 §7), on SQLite and PostgreSQL: every cell of
every report one row with its key, name and value, every finding one row with its judgement, in
CSV, Excel and Parquet, people's text kept as text, and the exports filtered by year and region."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from support.exportwriter import FORMULA_NAME, MATCHED, REGION, UNMATCHED, write_export_corpus

from gongkai.batch_ingest import ingest
from gongkai.clock import pinned
from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import report_cells
from gongkai.store.corpus_export import CELL_COLUMNS, FINDING_COLUMNS, export_corpus, export_paths
from gongkai.store.db import transaction
from gongkai.store.judgements import finding_key, judge, short_key
from gongkai.store.records import add_organ, find_organ
from gongkai.store.tables import CorpusReport, CorpusSource


@pytest.fixture
def corpus(store, tmp_path: Path):
    """The three reports of :mod:`support.exportwriter` taken in, one organ matched under a region."""
    with transaction(store) as s:
        add_organ(s, REGION[0], REGION[1], kind="region", actor="t")
        add_organ(s, MATCHED[0], MATCHED[1], parent=REGION[0], actor="t")
    reports = write_export_corpus(tmp_path / "in")
    assert ingest(store, [str(tmp_path / "in")], jobs=1).reports == 3
    return reports


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_sheet(workbook, title: str) -> list[dict]:
    rows = workbook[title].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def export(store, target: Path, form: str, **kwargs):
    with transaction(store) as s:
        region = find_organ(s, kwargs.pop("region")) if "region" in kwargs else None
        return export_corpus(s, target, form, region=region, **kwargs)


def stored_findings(store, organ_name: str) -> tuple[str, list[dict]]:
    with transaction(store) as s:
        name, findings = s.execute(
            select(CorpusSource.name, CorpusReport.findings)
            .join(CorpusSource, CorpusSource.id == CorpusReport.source_id)
            .where(CorpusReport.organ_name == organ_name)
        ).one()
    return name, findings


def test_csv_holds_every_cell_and_finding(store, corpus, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    tally = export(store, tmp_path / "out" / "corpus.csv", "csv")
    cells_path, findings_path = export_paths(tmp_path / "out" / "corpus.csv", "csv")
    assert cells_path.name == "corpus-cells.csv" and findings_path.name == "corpus-findings.csv"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["corpus-cells.csv", "corpus-findings.csv"]
    cells = read_csv(cells_path)
    assert tuple(cells[0]) == CELL_COLUMNS
    expected_count = sum(len(report_cells(r)) for r in corpus.values())
    assert len(cells) == tally.cells == expected_count and tally.reports == 3

    # every cell of the matched report, by key, with its value, its name in words, organ and region
    report = corpus["matched.txt"]
    rows = {row["key"]: row for row in cells if row["organ"] == MATCHED[1]}
    assert set(rows) == set(report_cells(report))
    for key, value in report_cells(report).items():
        row = rows[key]
        assert row["value"] == ("" if value is None else str(value)), key
        assert row["cell"] == cell_name(key, layout_for("2021"))
        assert (row["region"], row["year"], row["layout"]) == (REGION[1], "2023", "2021")
        assert row["source"].endswith("matched.txt") and len(row["sha256"]) == 64

    # the unmatched report: its printed name, no region; a negative number stays a number
    unmatched = {row["key"]: row for row in cells if row["organ"] == UNMATCHED}
    assert {row["region"] for row in unmatched.values()} == {""}
    assert unmatched["active.licensing.change"]["value"] == "-2"
    assert {row["layout"] for row in unmatched.values()} == {"2019"}

    # the name a spreadsheet would run is written behind an apostrophe
    assert {row["organ"] for row in cells} == {MATCHED[1], UNMATCHED, "'" + FORMULA_NAME}

    findings = read_csv(findings_path)
    assert tuple(findings[0]) == FINDING_COLUMNS and len(findings) == tally.findings
    source, stored = stored_findings(store, FORMULA_NAME)
    assert any(f["severity"] == "error" for f in stored)
    assert [
        (r["source"], r["rule"], r["severity"], r["cells"], r["message"], r["year"], r["judgement"])
        for r in findings
        if r["organ"] == "'" + FORMULA_NAME
    ] == [(source, f["rule"], f["severity"], ";".join(f["cells"]), f["message"], "2022", "") for f in stored]


def test_xlsx_holds_every_cell_with_text_as_text(store, corpus, tmp_path: Path) -> None:
    target = tmp_path / "corpus.xlsx"
    tally = export(store, target, "xlsx")
    assert not list(tmp_path.glob("*.part"))
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["cells", "findings"]
    cells = read_sheet(workbook, "cells")
    assert len(cells) == tally.cells
    report = corpus["unmatched.txt"]
    rows = {row["key"]: row for row in cells if row["organ"] == UNMATCHED}
    assert {key: row["value"] for key, row in rows.items()} == report_cells(report)  # numbers as numbers
    assert {(row["region"], row["year"], row["layout"]) for row in rows.values()} == {(None, 2019, "2019")}

    # "=示例市审计局" is a string cell holding the name, not a formula
    sheet = workbook["cells"]
    organ_column = CELL_COLUMNS.index("organ") + 1
    named = [
        row[organ_column - 1]
        for row in sheet.iter_rows(min_row=2)
        if row[organ_column - 1].value == FORMULA_NAME
    ]
    assert named and {cell.data_type for cell in named} == {"s"}

    findings = read_sheet(workbook, "findings")
    _, stored = stored_findings(store, FORMULA_NAME)
    assert [(r["rule"], r["cells"], r["message"]) for r in findings if r["organ"] == FORMULA_NAME] == [
        (f["rule"], ";".join(f["cells"]), f["message"]) for f in stored
    ]
    formula_cells = [row for row in workbook["findings"].iter_rows(min_row=2) if row[2].value == FORMULA_NAME]
    assert formula_cells and {row[2].data_type for row in formula_cells} == {"s"}


def test_a_long_table_goes_on_in_the_next_sheet(store, corpus, tmp_path: Path) -> None:
    tally = export(store, tmp_path / "corpus.xlsx", "xlsx", max_sheet_rows=100)
    workbook = load_workbook(tmp_path / "corpus.xlsx", read_only=True)
    cell_sheets = [name for name in workbook.sheetnames if name.startswith("cells")]
    assert cell_sheets[:2] == ["cells", "cells2"] and len(cell_sheets) == -(-tally.cells // 99)
    lengths = [len(read_sheet(workbook, name)) for name in cell_sheets]
    assert sum(lengths) == tally.cells and max(lengths) == 99  # a header and 99 rows a sheet


def read_parquet(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def read_table(target: Path, form: str, table: str) -> list[dict]:
    """One table (cells or findings) of an export to ``target`` in ``form``, as rows."""
    paths = dict(zip(("cells", "findings"), export_paths(target, form), strict=False))
    if form == "csv":
        return read_csv(paths[table])
    if form == "xlsx":
        return read_sheet(load_workbook(target), table)
    return read_parquet(paths[table])


def test_parquet_holds_every_cell_typed(store, corpus, tmp_path: Path) -> None:
    tally = export(store, tmp_path / "corpus.parquet", "parquet")
    cells_path, findings_path = export_paths(tmp_path / "corpus.parquet", "parquet")
    assert sorted(p.name for p in tmp_path.glob("corpus*")) == [
        "corpus-cells.parquet",
        "corpus-findings.parquet",
    ]
    assert tuple(pq.read_schema(cells_path).names) == CELL_COLUMNS
    assert str(pq.read_schema(cells_path).field("year").type) == "int32"
    cells = read_parquet(cells_path)
    assert len(cells) == tally.cells == sum(len(report_cells(r)) for r in corpus.values())
    for name, organ in (("matched.txt", MATCHED[1]), ("unmatched.txt", UNMATCHED)):
        rows = {row["key"]: row for row in cells if row["organ"] == organ}
        assert {key: row["value"] for key, row in rows.items()} == report_cells(corpus[name]), name
    assert {row["region"] for row in cells if row["organ"] == MATCHED[1]} == {REGION[1]}
    # Parquet is for programs: the name is the name, no apostrophe
    assert FORMULA_NAME in {row["organ"] for row in cells}

    findings = read_parquet(findings_path)
    assert tuple(pq.read_schema(findings_path).names) == FINDING_COLUMNS and len(findings) == tally.findings
    _, stored = stored_findings(store, FORMULA_NAME)
    assert [(r["rule"], r["cells"], r["message"]) for r in findings] == [
        (f["rule"], ";".join(f["cells"]), f["message"]) for f in stored
    ]


def test_an_empty_selection_writes_the_columns_only(store, corpus, tmp_path: Path) -> None:
    tally = export(store, tmp_path / "none.parquet", "parquet", year=2030)
    assert (tally.reports, tally.cells) == (0, 0)
    for path, columns in zip(
        export_paths(tmp_path / "none.parquet", "parquet"), (CELL_COLUMNS, FINDING_COLUMNS), strict=True
    ):
        table = pq.read_table(path)
        assert table.num_rows == 0 and tuple(table.column_names) == columns


@pytest.mark.parametrize("form", ["csv", "xlsx", "parquet"])
def test_findings_carry_their_judgement(store, corpus, tmp_path: Path, form: str) -> None:
    """The latest judgement of each finding, with its reason, who and when (China time); the
    finding's short key is the one ``gongkai judge`` takes."""
    with transaction(store) as s:
        report = s.scalars(select(CorpusReport).where(CorpusReport.organ_name == FORMULA_NAME)).one()
        sha = s.get(CorpusSource, report.source_id).sha256
        first, second = report.findings[0], report.findings[1]
        with pinned(date(2026, 3, 2)):  # judged on 2 March in China, at the real time of day
            judge(s, report, finding_key(first), "确认", actor="李四")
            judge(s, report, finding_key(second), "确认", actor="李四")
            judge(s, report, finding_key(second), "不是问题", reason="=已核实，系口径不同", actor="张三")
    target = tmp_path / f"corpus.{form}"
    export(store, target, form)
    rows = read_table(target, form, "findings")
    judged = {row["finding"]: row for row in rows if row["judgement"]}
    # exactly these two rows carry a judgement (the report has no other finding)
    assert len(rows) == 2 and set(judged) == {
        short_key(sha, report.position, finding_key(f)) for f in (first, second)
    }
    one, two = (judged[short_key(sha, report.position, finding_key(f))] for f in (first, second))
    assert (one["judgement"], one["reason"] or "", one["judged_by"]) == ("确认", "", "李四")  # Excel: None
    reason = "'=已核实，系口径不同" if form == "csv" else "=已核实，系口径不同"
    assert (two["judgement"], two["reason"], two["judged_by"]) == ("不是问题", reason, "张三")
    assert re.fullmatch(r"2026-03-02 \d\d:\d\d:\d\d", two["judged_at"])


@pytest.mark.parametrize("form", ["csv", "xlsx", "parquet"])
def test_year_and_region_choose_the_reports(store, corpus, tmp_path: Path, form: str) -> None:
    def organs(**kwargs) -> set[str]:
        target = tmp_path / f"{len(list(tmp_path.iterdir()))}.{form}"
        tally = export(store, target, form, **kwargs)
        rows = read_table(target, form, "cells")
        assert len(rows) == tally.cells
        return {row["organ"] for row in rows}

    assert organs(year=2019) == {UNMATCHED}
    assert organs(year=2022) == {"'" + FORMULA_NAME if form == "csv" else FORMULA_NAME}
    assert organs(year=2030) == set()
    assert organs(region=REGION[0]) == {MATCHED[1]}
    assert organs(region=MATCHED[0], year=2023) == {MATCHED[1]}
    assert organs(region=REGION[0], year=2019) == set()


def test_an_unknown_form_is_refused(store, corpus, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="parquet"):
        export(store, tmp_path / "corpus.json", "json")
    assert not list(tmp_path.glob("corpus*"))
