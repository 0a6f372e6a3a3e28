"""``gongkai export-corpus`` (issue 17 §7), on SQLite and PostgreSQL: what it says it wrote, the
files it writes, and the inputs it refuses."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
from openpyxl import load_workbook
from support.commands import gk, ok  # noqa: F401 (the fixture)
from support.exportwriter import FORMULA_NAME, MATCHED, REGION, UNMATCHED, write_export_corpus

from gongkai.model.report import report_cells


def test_export_corpus_writes_csv_xlsx_and_parquet(gk, tmp_path: Path) -> None:  # noqa: F811
    ok(gk("organs", "add", REGION[0], REGION[1], "--region"))
    ok(gk("organs", "add", MATCHED[0], MATCHED[1], "--parent", REGION[0]))
    reports = write_export_corpus(tmp_path / "in")
    ok(gk("ingest", tmp_path / "in", "--jobs", "1"))
    cells = sum(len(report_cells(r)) for r in reports.values())

    said = ok(gk("export-corpus", "--to", "csv", "-o", tmp_path / "all.csv"))
    assert (
        f"已导出3份报告：单元格{cells}行" in said and "all-cells.csv" in said and "all-findings.csv" in said
    )
    with (tmp_path / "all-cells.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == cells and {r["organ"] for r in rows} == {MATCHED[1], UNMATCHED, "'" + FORMULA_NAME}

    said = ok(gk("export-corpus", "--to", "xlsx", "-o", tmp_path / "2019.xlsx", "--year", "2019"))
    assert f"已导出1份报告：单元格{len(report_cells(reports['unmatched.txt']))}行" in said
    sheet = load_workbook(tmp_path / "2019.xlsx")["cells"]
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {UNMATCHED}

    said = ok(gk("export-corpus", "--to", "csv", "-o", tmp_path / "sz.csv", "--region", REGION[0]))
    assert "已导出1份报告" in said

    said = ok(gk("export-corpus", "--to", "parquet", "-o", tmp_path / "all.parquet"))
    assert "all-cells.parquet" in said and "all-findings.parquet" in said
    assert pq.read_table(tmp_path / "all-cells.parquet").num_rows == cells


def test_export_corpus_refuses_bad_input(gk, tmp_path: Path) -> None:  # noqa: F811
    code, _, stderr = gk("export-corpus", "--to", "json", "-o", tmp_path / "a.json")
    assert code == 2 and "不支持的导出格式" in stderr
    code, _, stderr = gk("export-corpus", "--to", "csv", "-o", tmp_path / "nowhere" / "a.csv")
    assert code == 2 and "nowhere" in stderr and "不存在" in stderr
    code, _, stderr = gk("export-corpus", "--to", "csv", "-o", tmp_path / "a.csv", "--region", "nosuch")
    assert code == 2 and "没有代码为「nosuch」的机关" in stderr
    assert list(tmp_path.glob("a*")) == []
