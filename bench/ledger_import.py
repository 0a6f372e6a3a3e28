"""Long jobs under load (issue 14 §1): through ``gongkai serve`` on a SQLite file with the demo
data, a clerk imports a 50k-row publications XLSX, then a supervisor uploads 12 reports in one
batch (the seeds as DOCX, HTML and Markdown, and scans when the OCR extra is installed), while a
citizen files a request on the portal every half second. Prints each job's time, the filings'
latency (p50, max) during it, failed filings, and the server's peak memory; asserts nothing.

    .venv/bin/python bench/ledger_import.py [--rows 50000] [--uploads 12]

Goal: every filing answers, within a second, while either job runs.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx2 as httpx  # the httpx fork Starlette 1.x tests with (the dev extra installs it)

ROOT = Path(__file__).resolve().parents[1]
# the project's own command; GONGKAI_BIN picks another (a worktree's code through PYTHONPATH)
GONGKAI = os.environ.get("GONGKAI_BIN", str(ROOT / ".venv" / "bin" / "gongkai"))
HEADER = [
    "标题",
    "公开目录",
    "发布日期",
    "发布渠道",
    "初审",
    "复审",
    "终审",
    "保密审查",
    "索引号",
    "发布机构",
]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def ledger_xlsx(rows: int) -> bytes:
    """A valid publications 台账 of ``rows`` distinct rows, its sheet XML written directly."""
    cells = lambda values: "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)  # noqa: E731
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        body = [f'<worksheet xmlns="{NS}"><sheetData><row>{cells(HEADER)}</row>']
        for n in range(rows):
            day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
            values = [f"关于某某事项的通知（第{n}号）", "政策文件及解读", day, "门户网站、政务新媒体"]
            values += ["张三", "李四", "王五", "赵六", f"000014348/2025-{n:05d}", "某某区科学技术局"]
            body.append(f"<row>{cells(values)}</row>")
        body.append("</sheetData></worksheet>")
        book.writestr("xl/worksheets/sheet1.xml", "".join(body))
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    return match.group(1) if match else ""


def _peak_kib(pid: int) -> int:
    """VmHWM of the process and its children (uvicorn serves in a child with --workers)."""
    total = 0
    for task in [pid, *_children(pid)]:
        status = Path(f"/proc/{task}/status").read_text()
        total += int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/stat").read_text().split(") ")[1].split()[1] == str(pid):
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def file_requests(base: str, stop: threading.Event, latencies: list[float], failures: list[str]) -> None:
    """A citizen filing a request every half second until ``stop``."""
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            form = client.get("/public/demo-kj/apply")
            data = {
                "csrf": _csrf(form.text),
                "applicant_kind": "natural",
                "applicant_name": "压力测试",
                "applicant_id": "身份证 110101199001011234",
                "applicant_contact": "13800000000",
                "subject": "某某信息",
            }
            started = time.perf_counter()
            response = client.post("/public/demo-kj/apply", data=data)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures.append(f"HTTP {response.status_code}: {response.text[-200:]}")
            stop.wait(0.5)


def report_files(count: int) -> list[tuple[str, bytes]]:
    """``count`` reports to upload: the seeds (or the samples) written as DOCX, HTML and Markdown,
    two of them as scans when the OCR extra and a CJK font are there."""
    import json
    import sys

    from gongkai.checks import report_to_findings
    from gongkai.model.report import report_from_json
    from gongkai.writers import render

    seeds = sorted((ROOT.parent / "shared" / "seeds").glob("*.json")) or sorted(ROOT.glob("samples/*.json"))
    reports = [report_from_json(json.loads(p.read_text(encoding="utf-8"))) for p in seeds]
    files: list[tuple[str, bytes]] = []
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        import rapidocr_onnxruntime  # noqa: F401
        from support import scanwriter

        if scanwriter.has_cjk_font():
            for n, report in enumerate(reports[:2]):
                pages = list(scanwriter.report_pages(report, scanwriter.DPI))
                files.append((f"scan-{n}.pdf", scanwriter.to_image_pdf(pages)))
    except ImportError:
        pass
    forms = ("docx", "html", "md")
    n = 0
    while len(files) < count and reports:
        report, form = reports[n % len(reports)], forms[(n // len(reports)) % len(forms)]
        files.append(
            (
                f"report-{n}.{form}",
                render(report, form, findings=[])
                if form != "docx"
                else render(report, form, report_to_findings(report)),
            )
        )
        n += 1
    return files[:count]


def during(base: str, job) -> tuple[object, float, list[float], list[str]]:
    """Run ``job()`` while a citizen files requests: its result, seconds, the filings' latencies and
    failures."""
    latencies: list[float] = []
    failures: list[str] = []
    stop = threading.Event()
    citizen = threading.Thread(target=file_requests, args=(base, stop, latencies, failures))
    citizen.start()
    started = time.perf_counter()
    try:
        result = job()
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        citizen.join()
    return result, elapsed, latencies, failures


def _print_filings(latencies: list[float], failures: list[str]) -> None:
    if latencies:
        p50 = statistics.median(latencies)
        print(
            f"  filings meanwhile: {len(latencies)}, p50 {1000 * p50:.0f} ms, "
            f"max {1000 * max(latencies):.0f} ms, failed {len(failures)}"
        )
    for failure in failures[:3]:
        print(f"    {failure}")


def _signed_in(base: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=3600)
    page = client.get("/login")
    client.post("/login", data={"login": login, "password": "gongkai-demo-2026", "csrf": _csrf(page.text)})
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--uploads", type=int, default=12)
    args = parser.parse_args()
    data = ledger_xlsx(args.rows)
    uploads = report_files(args.uploads)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "GONGKAI_HOME": folder, "GONGKAI_PORTAL_FILINGS_PER_HOUR": "1000000"}
        subprocess.run([GONGKAI, "demo"], env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(Path(folder) / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen([GONGKAI, "serve", "--port", str(port)], env=env, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            clerk = _signed_in(base, "jingban")
            token = _csrf(clerk.get("/organs/demo-kj/register").text)
            imported, import_seconds, import_latencies, import_failures = during(
                base,
                lambda: clerk.post(
                    "/organs/demo-kj/register-import",
                    data={"csrf": token, "kind": "publications"},
                    files=[("file", ("台账.xlsx", data, "application/octet-stream"))],
                ),
            )
            supervisor = _signed_in(base, "jiandu")
            token = _csrf(supervisor.get("/console").text)
            uploaded, upload_seconds, upload_latencies, upload_failures = during(
                base,
                lambda: supervisor.post(
                    "/console/upload",
                    data={"csrf": token, "organ": "demo-kj"},
                    files=[("files", (name, body, "application/octet-stream")) for name, body in uploads],
                ),
            )
            peak = _peak_kib(server.pid)
        finally:
            server.terminate()
            server.wait(10)
        errors = (Path(folder) / "server.log").read_text(encoding="utf-8")
        if "Traceback" in errors:
            print(errors[-3000:])
    said = re.search(r"已从 台账\.xlsx 导入 \d+ 行[^<]*", imported.text)
    print(f"台账 import of {args.rows:,} rows ({len(data) / 1e6:.1f} MB XLSX) via gongkai serve on SQLite")
    print(
        f"  import: HTTP {imported.status_code} in {import_seconds:.1f} s, {args.rows / import_seconds:,.0f} rows/s"
    )
    print(f"  page says: {said.group(0) if said else imported.text[-300:]}")
    _print_filings(import_latencies, import_failures)
    filed = len(re.findall(r": 已归入 ", uploaded.text))
    names = ", ".join(sorted({name.rsplit(".", 1)[-1] for name, _ in uploads}))
    print(f"console upload of {len(uploads)} files ({names}), one batch")
    print(f"  upload: HTTP {uploaded.status_code} in {upload_seconds:.1f} s, {filed} filed")
    _print_filings(upload_latencies, upload_failures)
    print(f"  server peak memory (VmHWM): {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
