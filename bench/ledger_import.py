"""台账 import under load (issue 14 §1): a clerk imports a 50k-row publications XLSX through
``gongkai serve`` on a SQLite file with the demo data while a citizen files a request on the portal
every half second. Prints the import's rows/s, the filings' latency (p50, max) during the import,
failed filings, and the server's peak memory; asserts nothing.

    .venv/bin/python bench/ledger_import.py [--rows 50000]

Goal: every filing answers, within a second, while the import runs.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    data = ledger_xlsx(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "GONGKAI_HOME": folder, "GONGKAI_PORTAL_FILINGS_PER_HOUR": "1000000"}
        subprocess.run([GONGKAI, "demo"], env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(Path(folder) / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen([GONGKAI, "serve", "--port", str(port)], env=env, stderr=log)
        base = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        failures: list[str] = []
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            clerk = httpx.Client(base_url=base, timeout=3600)
            login = clerk.get("/login")
            clerk.post(
                "/login",
                data={"login": "jingban", "password": "gongkai-demo-2026", "csrf": _csrf(login.text)},
            )
            token = _csrf(clerk.get("/organs/demo-kj/register").text)
            stop = threading.Event()
            citizen = threading.Thread(target=file_requests, args=(base, stop, latencies, failures))
            citizen.start()
            started = time.perf_counter()
            response = clerk.post(
                "/organs/demo-kj/register-import",
                data={"csrf": token, "kind": "publications"},
                files=[("file", ("台账.xlsx", data, "application/octet-stream"))],
            )
            elapsed = time.perf_counter() - started
            stop.set()
            citizen.join()
            peak = _peak_kib(server.pid)
        finally:
            server.terminate()
            server.wait(10)
        errors = (Path(folder) / "server.log").read_text(encoding="utf-8")
        if "Traceback" in errors:
            print(errors[-3000:])
    said = re.search(r"已从 台账\.xlsx 导入 \d+ 行[^<]*", response.text)
    print(f"台账 import of {args.rows:,} rows ({len(data) / 1e6:.1f} MB XLSX) via gongkai serve on SQLite")
    print(f"  import: HTTP {response.status_code} in {elapsed:.1f} s, {args.rows / elapsed:,.0f} rows/s")
    print(f"  page says: {said.group(0) if said else response.text[-300:]}")
    if latencies:
        p50 = statistics.median(latencies)
        print(
            f"  filings during the import: {len(latencies)}, p50 {1000 * p50:.0f} ms, "
            f"max {1000 * max(latencies):.0f} ms, failed {len(failures)}"
        )
    for failure in failures[:3]:
        print(f"    {failure}")
    print(f"  server peak memory (VmHWM): {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
