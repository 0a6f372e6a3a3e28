"""The corpus in the console and the JSON API (issue 17 §1, §4, §7, §8), on SQLite and PostgreSQL:
an upload taken into the corpus once by its content; findings judged through the web, each
verdict, 不是问题 only with a reason, CSRF and scope enforced, a judgement kept when the same file is
taken in afresh; unmatched names matched; the API's pages walked; the exports read back."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import clean_report_2021
from openpyxl import load_workbook
from sqlalchemy import delete, select
from support.htmlwriter import write_html
from support.textwriter import write_tab_text
from support.web import client_as, csrf_of, site, upload  # noqa: F401 (the fixture)

from gongkai.batch_ingest import ingest
from gongkai.model.cleantext import csv_cell
from gongkai.store import corpus_browse
from gongkai.store.corpus_export import CELL_COLUMNS, FINDING_COLUMNS, corpus_rows
from gongkai.store.db import transaction
from gongkai.store.records import find_organ
from gongkai.store.tables import AuditEntry, CorpusReport, CorpusSource, FindingJudgement
from gongkai.web import corpus as web_corpus

KJ, JY, WJ = "某某区科学技术局", "某某区教育局", "另一区卫生健康委员会"  # the site's organs
BROKEN = {"requests.new.natural": 9}  # 表三's natural persons where the row's total is 7: errors


def report_text(agency: str, year: int = 2024, **changes) -> bytes:
    report = clean_report_2021(**changes).model_copy(update={"agency": agency, "year": year})
    return write_tab_text(report).encode("utf-8")


def write_corpus(folder: Path, reports: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in reports.items():
        (folder / name).write_bytes(data)
    return folder


def api_walk(client, limit: int, **params) -> list[int]:
    """Every report id the API gives, page by page."""
    ids, cursor = [], {}
    while True:
        page = client.get("/api/corpus/reports", params={**cursor, "limit": limit, **params})
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            return ids
        cursor = {"cursor": body["next_cursor"]}


def judge_form(client, report_id: int, key: str, verdict: str, reason: str = "", **extra):
    html = client.get(f"/console/corpus/reports/{report_id}").text
    seen = re.search(rf'name="key" value="{key}">\s*<input type="hidden" name="seen" value="(\d+)"', html)
    data = {"csrf": csrf_of(html), "key": key, "verdict": verdict, "reason": reason, "seen": seen.group(1)}
    return client.post(
        f"/console/corpus/reports/{report_id}/judge", data={**data, **extra}, follow_redirects=False
    )


def test_an_upload_is_taken_into_the_corpus_once(site, store, tmp_path: Path) -> None:  # noqa: F811
    supervisor = client_as(site, "supervisor")
    data = report_text(KJ, **BROKEN)
    first = upload(supervisor, [("kj-2024.txt", data)])
    assert "kj-2024.txt: 已收入报告库（1 份报告）" in first.text
    assert "kj-2024.txt: 已归入 某某区科学技术局 2024 年度" in first.text
    again = upload(supervisor, [("renamed.txt", data)])
    assert "renamed.txt: 报告库中已有同一文件" in again.text
    # the command line's ingest of the same content holds it too: one source, one report
    assert ingest(store, [str(write_corpus(tmp_path / "in", {"same.txt": data}))], jobs=1).held == 1
    with transaction(store) as s:
        assert len(s.scalars(select(CorpusSource)).all()) == 1
        [report] = s.scalars(select(CorpusReport)).all()
        assert report.organ_id == find_organ(s, "kj").id and report.year == 2024
        assert any(f["severity"] == "error" for f in report.findings)
    garbage = upload(supervisor, [("garbage.pdf", b"%PDF-1.4 not really a pdf")])
    assert "garbage.pdf: 已收入报告库，记为无法读取" in garbage.text


def test_an_upload_keeps_the_dates_its_page_states(site, store) -> None:  # noqa: F811
    """A portal page saved and uploaded: its PubDate is kept as the publication date, and its
    signature as the date signed, as gongkai ingest keeps them (coverage tells late reports by them)."""
    report = clean_report_2021().model_copy(update={"agency": KJ, "year": 2024})
    page = write_html(report).replace(
        "<meta charset='utf-8'>", "<meta charset='utf-8'><meta name='PubDate' content='2025-02-04 10:00'>"
    )
    page = page.replace("</div><footer>", "<p>某某区科学技术局</p><p>2025年1月28日</p></div><footer>")
    said = upload(client_as(site, "supervisor"), [("kj.html", page.encode("utf-8"))])
    assert "kj.html: 已收入报告库（1 份报告）" in said.text
    with transaction(store) as s:
        [kept] = s.scalars(select(CorpusReport)).all()
        assert (kept.published_on, kept.published_from, kept.signed_on) == (
            date(2025, 2, 4),
            "page",
            date(2025, 1, 28),
        )
        assert any(f["rule"] == "SEC-DEADLINE" for f in kept.findings)  # 4 days after 31 January


def test_a_report_page_compares_it_with_the_organs_other_years(site, store) -> None:  # noqa: F811
    """The cross-year rules on a report's page: its organ's report of the year before, where the
    corpus holds one; 2024 carries in 3 natural persons' requests where 2023 carried over 1."""
    supervisor = client_as(site, "supervisor")
    before = clean_report_2021(**{"requests.carried_over.natural": 1})
    before = before.model_copy(update={"agency": KJ, "year": 2023})
    upload(supervisor, [("kj-2023.txt", write_tab_text(before).encode("utf-8"))])
    upload(supervisor, [("kj-2024.txt", report_text(KJ, 2024, **{"requests.carried_in.natural": 3}))])
    with transaction(store) as s:
        ids = {r.year: r.id for r in s.scalars(select(CorpusReport))}
    later = supervisor.get(f"/console/corpus/reports/{ids[2024]}").text
    assert "跨年核对" in later and "2023 → 2024 年度" in later and "XY-T3-CARRY" in later
    assert "kj-2023.txt" in later  # the report it is compared with
    earlier = supervisor.get(f"/console/corpus/reports/{ids[2023]}").text
    assert "2023 → 2024 年度" in earlier and "kj-2024.txt" in earlier


