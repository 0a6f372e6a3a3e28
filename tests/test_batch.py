"""Checking many files at once (issue 3): all cores, input order kept, each document within limits."""

from __future__ import annotations

import time

import pytest
from conftest import ROOT, clean_report_2021
from support.htmlwriter import write_html
from support.textwriter import write_tab_text, write_word_text
from typer.testing import CliRunner

from gongkai import batch
from gongkai.batch import CheckOptions, check_file, check_files
from gongkai.cli import app
from gongkai.workers import DocumentTimeout, time_limit


@pytest.fixture
def folder(tmp_path):
    report = clean_report_2021()
    bad = clean_report_2021(**{"requests.new.natural": 9})
    (tmp_path / "a-word.txt").write_text(write_word_text(report), encoding="utf-8")
    (tmp_path / "b-broken.txt").write_bytes(b"")
    (tmp_path / "c-page.html").write_text(write_html(bad), encoding="utf-8")
    (tmp_path / "d-tab.txt").write_text(write_tab_text(report), encoding="gb18030")
    return tmp_path


def test_parallel_results_equal_serial_in_input_order(folder):
    """Two worker processes give the same results, in the same order, as one process."""
    paths = sorted(str(p) for p in folder.iterdir())
    serial = list(check_files(paths, CheckOptions(), jobs=1))
    parallel = list(check_files(paths, CheckOptions(), jobs=2))
    assert parallel == serial
    assert [r["file"] for r in parallel] == paths
    assert "error" in parallel[1] and "T3-BALANCE" in {f["rule"] for f in parallel[2]["findings"]}


def test_cli_checks_a_folder_on_several_cores(folder):
    """``check --jobs 2 FOLDER``: one JSON line per file, then exit 2 because one file is unreadable."""
    result = CliRunner().invoke(app, ["check", "--json", "--jobs", "2", str(folder)])
    lines = result.stdout.splitlines()
    assert result.exit_code == 2 and len(lines) == 4


def test_time_limit_stops_a_slow_document(monkeypatch):
    """A document that takes longer than its limit ends in one message, not a hang."""
    with pytest.raises(DocumentTimeout), time_limit(1):
        time.sleep(3)

    def slow(path: str):
        time.sleep(3)

    monkeypatch.setattr(batch, "load_report", slow)
    result = check_file("slow.txt", CheckOptions(seconds=1))
    assert result == {
        "file": "slow.txt",
        "error": "slow.txt: 读取超过1秒，已停止（可用 --timeout 放宽）",
    }


def test_memory_limit_in_a_worker(tmp_path):
    """A worker capped at 64 MB that must allocate more reports the limit instead of dying;
    with room to work, the same file is refused by the table size limit instead."""
    huge = tmp_path / "huge.txt"
    huge.write_text("\t0\n" * 1_300_000, encoding="utf-8")  # 3.9 MB of one-cell lines
    sample = str(ROOT / "samples" / "2020-示例区民政局.txt")
    tight = list(check_files([str(huge), sample], CheckOptions(memory_mb=64), jobs=2))
    assert tight[0]["error"] == f"{huge}: 读取时内存超过64 MB，已停止（可用 --memory 放宽）"
    assert "error" not in tight[1]
    roomy = list(check_files([str(huge), sample], CheckOptions(memory_mb=2000), jobs=2))
    assert "超过20000个单元格" in roomy[0]["error"]
