"""The corpus's console pages and JSON API with a large corpus (issue 17 §8): page times (p50, p95)
of the paged list (unfiltered, by year, by region, deep in the keyset, by rule, by unjudged
errors), a report's page and the API's pages, as a supervisor of a region sees them.

Puts ``--reports`` reports (organs of two districts, five years, a third with an error; some
unmatched) straight into a fresh SQLite file, then asks each page ``--times`` times through the
app in this process. Figures only: no assertion. Goal: p95 under 200 ms at 100,000 reports.

    .venv/bin/python bench/corpus_console.py [--reports 100000] [--times 20] [--database FILE]

With ``--database``, the SQLite file is kept there and, when it exists, used as it is (filling
100,000 reports takes a few minutes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from conftest import clean_report_2021  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from gongkai.checks import check_report  # noqa: E402
from gongkai.model.report import report_to_json  # noqa: E402
from gongkai.store.accounts import add_user  # noqa: E402
from gongkai.store.corpus import SourceFile, organ_names, record_source  # noqa: E402
from gongkai.store.db import open_store, transaction  # noqa: E402
from gongkai.store.records import add_organ  # noqa: E402
from gongkai.web.app import create_app  # noqa: E402
from gongkai.web.settings import WebSettings  # noqa: E402

PASSWORD = "correct horse battery"
ORGANS_PER_DISTRICT = 40


def fill(factory, reports: int) -> None:
    """Two districts of organs, and ``reports`` reports spread over them and five years."""
    clean, broken = clean_report_2021(), clean_report_2021(**{"requests.new.natural": 9})
    bodies = [
        (report_to_json(r), [f.model_dump(mode="json", exclude_none=True) for f in check_report(r)])
        for r in (clean, broken)
    ]
    with transaction(factory) as s:
        for district in ("a", "b"):
            add_organ(s, district, f"{district}区人民政府", kind="region", actor="bench")
            for n in range(ORGANS_PER_DISTRICT):
                add_organ(s, f"{district}{n}", f"{district}区第{n}局", parent=district, actor="bench")
        add_user(s, "sup", "监督", "supervisor", PASSWORD, organ="a", actor="bench")
        names = organ_names(s)
    done = 0
    while done < reports:
        with transaction(factory) as s:  # a transaction per thousand: the WAL stays small
            for i in range(done, min(done + 1000, reports)):
                body, findings = bodies[1 if i % 3 == 0 else 0]
                district, organ = "ab"[i % 2], (i // 2) % (ORGANS_PER_DISTRICT + 1)
                agency = (
                    f"{district}区第{organ}局" if organ < ORGANS_PER_DISTRICT else f"{district}区某局{i % 7}"
                )
                result = {"agency": agency, "year": 2019 + i % 5, "format": "2021", "report": body}
                result["findings"] = findings
                record_source(s, SourceFile(f"{i:064x}", f"r{i}.txt", 1000, "text"), [result], names)
        done = min(done + 1000, reports)


def timed(client: TestClient, url: str, times: int) -> tuple[float, float]:
    """p50 and p95 of the page's time, in ms (one warm-up first)."""
    assert client.get(url).status_code == 200, url
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(url)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    spent.sort()
    return statistics.median(spent), spent[max(0, round(0.95 * len(spent)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--database", type=Path, help="the SQLite file to keep (used as it is if there)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        database = args.database or Path(scratch) / "gongkai.db"
        url = f"sqlite:///{database}"
        if not database.exists():
            factory = open_store(url)
            started = time.perf_counter()
            fill(factory, args.reports)
            print(f"{args.reports} reports stored in {time.perf_counter() - started:.0f} s")
            factory.kw["bind"].dispose()
        app = create_app(WebSettings(url, Path(scratch), "bench-secret-" + "x" * 32))
        client = TestClient(app)
        token = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"login": "sup", "password": PASSWORD, "csrf": token})
        deep = args.reports - 200
        pages = {
            "list": "/console/corpus",
            "list by year": "/console/corpus?year=2021",
            "list by organ": "/console/corpus?organ=a3",
            "list deep (keyset)": f"/console/corpus?after={deep}",
            "list by rule": "/console/corpus?rule=T3-BALANCE",
            "list unjudged errors": "/console/corpus?unjudged=1",
            "list by rule, rare": "/console/corpus?rule=NO-SUCH-RULE",
            "report page": "/console/corpus/reports/3",
            "unmatched names": "/console/corpus/unmatched",
            "api page of 100": "/api/corpus/reports?limit=100",
            "api page, deep": f"/api/corpus/reports?limit=100&cursor={deep}",
            "api report": "/api/corpus/reports/3",
        }
        print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}")
        for name, page in pages.items():
            p50, p95 = timed(client, page, args.times)
            print(f"{name:<24}{p50:>9.0f}{p95:>9.0f}")
        app.state.sessions.kw["bind"].dispose()


if __name__ == "__main__":
    main()