def test_findings_are_judged_through_the_console(site, store) -> None:  # noqa: F811
    supervisor = client_as(site, "supervisor")
    upload(supervisor, [("kj.txt", report_text(KJ, **BROKEN))])
    [listed] = supervisor.get("/api/corpus/reports").json()["items"]
    assert (
        listed["organ"] == "kj" and listed["findings"]["error"] >= 1 and listed["region"] == "某某区人民政府"
    )
    report_id = listed["id"]
    page = supervisor.get(f"/console/corpus/reports/{report_id}").text
    keys = re.findall(r'name="key" value="([0-9a-f]{64})"', page)
    assert len(keys) == len(supervisor.get(listed["url"]).json()["judged_findings"]) >= 1
    key = keys[0]

    refused = judge_form(supervisor, report_id, key, "not_a_problem")
    assert refused.status_code == 400 and "须写明理由" in refused.text
    no_token = judge_form(supervisor, report_id, key, "confirmed", csrf="forged")
    assert no_token.status_code == 403
    for verdict, reason in (("confirmed", ""), ("not_a_problem", "口径不同，非错误"), ("fixed", "")):
        assert judge_form(supervisor, report_id, key, verdict, reason).status_code == 303
    shown = supervisor.get(f"/console/corpus/reports/{report_id}").text
    assert "已整改" in shown and "判断记录（3 次）" in shown and "口径不同，非错误" in shown
    [finding] = [f for f in supervisor.get(listed["url"]).json()["judged_findings"] if f["key"] == key]
    assert finding["judgement"]["verdict"] == "fixed" and finding["judgement"]["judged_by"] == "supervisor"
    assert [h["verdict"] for h in finding["history"]] == ["confirmed", "not_a_problem", "fixed"]

    # a form shown before someone else judged: refused, not recorded over theirs
    html = supervisor.get(f"/console/corpus/reports/{report_id}").text
    stale = supervisor.post(
        f"/console/corpus/reports/{report_id}/judge",
        data={"csrf": csrf_of(html), "key": key, "verdict": "confirmed", "seen": "0"},
    )
    assert stale.status_code == 409 and "已被他人处理" in stale.text
    # another district's supervisor: no such report, neither to see nor to judge
    far = client_as(site, "far-supervisor")
    assert far.get(f"/console/corpus/reports/{report_id}").status_code == 404
    token = csrf_of(far.get("/console/corpus").text)
    assert (
        far.post(
            f"/console/corpus/reports/{report_id}/judge",
            data={"csrf": token, "key": key, "verdict": "confirmed", "seen": "0"},
        ).status_code
        == 404
    )
    assert far.get(f"/api/corpus/reports/{report_id}").status_code == 404
    assert far.get("/api/corpus/reports").json()["items"] == []
    with transaction(store) as s:
        assert len(s.scalars(select(FindingJudgement)).all()) == 3
        audited = s.scalars(select(AuditEntry).where(AuditEntry.entity == "finding_judgement")).all()
        assert [a.actor for a in audited] == ["supervisor"] * 3


