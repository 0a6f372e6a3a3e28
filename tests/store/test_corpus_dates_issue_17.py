"""Publication dates in the corpus (issue 17 §5), on SQLite and PostgreSQL: a page's own date and a
report's signature kept at ingest, a list of dates given to ``gongkai ingest --dates`` matched to
the files by path, name or hash, and coverage saying who was late by them."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import clean_report_2021
from sqlalchemy import select
from support.commands import gk, ok  # noqa: F401 (the fixture)
from support.htmlwriter import write_html
from support.textwriter import write_tab_text

from gongkai.store.corpus_dates import DateList, dates_by_sha, read_date_list
from gongkai.store.coverage import DATE_UNKNOWN, NO_DUE_DATE
from gongkai.store.db import open_store, transaction
from gongkai.store.records import Refused
from gongkai.store.tables import CorpusReport

ORGANS = [  # code, name, parent
    ("qx", "示例县", None),
    ("kj", "示例县科学技术局", "qx"),  # signed late
    ("jy", "示例县教育局", "qx"),  # its page says on time
    ("mz", "示例县民政局", "qx"),  # nothing known, then the list says late
    ("zf", "示例县人民政府", "qx"),  # a government: due 31 March
    ("zh", "示例县某某镇人民政府", "qx"),  # a township: no date set by the 条例
    ("ws", "示例县卫生健康局", "qx"),  # no report
]


def _report(agency: str):
    return clean_report_2021().model_copy(update={"agency": agency, "year": 2024})


def write_reports(folder: Path) -> None:
    folder.mkdir()
    (folder / "kj.txt").write_text(
        write_tab_text(_report("示例县科学技术局")) + "\n示例县科学技术局\n2025年2月10日\n", encoding="utf-8"
    )
    page = write_html(_report("示例县教育局")).replace(
        "<meta charset='utf-8'>", "<meta charset='utf-8'><meta name='PubDate' content='2025-01-20 09:00'>"
    )
    (folder / "jy.html").write_text(page, encoding="utf-8")
    (folder / "mz.txt").write_text(write_tab_text(_report("示例县民政局")), encoding="utf-8")
    (folder / "zf.txt").write_text(
        write_tab_text(_report("示例县人民政府")) + "\n示例县人民政府\n2025年3月20日\n", encoding="utf-8"
    )
    (folder / "zh.txt").write_text(write_tab_text(_report("示例县某某镇人民政府")), encoding="utf-8")


@pytest.fixture
def county(gk, tmp_path: Path):  # noqa: F811
    for code, name, parent in ORGANS:
        ok(gk("organs", "add", code, name, *(["--region"] if parent is None else ["--parent", parent])))
    write_reports(tmp_path / "in")
    return gk


def _timing(gk, year: str = "2024") -> dict[str, tuple[str, int | None]]:  # noqa: F811
    data = json.loads(ok(gk("coverage", "qx", year, "--json")))
    return {o["code"]: (o["timing"], o["days_late"]) for o in data["organs"]}


def test_ingest_keeps_the_dates_and_coverage_says_who_was_late(county, tmp_path: Path) -> None:
    said = ok(county("ingest", tmp_path / "in", "--jobs", "1"))
    assert "新收入5个" in said
    assert _timing(county) == {
        "kj": ("逾期至少10天（落款2025-02-10）", 10),  # signed after 31 January: late whenever published
        "jy": ("按时（2025-01-20公布）", 0),
        "mz": (DATE_UNKNOWN, None),
        "zf": (DATE_UNKNOWN, None),  # signed 20 March: within a government's 31 March
        "zh": (NO_DUE_DATE, None),
        "ws": ("—", None),
    }
    assert "有报告5个（其中逾期1个），缺报告1个" in ok(county("coverage", "qx", "2024"))

    # a list: by file name, by the path as given, and by hash; it wins over what a page said
    sha_mz = _sha(tmp_path / "in" / "mz.txt")
    listed = tmp_path / "dates.csv"
    listed.write_text(
        "文件,公布日期\n"
        f"jy.html,2025-02-03\n"
        f"{tmp_path / 'in' / 'zf.txt'},2025/4/2\n"
        f"{sha_mz},2025年2月1日\n"
        "nosuch.pdf,2025-01-01\n",
        encoding="utf-8-sig",
    )
    said = ok(county("ingest", tmp_path / "in", "--jobs", "1", "--dates", listed))
    assert "已在库中5个" in said  # nothing read again
    assert "公布日期清单：3份报告记入公布日期；1行没有对应的文件（如「nosuch.pdf」）。" in said
    timing = _timing(county)
    assert timing["jy"] == ("逾期3天（2025-02-03公布）", 3)
    assert timing["zf"] == ("逾期2天（2025-04-02公布）", 2)
    assert timing["mz"] == ("逾期1天（2025-02-01公布）", 1)
    assert timing["kj"][1] == 10
    factory = open_store()
    try:
        with transaction(factory) as s:
            kept = {
                r.organ_name: (r.published_on, r.published_from, r.signed_on)
                for r in s.scalars(select(CorpusReport))
            }
    finally:
        factory.kw["bind"].dispose()
    assert kept["示例县教育局"] == (date(2025, 2, 3), "list", None)
    assert kept["示例县科学技术局"] == (None, None, date(2025, 2, 10))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_bad_list_is_refused_before_anything_is_kept(county, tmp_path: Path) -> None:
    listed = tmp_path / "dates.csv"
    listed.write_text("file,published\nkj.txt,2025-02-10\nmz.txt,下周一\n", encoding="utf-8")
    code, _, stderr = county("ingest", tmp_path / "in", "--jobs", "1", "--dates", listed)
    assert code == 2 and "dates.csv 第3行: 「下周一」不是日期" in stderr
    said = ok(county("ingest", tmp_path / "in", "--jobs", "1"))
    assert "新收入5个" in said  # the refused run kept nothing


def test_a_list_is_read_in_the_encodings_excel_writes(tmp_path: Path) -> None:
    listed = tmp_path / "d.csv"
    listed.write_bytes("文件名,发布日期\n甲.pdf,2025-01-02 10:00\n".encode("gb18030"))
    assert read_date_list(listed).by_file == {"甲.pdf": date(2025, 1, 2)}
    listed.write_text("name,day\n", encoding="utf-8")
    with pytest.raises(Refused, match="第1行: 表头应有文件列"):
        read_date_list(listed)


def test_list_names_match_a_file_by_its_name_only_when_one_file_bears_it() -> None:
    files = {"a/2024/报告.pdf": "1" * 64, "b/2024/报告.pdf": "2" * 64, "c/单.pdf": "3" * 64}
    listed = DateList(by_file={"报告.pdf": date(2025, 1, 2), "单.pdf": date(2025, 1, 3)})
    dates, unmatched = dates_by_sha(listed, files)
    assert dates == {"3" * 64: date(2025, 1, 3)} and unmatched == ["报告.pdf"]
