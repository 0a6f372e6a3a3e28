"""``gongkai years`` (issue 17 §3), on SQLite and PostgreSQL: the cross-year findings of every pair
of one organ's reports for consecutive years that the corpus holds, as tables or JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import clean_report_2021
from support.commands import gk, ok  # noqa: F401 (the fixture)
from support.corpuswriter import KJ, KJ_ALIAS, MZ, second_copy, write_reports, year_corpus


def test_years_lists_the_findings_of_every_pair(gk, tmp_path: Path) -> None:  # noqa: F811
    assert "库中没有同一机关相邻两年的报告" in ok(gk("years"))
    ok(gk("organs", "add", "kj", KJ))
    ok(gk("organs", "alias", "kj", KJ_ALIAS))
    ok(gk("organs", "add", "jy", "示例市教育局"))
    files = write_reports(tmp_path / "in", year_corpus(clean_report_2021))
    ok(gk("ingest", tmp_path / "in"))
    files |= write_reports(tmp_path / "later", second_copy(clean_report_2021))
    ok(gk("ingest", tmp_path / "later"))

    lines = [json.loads(line) for line in ok(gk("years", "--json")).splitlines()]
    assert [(line["agency"], line["organ"], line["years"]) for line in lines] == [
        (KJ, "kj", [2022, 2023]),
        (KJ, "kj", [2023, 2024]),
        (MZ, None, [2021, 2022]),
    ]
    assert lines[1]["sources"] == [str(files["kj2023.txt"]), str(files["kj2024.txt"])]
    carry = [f for f in lines[1]["findings"] if f["rule"] == "XY-T3-CARRY"]
    assert [(f["cells"], f["expected"], f["found"]) for f in carry] == [
        (["requests.carried_in.natural"], 1, 3)
    ]
    assert not [f for line in (lines[0], lines[2]) for f in line["findings"] if f["rule"] == "XY-T3-CARRY"]
    assert lines[0]["set_aside"] == [
        {"year": 2023, "source": str(files["kj2023-again.txt"]), "kept": str(files["kj2023.txt"])}
    ]

    shown = ok(gk("years"))
    assert f"{KJ}（kj） 2023—2024年度 · 跨年核对" in shown and f"{MZ} 2021—2022年度" in shown
    assert "XY-T3-CARRY" in shown and "示例市教育局" not in shown
    assert f"2023年另有一份报告（{files['kj2023-again.txt']}），未参与核对" in shown.replace("\n", "")
    assert "共2个机关的3对相邻年度报告，跨年核对发现问题4条" in shown

    one = [json.loads(line)["years"] for line in ok(gk("years", "--organ", "kj", "--json")).splitlines()]
    assert one == [[2022, 2023], [2023, 2024]]
    assert "库中没有同一机关相邻两年的报告" in ok(gk("years", "--organ", "jy"))
    code, _, stderr = gk("years", "--organ", "nosuch")
    assert code == 2 and "没有代码为「nosuch」的机关" in stderr