def test_a_judgement_outlives_the_corpus_taken_in_afresh(site, store, tmp_path: Path) -> None:  # noqa: F811
    folder = write_corpus(tmp_path / "in", {"kj.txt": report_text(KJ, **BROKEN)})
    assert ingest(store, [str(folder)], jobs=1).new == 1
    supervisor = client_as(site, "supervisor")
    [listed] = supervisor.get("/api/corpus/reports").json()["items"]
    assert listed["unjudged_errors"] >= 1
    key = supervisor.get(listed["url"]).json()["judged_findings"][0]["key"]
    assert judge_form(supervisor, listed["id"], key, "确认").status_code == 303
    with transaction(store) as s:  # the corpus emptied, the same file taken in again: new rows
        s.execute(delete(CorpusReport))
        s.execute(delete(CorpusSource))
    other = write_corpus(tmp_path / "first", {"jy.txt": report_text(JY)})
    assert ingest(store, [str(other), str(folder)], jobs=1).new == 2  # another file takes the old id
    [again] = supervisor.get("/api/corpus/reports", params={"organ": "kj"}).json()["items"]
    assert again["id"] != listed["id"]
    [finding] = [f for f in supervisor.get(again["url"]).json()["judged_findings"] if f["key"] == key]
    assert finding["judgement"]["verdict"] == "confirmed"
    assert "确认" in supervisor.get(f"/console/corpus/reports/{again['id']}").text


def test_unmatched_names_are_matched_by_a_supervisor(site, store, tmp_path: Path) -> None:  # noqa: F811
    folder = write_corpus(
        tmp_path / "in",
        {
            "a.txt": report_text("某某区科技局"),
            "b.txt": report_text("某某区科技局", 2023),
            "c.txt": report_text("无名局"),
        },
    )
    assert ingest(store, [str(folder)], jobs=1).unmatched == 3
    supervisor, far, admin = (client_as(site, login) for login in ("supervisor", "far-supervisor", "admin"))
    page = supervisor.get("/console/corpus/unmatched").text
    assert "某某区科技局" in page and "无名局" not in page  # its place's names only
    assert "某某区科技局" not in far.get("/console/corpus/unmatched").text
    assert "无名局" in admin.get("/console/corpus/unmatched").text
    token = csrf_of(page)
    outside = supervisor.post(
        "/console/corpus/unmatched", data={"csrf": token, "key": "某某区科技局", "organ": "wj"}
    )
    assert outside.status_code == 404
    matched = supervisor.post(
        "/console/corpus/unmatched", data={"csrf": token, "key": "某某区科技局", "organ": "kj"}
    )
    assert matched.status_code == 200 and "已匹配到某某区科学技术局，2 份报告" in matched.text
    items = supervisor.get("/api/corpus/reports", params={"organ": "kj"}).json()["items"]
    assert sorted(i["year"] for i in items) == [2023, 2024] and {i["printed_name"] for i in items} == {
        "某某区科技局"
    }
    with transaction(store) as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "alias")).all()
        assert entry.actor == "supervisor" and entry.after == {"alias": "某某区科技局"}


@pytest.fixture
def corpus_of_three_organs(site, store, tmp_path: Path):  # noqa: F811
    """Seven reports: kj 2022–2024 (2024 with errors), jy 2023–2024, wj 2024, one unmatched."""
    files = {f"kj{y}.txt": report_text(KJ, y, **(BROKEN if y == 2024 else {})) for y in (2022, 2023, 2024)}
    files |= {f"jy{y}.txt": report_text(JY, y) for y in (2023, 2024)}
    files |= {"wj.txt": report_text(WJ), "x.txt": report_text("某县某局")}
    assert ingest(store, [str(write_corpus(tmp_path / "in", files))], jobs=1).reports == 7


def test_the_api_pages_through_every_report_once(site, store, corpus_of_three_organs) -> None:  # noqa: F811
    with transaction(store) as s:
        every = sorted(s.scalars(select(CorpusReport.id)))
        kj_2024 = s.scalars(
            select(CorpusReport.id).where(
                CorpusReport.organ_id == find_organ(s, "kj").id, CorpusReport.year == 2024
            )
        ).all()
        region_ids = {find_organ(s, code).id for code in ("kj", "jy")}
        in_region = sorted(s.scalars(select(CorpusReport.id).where(CorpusReport.organ_id.in_(region_ids))))
    admin, supervisor = client_as(site, "admin"), client_as(site, "supervisor")
    for limit in (1, 3, 7, 100):
        assert api_walk(admin, limit) == every
    assert api_walk(admin, 2, year=2024, organ="kj") == kj_2024
    assert api_walk(supervisor, 2) == in_region  # the region's matched reports, not wj's nor the unmatched
    assert api_walk(supervisor, 2, organ="xq") == in_region
    assert supervisor.get("/api/corpus/reports", params={"organ": "wj"}).status_code == 404
    assert admin.get("/api/corpus/reports", params={"cursor": "x"}).status_code == 422
    # the console's list: the same reports, a page at a time; the rule filter finds kj 2024's errors
    listed = supervisor.get("/console/corpus", params={"year": 2024}).text
    assert "共 <strong>2</strong> 份报告" in listed  # kj and jy; wj is another district
    ruled = supervisor.get("/console/corpus", params={"rule": "t3-balance", "unjudged": "1"}).text
    assert "不计总数" in ruled and f'/console/corpus/reports/{kj_2024[0]}"' in ruled
    assert ruled.count('href="/console/corpus/reports/') == 1


