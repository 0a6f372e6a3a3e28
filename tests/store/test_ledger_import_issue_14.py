"""The 台账 import streamed and written in short transactions (issue 14 §1 and §3), on SQLite and
PostgreSQL where a database is involved.

A 1.4 MB XLSX of 600k rows × 30 cells took the server to 1.6 GB and 43 s (every row was read before
the row limit was checked); meanwhile the import held SQLite's write lock, so citizens' filings
failed with "database is locked". Now the file is read by a pure function that stops at the limit,
and the rows are written in chunks, each committed, with everything checked before the first.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import threading
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import pytest
from conftest import ROOT
from sqlalchemy import func, select
from support.web import client_as, csrf_of, site  # noqa: F401 (the fixture)

import gongkai.store.ledger as ledger
from gongkai.store.db import transaction
from gongkai.store.ledger import LedgerProblems, read_ledger, write_ledger
from gongkai.store.records import Refused, add_organ, find_organ
from gongkai.store.tables import AuditEntry, Publication, Submission

HEADER = ["标题", "公开目录", "发布日期", "发布渠道", "初审", "复审", "终审", "保密审查"]
MEMORY_HEADROOM_BYTES = 400 * 1024 * 1024

_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def _text_cells(values: list[str]) -> str:
    return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)


def sheet_xlsx(path: Path, rows_xml, dimension: str = "") -> Path:
    """An XLSX whose sheet XML is written directly (openpyxl takes minutes for 600k rows):
    ``rows_xml`` gives the <row> elements as text, in pieces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?>')
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            sheet.write(f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
            sheet.write(b"<sheetData>")
            for piece in rows_xml:
                sheet.write(piece.encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def publications_xlsx(path: Path, count: int, start: int = 0) -> Path:
    """A valid publications 台账 of ``count`` rows, each entry distinct."""

    def rows():
        yield "<row>" + _text_cells(HEADER) + "</row>"
        for n in range(start, start + count):
            day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
            yield (
                "<row>"
                + _text_cells([f"通知{n}", "政策文件及解读", day, "门户网站", "甲", "乙", "丙", "丁"])
                + "</row>"
            )

    return sheet_xlsx(path, rows())


def _run_bounded(script: str, *args: str) -> dict:
    """Run ``script`` in a fresh interpreter whose address space may grow only MEMORY_HEADROOM_BYTES
    beyond what it has once gongkai is imported; it prints a JSON line."""
    prelude = f"""
import json, resource, sys
sys.path.insert(0, {str(ROOT)!r})
from gongkai.store import ledger
with open("/proc/self/statm") as statm:
    size = int(statm.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + {MEMORY_HEADROOM_BYTES}, resource.RLIM_INFINITY))
"""
    done = subprocess.run(
        [sys.executable, "-c", prelude + script, *args], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


READ_IN_BOUNDS = """
from pathlib import Path
from gongkai.store.records import Refused
path = Path(sys.argv[1])
try:  # the function every caller has had (before issue 14 it read every row first)
    ledger.import_ledger(None, None, path, "publications", actor="t")
    outcome = "imported"
except Refused as exc:
    outcome = str(exc)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"outcome": outcome, "peak": peak}))
"""


def test_a_600k_row_xlsx_is_refused_in_bounded_memory_issue_14(tmp_path: Path) -> None:
    # 600k rows × 30 cells, no <dimension>: 8 numbers and 22 empty cells a row, 0.5 MB zipped
    row = "<row>" + "<c><v>1</v></c>" * 8 + "<c/>" * 22 + "</row>"
    header = "<row>" + _text_cells(HEADER) + "</row>"
    path = sheet_xlsx(tmp_path / "大台账.xlsx", [header, *([row * 1000] * 600)])
    result = _run_bounded(READ_IN_BOUNDS, str(path))
    assert result["outcome"] == (
        f"{path}：表头以下超过 100,000 行（台账最多 100,000 行），未导入；请分成几个文件分别导入"
    )


def test_a_600k_row_csv_stops_at_the_limit_issue_14(tmp_path: Path) -> None:
    path = tmp_path / "大台账.csv"
    row = "a,b,2025-03-01,c,d,e,f,g\n"  # 600k rows in 15 MB, under the 20 MB a 台账 may have
    path.write_text(",".join(HEADER) + "\n" + row * 600_000, encoding="utf-8")
    result = _run_bounded(READ_IN_BOUNDS, str(path))
    assert result["outcome"].startswith(f"{path}：表头以下超过 100,000 行")


def test_what_a_sheet_declares_does_not_make_the_reader_read_more_issue_14(tmp_path: Path) -> None:
    # a dimension of every cell Excel has, a row numbered past the limit after few rows, a row of
    # 20,000 cells and a cell of 100,000 characters
    header = '<row r="1">' + _text_cells(HEADER) + "</row>"
    wide = '<row r="2">' + _text_cells(
        ["通知", "政策文件及解读", "2025-03-01", "门户网站", "甲", "乙", "丙", "丁"]
    )
    wide += _text_cells(["x"] * 20_000) + "</row>"
    long = (
        '<row r="3">'
        + _text_cells(["长" * 100_000, "类别", "2025-03-01", "网站", "甲", "乙", "丙", "丁"])
        + "</row>"
    )
    path = sheet_xlsx(tmp_path / "宽.xlsx", [header, wide, long], dimension="A1:XFD1048576")
    read = read_ledger(path, "publications", "宽.xlsx")
    assert read.problems == [{"row": 3, "reason": "标题超过 300 字或类别超过 60 字"}]
    far = sheet_xlsx(tmp_path / "远.xlsx", [header, wide, '<row r="100002"><c><v>1</v></c></row>'])
    assert read_ledger(far, "publications", "远.xlsx").refusal.startswith("远.xlsx：表头以下超过 100,000 行")


def test_reading_is_a_pure_function_whose_result_pickles_issue_14(tmp_path: Path) -> None:
    good = publications_xlsx(tmp_path / "好.xlsx", 3)
    bad = tmp_path / "坏.csv"
    bad.write_text(",".join(HEADER) + "\n通知,类别,2025-02-30,网站,甲,乙,丙,丁\n", encoding="utf-8")
    # as a worker process would run it: spawned, not forked, the file's bytes sent over
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(read_ledger, [good.read_bytes(), bad.read_bytes()], ["publications"] * 2))
    assert [len(r.entries) for r in results] == [3, 0]
    assert results[0].entries[0]["published_on"] == date(2025, 1, 1)
    assert results[1].problems == [{"row": 2, "reason": "「2025-02-30」不是日期（应如 2025-03-01）"}]
    assert pickle.loads(pickle.dumps(results[1])) == results[1]
    with pytest.raises(LedgerProblems, match="第 2 行"):
        results[1].raise_for_problems()


@pytest.fixture
def organ(store):
    with transaction(store) as s:
        add_organ(s, "kj", "某某区科学技术局", actor="t")
        organ_id = find_organ(s, "kj").id
    return store, organ_id


def _count(store, table=Publication) -> int:
    with transaction(store) as s:
        return s.scalar(select(func.count()).select_from(table))


def test_what_the_database_would_refuse_is_found_before_anything_is_written_issue_14(
    organ, tmp_path: Path
) -> None:
    store, organ_id = organ
    path = tmp_path / "台账.csv"
    rows = [",".join(HEADER)] + [f"通知{n},类别,2025-03-01,网站,甲,乙,丙,丁" for n in range(1200)]
    rows.append("通知,类别,2025-03-01,网站," + "甲" * 101 + ",乙,丙,丁")  # wider than the column
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(LedgerProblems) as caught:
        write_ledger(store, organ_id, read_ledger(path, "publications"), actor="t", chunk_rows=100)
    assert caught.value.problems == [(1202, "初审签字超过 100 字")]
    assert _count(store) == 0


def test_an_interrupted_import_is_completed_by_importing_the_file_again_issue_14(
    organ, tmp_path: Path, monkeypatch
) -> None:
    store, organ_id = organ
    read = read_ledger(publications_xlsx(tmp_path / "台账.xlsx", 1200), "publications")
    real_add, calls = ledger.add_publication, []

    def dies_at_row_1100(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1100:
            raise OSError("the process is killed")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(ledger, "add_publication", dies_at_row_1100)
    with pytest.raises(Refused, match="导入中断（OSError），已导入 1000 行，其余 200 行未导入"):
        write_ledger(store, organ_id, read, actor="t", chunk_rows=500)
    monkeypatch.setattr(ledger, "add_publication", real_add)
    assert _count(store) == 1000  # two chunks committed, the third rolled back
    with transaction(store) as s:
        started = s.scalars(select(AuditEntry).where(AuditEntry.entity == "ledger")).all()
        assert [(e.action, e.after["rows"]) for e in started] == [("import", 1200)]  # never "imported"
        tagged = s.scalars(select(AuditEntry).where(AuditEntry.entity == "publication")).all()
        assert {e.after["import"] for e in tagged} == {started[0].entity_id}
    done = write_ledger(store, organ_id, read, actor="t", chunk_rows=500)
    assert (done.written, done.skipped) == (200, 1000) and _count(store) == 1200
    again = write_ledger(store, organ_id, read, actor="t")
    assert (again.written, again.skipped) == (0, 1200) and _count(store) == 1200
    with transaction(store) as s:
        titles = s.scalars(select(Publication.title)).all()
        assert len(set(titles)) == 1200
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == done.import_id)).all()
        assert actions == ["import", "imported"]


def test_a_row_listed_twice_is_imported_twice_and_once_more_only_when_added_issue_14(
    organ, tmp_path: Path
) -> None:
    store, organ_id = organ
    path = tmp_path / "台账.csv"
    row = "通知,类别,2025-03-01,网站,甲,乙,丙,丁"
    path.write_text("\n".join([",".join(HEADER), row, row]), encoding="utf-8")
    assert write_ledger(store, organ_id, read_ledger(path, "publications"), actor="t").written == 2
    path.write_text("\n".join([",".join(HEADER), row, row, row]), encoding="utf-8")
    assert write_ledger(store, organ_id, read_ledger(path, "publications"), actor="t").written == 1
    assert _count(store) == 3


def test_a_citizen_files_while_a_large_ledger_is_imported_issue_14(site, tmp_path: Path) -> None:  # noqa: F811
    rows = 5_000  # ten chunks of 500: seconds of writing, time enough for three filings
    data = publications_xlsx(tmp_path / "台账.xlsx", rows).read_bytes()
    store = site.state.sessions
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/register").text)
    outcome: dict = {}

    def import_ledger_on_the_web() -> None:
        outcome["import"] = clerk.post(
            "/organs/kj/register-import",
            data={"csrf": token, "kind": "publications"},
            files=[("file", ("台账.xlsx", data, "application/octet-stream"))],
        )

    importer = threading.Thread(target=import_ledger_on_the_web)
    importer.start()
    try:
        while importer.is_alive() and _count(store) == 0:  # its first chunk is written
            importer.join(0.05)
        assert importer.is_alive(), "the import ended before it could be watched"
        citizen = client_as(site, None)
        for n in range(3):  # the portal allows five filings an hour from one address
            form = citizen.get("/public/kj/apply")
            filed = citizen.post(
                "/public/kj/apply",
                data={
                    "csrf": csrf_of(form.text),
                    "applicant_kind": "natural",
                    "applicant_name": f"张{n}",
                    "applicant_id": "身份证 110101199001011234",
                    "applicant_contact": "13800000000",
                    "subject": "某路段拓宽工程的立项批复",
                },
            )
            assert filed.status_code == 200 and '<strong class="code">' in filed.text, filed.text[-500:]
        filed_during_import = importer.is_alive()
    finally:
        importer.join()
    response = outcome["import"]
    assert response.status_code == 200 and f"已从 台账.xlsx 导入 {rows} 行" in response.text
    assert _count(store) == rows and _count(store, Submission) == 3
    assert filed_during_import, "the filings should have been made while the import was writing"


def test_the_import_reads_in_a_worker_under_the_limits_of_reports() -> None:
    """The web and the CLI read a 台账 in a worker process of its own: out of memory there is a
    refusal naming the file, and the server (here, the test) is untouched."""
    from gongkai.store.ledger import read_ledger_within

    header = "标题,公开目录,发布日期,发布渠道,初审,复审,终审,保密审查\n"
    rows = "".join(f"通知{i},政策文件,2025-03-01,政府网站,甲,乙,丙,丁\n" for i in range(60000))
    data = (header + rows).encode()  # some 60 MB to read and check: far more than 30 MB
    starved = read_ledger_within(data, "publications", "台账.csv", memory_mb=30)
    # Python's MemoryError, or (when the limit is met inside C code that does not check) the worker
    # killed by SIGSEGV: either way a refusal naming the file and the memory, and nothing read.
    assert starved.refusal in (
        "台账.csv：读取时内存超过30 MB，已停止，未导入",
        "台账.csv：读取进程意外退出（被信号 11 终止），可能是文件损坏或所需内存超过30 MB，未导入",
    )
    assert not starved.entries
    roomy = read_ledger_within(data, "publications", "台账.csv")
    assert not roomy.refusal and len(roomy.entries) == 60000


def test_two_imports_of_one_file_at_once_write_each_row_once_issue_14(
    organ, tmp_path: Path, monkeypatch
) -> None:
    # Two clerks import the same 台账 at the same moment: both find every row missing before either
    # writes. The organ's lock and the check of each chunk under it keep the rows from doubling; a
    # row listed twice in the file is still there twice.
    store, organ_id = organ
    path = tmp_path / "台账.csv"
    rows = [f"通知{n},类别,2025-03-01,网站,甲,乙,丙,丁" for n in range(120)]
    path.write_text("\n".join([",".join(HEADER), *rows, rows[7]]), encoding="utf-8")
    read = read_ledger(path, "publications")
    both_looked = threading.Barrier(2, timeout=30)
    real_missing, waited = ledger._missing, threading.local()

    def look_then_wait(*args, **kwargs):
        found = real_missing(*args, **kwargs)
        if not getattr(waited, "done", False):  # the look before the first chunk
            waited.done = True
            both_looked.wait()
        return found

    monkeypatch.setattr(ledger, "_missing", look_then_wait)
    results: list = []

    def clerk() -> None:
        results.append(write_ledger(store, organ_id, read, actor="t", chunk_rows=10))

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and sum(r.written for r in results) == 121
    assert _count(store) == 121
    with transaction(store) as s:
        assert s.scalar(select(func.count()).where(Publication.title == "通知7")) == 2
