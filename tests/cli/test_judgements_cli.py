"""``gongkai findings`` and ``gongkai judge`` (issue 17 §4), on SQLite and PostgreSQL: a corpus
report's findings listed with a key each, a judgement recorded by that key in the Chinese words, and
the judgement shown when the findings are listed again — after the corpus is taken in again too."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import clean_report_2021
from support.commands import gk, ok  # noqa: F401 (the fixture)
from support.textwriter import write_tab_text


def write_faulty(folder: Path) -> Path:
    """A report whose 行政复议 results add up to 5 while its total says 1 (T4-GROUP-SUM)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "faulty.txt"
    target.write_text(write_tab_text(clean_report_2021(**{"appeals.review.upheld": 5})), encoding="utf-8")
    return target


def listed(gk, name: str) -> list[dict]:  # noqa: F811
    return [json.loads(line) for line in ok(gk("findings", name, "--json")).splitlines()]


def test_findings_listed_judged_and_shown(gk, tmp_path: Path) -> None:  # noqa: F811
    path = write_faulty(tmp_path / "in")
    ok(gk("ingest", tmp_path / "in"))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    findings = listed(gk, sha[:8])
    [group_sum] = [f for f in findings if f["rule"] == "T4-GROUP-SUM"]
    assert group_sum["expected"] == 5 and group_sum["found"] == 1 and group_sum["judgement"] is None
    key = group_sum["key"]
    assert key.startswith(f"{sha[:10]}-0-")

    code, _, stderr = gk("judge", key, "不是问题")
    assert code == 2 and "须写明理由" in stderr
    code, _, stderr = gk("judge", key, "算了")
    assert code == 2 and "确认、不是问题 或 已整改" in stderr
    code, _, stderr = gk("judge", f"{sha[:10]}-0-00000000", "确认")
    assert code == 2 and "没有编号为" in stderr
    assert "已记录" in ok(gk("judge", key, "不是问题", "--reason", "总计另含转办件"))
    assert "已记录" in ok(gk("judge", key, "已整改", "--by", "李四"))

    ok(gk("ingest", tmp_path / "in"))  # taken in again: nothing changes
    [again] = [f for f in listed(gk, str(group_sum["report"])) if f["key"] == key]  # by the report's number
    assert again["judgement"]["verdict"] == "fixed" and again["judgement"]["by"] == "李四"
    text = ok(gk("findings", sha))
    assert f"{key}  [error] T4-GROUP-SUM  已整改（李四）" in text
    others = [f for f in findings if f["key"] != key]
    assert all(f"{f['key']}  [{f['severity']}] {f['rule']}  未判断" in text for f in others)


def test_a_report_not_in_the_corpus_is_refused(gk) -> None:  # noqa: F811
    code, _, stderr = gk("findings", "abcdef12")
    assert code == 2 and "abcdef12" in stderr
    code, _, stderr = gk("judge", "not-a-key", "确认")
    assert code == 2 and "格式不对" in stderr