def read_zipped_csv(content: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as zipped:
        return {
            name.rsplit("-", 1)[-1].removesuffix(".csv"): list(
                csv.reader(io.StringIO(zipped.read(name).decode("utf-8-sig")))
            )
            for name in zipped.namelist()
        }


def as_csv(value) -> str:
    value = csv_cell(value)
    return "" if value is None else str(value)


def test_the_console_exports_read_back_equal_the_store(site, store, corpus_of_three_organs) -> None:  # noqa: F811
    admin, supervisor = client_as(site, "admin"), client_as(site, "supervisor")
    with transaction(store) as s:
        every = list(corpus_rows(s))
        region = list(corpus_rows(s, region=find_organ(s, "xq"), year=2024))
    tables = read_zipped_csv(admin.get("/console/corpus/export", params={"form": "csv"}).content)
    assert tables["cells"][1:] == [[as_csv(v) for v in row] for r in every for row in r.cells]
    assert tables["findings"][1:] == [[as_csv(v) for v in row] for r in every for row in r.findings]
    response = supervisor.get("/console/corpus/export", params={"form": "xlsx", "year": 2024})
    assert response.status_code == 200 and response.headers["content-disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    read = {
        table: list(book[table].iter_rows(min_row=2, values_only=True)) for table in ("cells", "findings")
    }
    for table, rows in read.items():
        expected = [tuple(None if v == "" else v for v in row) for r in region for row in getattr(r, table)]
        assert [tuple(None if v == "" else v for v in row) for row in rows] == expected
    assert {row[2] for row in read["cells"]} == {KJ, JY}  # the supervisor's region only
    # Parquet (typed: compared as the store's rows with the values as they are)
    parquet = supervisor.get("/console/corpus/export", params={"form": "parquet", "year": 2024})
    with zipfile.ZipFile(io.BytesIO(parquet.content)) as zipped:
        tables = {
            name.rsplit("-", 1)[-1].removesuffix(".parquet"): pq.read_table(io.BytesIO(zipped.read(name)))
            for name in zipped.namelist()
        }
    for table, columns in (("cells", CELL_COLUMNS), ("findings", FINDING_COLUMNS)):
        expected = [dict(zip(columns, row, strict=True)) for r in region for row in getattr(r, table)]
        assert tables[table].to_pylist() == expected
    assert supervisor.get("/console/corpus/export", params={"form": "doc"}).status_code == 400
    assert supervisor.get("/console/corpus/export", params={"organ": "wj"}).status_code == 404


def test_many_organs_are_named_not_listed(
    site,  # noqa: F811
    store,
    corpus_of_three_organs,
    monkeypatch,
    tmp_path: Path,
) -> None:
    """Where a scope holds more organs than a page can list, the list's filter and the unmatched
    names' form take an organ's code or full name (regions are offered), and a count stops at
    its cap, saying so."""
    monkeypatch.setattr(corpus_browse, "INDEXED_ORGANS", 0)
    monkeypatch.setattr(corpus_browse, "COUNT_CAP", 2)
    monkeypatch.setattr(web_corpus, "COUNT_CAP", 2)
    supervisor = client_as(site, "supervisor")
    listed = supervisor.get("/console/corpus").text
    assert (
        "超过 <strong>2</strong> 份报告" in listed and '<option value="xq">某某区人民政府</option>' in listed
    )
    by_name = supervisor.get("/console/corpus", params={"organ": KJ, "year": 2024}).text
    assert "共 <strong>1</strong> 份报告" in by_name
    assert supervisor.get("/console/corpus", params={"organ": WJ}).status_code == 404
    folder = write_corpus(tmp_path / "more", {"k.txt": report_text("某某区科技局")})
    assert ingest(store, [str(folder)], jobs=1).unmatched == 1
    page = supervisor.get("/console/corpus/unmatched").text
    assert 'placeholder="机关代码或全称"' in page and "<select" not in page
    matched = supervisor.post(
        "/console/corpus/unmatched", data={"csrf": csrf_of(page), "key": "某某区科技局", "organ": KJ}
    )
    assert matched.status_code == 200 and "已匹配到某某区科学技术局，1 份报告" in matched.text
