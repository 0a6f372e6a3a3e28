"""The public 公开目录 at scale (issue 14 §11): 100,000 catalogue entries of one organ, its pages
timed through the app, the catalogue's query plans, and 20 visitors on the catalogue against
another portal page. Prints figures; asserts nothing.

    .venv/bin/python bench/catalogue.py [--entries 100000] [--repeat 20] [--visitors 20]
    .venv/bin/python bench/catalogue.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

SQLite: a file in a temporary folder. PostgreSQL: a schema of its own in the database the URL names,
dropped afterwards. The probe that filed §11 found a one-page catalogue of 5.3 MB taking 1.4 s, and
20 visitors on it pushing every portal page's p95 to 11 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx  # the httpx fork Starlette 1.x tests with (the dev extra installs it)
from fastapi.testclient import TestClient
from sqlalchemy import event, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's gongkai, also when run from another folder

sys.path.insert(0, str(ROOT / "tests"))  # the test support: a scratch database

from support.databases import scratch_database  # noqa: E402

from gongkai.store.db import open_store, transaction  # noqa: E402
from gongkai.store.records import add_organ, find_organ  # noqa: E402
from gongkai.store.register import catalogue_categories, catalogue_page  # noqa: E402
from gongkai.store.tables import Publication  # noqa: E402
from gongkai.web.app import create_app  # noqa: E402
from gongkai.web.settings import WebSettings  # noqa: E402

ORGAN, OTHER = "bench-kj", "bench-jy"
CATEGORIES = (  # the first one is rare: a filter that keeps a few entries of many
    "统计信息",
    "政策文件及解读",
    "规划计划",
    "财政资金",
    "人事信息",
    "行政许可",
    "行政处罚",
    "工作动态",
)
CHUNK_ROWS = 5000  # rows per INSERT batch


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_database(url: str | None, folder: Path) -> contextlib.AbstractContextManager[str]:
    """A fresh database URL: a SQLite file in ``folder``, or a schema of its own on PostgreSQL."""
    return scratch_database(url, folder, "gk_bench")


def fill(url: str, entries: int) -> float:
    """Two organs; ``entries`` catalogue entries of the first (1 in 100 withdrawn), inserted in
    batches rather than one ORM object a row. Returns the seconds it took."""
    started = time.perf_counter()
    factory = open_store(url)
    rng = random.Random(14)
    with transaction(factory) as session:
        add_organ(session, "bench", "基准区人民政府", kind="region", actor="bench")
        add_organ(session, ORGAN, "基准区科学技术局", parent="bench", actor="bench")
        add_organ(session, OTHER, "基准区教育局", parent="bench", actor="bench")
        organ_id = find_organ(session, ORGAN).id
    first_day = date(2016, 1, 1)
    weights = [1] + [20] * (len(CATEGORIES) - 1)
    for start in range(0, entries, CHUNK_ROWS):
        rows = []
        for n in range(start, min(entries, start + CHUNK_ROWS)):
            day = first_day + timedelta(days=rng.randrange(3650))
            rows.append(
                {
                    "organ_id": organ_id,
                    "title": f"关于某某事项的通知（第{n + 1}号）",
                    "category": rng.choices(CATEGORIES, weights)[0],
                    "published_on": day,
                    "channels": ["门户网站"],
                    "first_review": "初审人",
                    "second_review": "复审人",
                    "final_review": "终审人",
                    "secrecy_review": "保密审查人",
                    "withdrawn": n % 100 == 99,
                    "index_number": f"KJ-{day.year}-{n + 1:06d}",
                    "doc_number": f"某科发〔{day.year}〕{n % 500 + 1}号",
                    "issuer": "",
                    "url": f"https://www.example.gov.cn/kj/{n + 1}.html",
                }
            )
        with transaction(factory) as session:
            session.execute(insert(Publication), rows)
    engine = factory.kw["bind"]
    if engine.dialect.name == "postgresql":
        # what autovacuum does soon after a bulk load: without statistics the plans are guesses
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE publications"))
    engine.dispose()
    return time.perf_counter() - started


def _ms(times: list[float], share: float) -> float:
    """The ``share`` quantile in milliseconds; NaN when nothing was timed (``--visitors 0``)."""
    ordered = sorted(times)
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_pages(client: TestClient, pages: dict[str, str], repeat: int) -> None:
    """Request each page ``repeat`` times (after one warm-up) and print p50, p95 and its size."""
    print(f"\n{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8}  status")
    for name, url in pages.items():
        response = client.get(url)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        size = len(response.content) / 1024
        print(
            f"{name:<28} {_ms(times, 0.5):8.1f} {_ms(times, 0.95):8.1f} {size:8.1f}  {response.status_code} {url}"
        )


def explain(url: str, page: int, category: str) -> None:
    """The plans of the queries a catalogue page makes (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
    PostgreSQL): the statements are caught as the store sends them, so the plan is of the real query."""
    factory = open_store(url)
    engine = factory.kw["bind"]
    caught: list[tuple[str, object]] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "publications" in statement:
            caught.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    with transaction(factory) as session:
        organ = find_organ(session, ORGAN)
        catalogue_page(session, organ, page)
        catalogue_page(session, organ, 1, category)
        catalogue_categories(session, organ)
    event.remove(engine, "before_cursor_execute", catch)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in caught:
            print("\n" + " ".join(statement.split()))
            print(f"  parameters: {parameters}")
            for row in connection.exec_driver_sql(prefix + statement, parameters):
                print("  " + " | ".join(str(cell) for cell in row))
    engine.dispose()


def _server(url: str, folder: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GONGKAI_HOME": str(folder)}
    command = [sys.executable, "-c", "from gongkai.cli import main; main()", "serve"]
    command += ["--port", str(port), "--database-url", url, "--data-dir", str(folder)]
    command += ["--workers", str(workers)]
    log = open(folder / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    return subprocess.Popen(command, env=env, stderr=log)


def crowd(base: str, pages: int, visitors: int, seconds: float, repeat: int) -> None:
    """``visitors`` threads reading catalogue pages (any page, at random) without pause, while one
    more reads another organ's portal page; the other page is first timed alone."""
    other = f"/public/{OTHER}"
    with httpx.Client(base_url=base, timeout=120) as client:
        alone = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(other).raise_for_status()
            alone.append(time.perf_counter() - started)
    stop = threading.Event()
    catalogue_times: list[float] = []
    errors: list[str] = []

    def visitor(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=120) as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    response = client.get(f"/public/{ORGAN}/catalogue?page={rng.randint(1, pages)}")
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                    continue
                catalogue_times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code}")

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(visitors)]
    for thread in threads:
        thread.start()
    loaded: list[float] = []
    until = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            client.get(other).raise_for_status()
            loaded.append(time.perf_counter() - started)
    stop.set()
    for thread in threads:
        thread.join()
    print(f"\n{visitors} visitors on random catalogue pages for {seconds:.0f} s (uvicorn, one process)")
    print(f"  catalogue pages: {len(catalogue_times)} served, p50 {_ms(catalogue_times, 0.5):.0f} ms,")
    print(f"    p95 {_ms(catalogue_times, 0.95):.0f} ms, errors {len(errors)} {sorted(set(errors))[:3]}")
    print(f"  {other} alone:   p50 {_ms(alone, 0.5):.1f} ms, p95 {_ms(alone, 0.95):.1f} ms")
    print(
        f"  {other} loaded:  p50 {_ms(loaded, 0.5):.1f} ms, p95 {_ms(loaded, 0.95):.1f} ms ({len(loaded)} pages)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server (a schema of its own); default SQLite")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per page timed")
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15, help="how long the visitors read")
    parser.add_argument("--workers", type=int, default=1, help="gongkai serve --workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, bench_database(args.database_url, Path(name)) as url:
        folder = Path(name)
        took = fill(url, args.entries)
        kind = "PostgreSQL" if args.database_url else "SQLite"
        print(f"{kind}: {args.entries:,} catalogue entries of one organ inserted in {took:.1f} s")
        app = create_app(WebSettings(url, folder, "bench-secret-key-" + "x" * 32))
        with transaction(app.state.sessions) as session:
            organ = find_organ(session, ORGAN)
            total = catalogue_page(session, organ).total
            rare_total = catalogue_page(session, organ, category=CATEGORIES[0]).total
        pages = -(-total // 50)
        rare_pages = -(-rare_total // 50)
        catalogue = f"/public/{ORGAN}/catalogue"
        time_pages(
            TestClient(app),
            {
                "catalogue, first page": catalogue,
                "catalogue, middle page": f"{catalogue}?page={pages // 2}",
                "catalogue, last page": f"{catalogue}?page={pages}",
                "category, first page": f"{catalogue}?category={CATEGORIES[1]}",
                "rare category, last page": f"{catalogue}?category={CATEGORIES[0]}&page={rare_pages}",
                "organ's portal page": f"/public/{ORGAN}",
            },
            args.repeat,
        )
        app.state.sessions.kw["bind"].dispose()
        explain(url, pages // 2, CATEGORIES[1])
        port = _free_port()
        server = _server(url, folder, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/public", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            crowd(base, pages, args.visitors, args.seconds, args.repeat)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)


if __name__ == "__main__":
    main()
