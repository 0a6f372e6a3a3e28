"""The supervisor's coverage and league pages (issue 17 §5, §6, §8) over a large corpus: how long
the console's home page, a page of the coverage list, its XLSX export and the league page take.

A province (one region) of ``--districts`` districts of ``--organs`` organs each, every organ with
a report of each of ``--years`` years put straight into corpus_reports (a clean report's canonical
JSON and, for about one in ``--error-every``, the findings of a report whose 表三 does not add up),
in a fresh SQLite file (or ``--database`` URL's PostgreSQL server, in a schema of its own); the
pages asked through the app as the province's supervisor. Figures only.

    .venv/bin/python bench/oversight.py [--districts 40] [--organs 500] [--years 5] [--database …]
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
from support.databases import scratch_database  # noqa: E402
from support.web import PASSWORD, client_as  # noqa: E402

from gongkai.checks import report_to_findings  # noqa: E402
from gongkai.model.report import report_to_json  # noqa: E402
from gongkai.model.text import organ_key  # noqa: E402
from gongkai.store.accounts import add_user  # noqa: E402
from gongkai.store.db import open_store, transaction  # noqa: E402
from gongkai.store.records import add_organ, find_organ, now  # noqa: E402
from gongkai.store.tables import CorpusReport, CorpusSource  # noqa: E402
from gongkai.web.app import create_app  # noqa: E402
from gongkai.web.settings import WebSettings  # noqa: E402

FIRST_YEAR = 2020


def fill(store, districts: int, organs: int, years: int, error_every: int) -> int:
    """The province's tree and its corpus; the number of reports."""
    clean = clean_report_2021()
    body = report_to_json(clean)
    wrong = clean_report_2021(**{"requests.new.natural": 9})
    findings = [f.model_dump(mode="json", exclude_none=True) for f in report_to_findings(wrong)]
    count = 0
    with transaction(store) as s:
        add_organ(s, "p", "示例省", kind="region", actor="bench")
        add_user(s, "province", "province", "supervisor", PASSWORD, organ="p", actor="bench")
        for d in range(districts):
            add_organ(s, f"d{d:03d}", f"示例省第{d}区", kind="region", parent="p", actor="bench")
            for o in range(organs):
                add_organ(s, f"d{d:03d}o{o:04d}", f"示例省第{d}区第{o}局", parent=f"d{d:03d}", actor="bench")
        s.flush()
        for d in range(districts):
            organs_here = [find_organ(s, f"d{d:03d}o{o:04d}") for o in range(organs)]
            sources = {}  # a source per organ and year, flushed once a district
            for o, organ in enumerate(organs_here):
                for y in range(years):
                    if (o + y) % 17 != 0:  # some organs miss a year
                        sha = f"{d:04d}{o:08d}{y:052d}"
                        name = f"{organ.code}/{FIRST_YEAR + y}.txt"
                        sources[o, y] = CorpusSource(
                            sha256=sha, name=name, size=1, form="text", ingested_at=now()
                        )
            s.add_all(sources.values())
            s.flush()
            for (o, y), source in sources.items():
                organ, year = organs_here[o], FIRST_YEAR + y
                flagged = (d * organs + o + y) % (error_every + d % 5) == 0
                s.add(
                    CorpusReport(
                        source_id=source.id,
                        position=0,
                        organ_id=organ.id,
                        organ_name=organ.name,
                        organ_key=organ_key(organ.name),
                        year=year,
                        format="2021",
                        body={**body, "agency": organ.name, "year": year},
                        findings=findings if flagged else [],
                    )
                )
                count += 1
    return count


def timed(client, path: str, rounds: int) -> tuple[float, float, int]:
    """The median and slowest seconds of ``rounds`` requests of ``path``, and the response's size."""
    seconds, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
    return statistics.median(seconds), max(seconds), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=40)
    parser.add_argument("--organs", type=int, default=500)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--error-every", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        scratch_database(args.database, Path(scratch), "gk_bench_oversight") as url,
    ):
        store = open_store(url)
        start = time.perf_counter()
        reports = fill(store, args.districts, args.organs, args.years, args.error_every)
        print(
            f"{reports:,} reports of {args.districts * args.organs:,} organs filled in {time.perf_counter() - start:.0f} s"
        )
        store.kw["bind"].dispose()
        app = create_app(WebSettings(url, Path(scratch), "bench-secret-key-" + "x" * 32))
        client = client_as(app, "province")
        last = FIRST_YEAR + args.years - 1
        for path in (
            f"/console?coverage_year={last}",
            f"/console/oversight/coverage?year={last}",
            f"/console/oversight/coverage?year={last}&missing=1&page=2",
            f"/console/oversight/coverage.xlsx?year={last}",
            "/console/oversight/league",
            f"/console/oversight/league?year={last}&rule=T3-ROW-SUM",
        ):
            median, slowest, size = timed(client, path, args.rounds)
            print(
                f"{path}: median {median * 1000:,.0f} ms, slowest {slowest * 1000:,.0f} ms, {size / 1024:,.0f} KiB"
            )
        app.state.sessions.kw["bind"].dispose()


if __name__ == "__main__":
    main()
