"""``gongkai ingest`` and ``gongkai organs alias`` (issue 17 §1), on SQLite and PostgreSQL: the
summary line, one JSON line a file, the names no organ answers to, and a run killed with
``kill -9`` finished by the next with every file exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import clean_report_2021
from sqlalchemy import text
from support.commands import gk, ok  # noqa: F401 (the fixture)
from support.textwriter import write_tab_text

import gongkai
from gongkai.store.db import make_engine


def write_reports(folder: Path, count: int) -> list[Path]:
    """``count`` clean reports of as many organs (示例市第N局), one text file each."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        report = clean_report_2021().model_copy(update={"agency": f"示例市第{i}局", "year": 2020 + i % 5})
        files.append(folder / f"{i:04d}.txt")
        files[-1].write_text(write_tab_text(report), encoding="utf-8")
    return files


def test_ingest_says_what_it_kept(gk, tmp_path: Path) -> None:  # noqa: F811
    files = write_reports(tmp_path / "in", 3)
    (tmp_path / "in" / "again.txt").write_bytes(files[0].read_bytes())
    (tmp_path / "in" / "broken.docx").write_bytes(b"PK\x03\x04 not a Word file")
    ok(gk("organs", "add", "d1", "示例市 第1局"))
    out = ok(gk("ingest", tmp_path / "in", "--jobs", "2"))
    assert (
        "共5个文件：新收入3个（3份报告），已在库中0个，内容重复1个，无法读取1个；未匹配到机关的报告2份" in out
    )
    lines = [json.loads(line) for line in ok(gk("ingest", tmp_path / "in", "--json")).splitlines()]
    assert lines[-1]["summary"] == {
        "files": 5,
        "new": 0,
        "held": 4,
        "repeat": 1,
        "unreadable": 0,
        "reports": 0,
        "unmatched": 0,
        "rematched": 0,
    }
    assert sorted(line["status"] for line in lines[:-1]) == ["held"] * 4 + ["repeat"]
    listed = ok(gk("ingest", "--unmatched"))
    assert "示例市第0局" in listed and "示例市第2局" in listed and "示例市第1局" not in listed
    assert "共2个名称未匹配到机关" in listed
    said = ok(gk("organs", "alias", "d1", "示例市第0局"))
    assert "新匹配报告1份" in said
    code, _, stderr = gk("organs", "alias", "d1", "示例市 第1局")  # its own name: nothing to add
    assert code == 0
    code, _, stderr = gk("organs", "alias", "nosuch", "示例市第2局")
    assert code == 2 and "没有代码为「nosuch」的机关" in stderr
    assert [json.loads(line) for line in ok(gk("ingest", "--unmatched", "--json")).splitlines()] == [
        {"organ_name": "示例市第2局", "reports": 1}
    ]


def test_ingest_without_files_is_refused(gk, tmp_path: Path) -> None:  # noqa: F811
    code, _, stderr = gk("ingest")
    assert code == 2 and "请给出报告文件或文件夹" in stderr
    (tmp_path / "empty").mkdir()
    code, _, stderr = gk("ingest", tmp_path / "empty")
    assert code == 2 and "没有找到报告文件" in stderr


def _count(url: str) -> int:
    """Sources held so far (0 while the database is still being made)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM corpus_sources")).scalar_one()
    except Exception:
        return 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_run_killed_with_sigkill_is_finished_by_the_next(gk, database_url: str, tmp_path: Path) -> None:  # noqa: F811
    total = 150
    write_reports(tmp_path / "in", total)
    source = str(Path(gongkai.__file__).resolve().parents[1])  # this checkout's gongkai
    env = {
        **os.environ,
        "PYTHONPATH": source,
        "GONGKAI_DATABASE_URL": database_url,
        "GONGKAI_HOME": str(tmp_path / "home"),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "gongkai.cli", "ingest", str(tmp_path / "in"), "--jobs", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _count(database_url) < 10 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    killed_at = _count(database_url)
    assert 10 <= killed_at < total, "the run was not stopped part-way"
    out = ok(gk("ingest", tmp_path / "in", "--jobs", "2"))
    assert f"新收入{total - killed_at}个（{total - killed_at}份报告），已在库中{killed_at}个" in out
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            names = connection.execute(text("SELECT organ_name FROM corpus_reports")).scalars().all()
            sources = connection.execute(text("SELECT count(*) FROM corpus_sources")).scalar_one()
    finally:
        engine.dispose()
    assert sources == total and sorted(names) == sorted(f"示例市第{i}局" for i in range(total))
