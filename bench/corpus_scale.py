"""Console pages at scale (issue 17 §8): a generated corpus of ``--reports`` published reports
(100,000 by default) of a province's organ tree on PostgreSQL, and the console's pages and the
store's corpus queries timed through the real app: p50, p95 and max, PASS when p95 ≤ 200 ms.
Prints figures; asserts nothing.

    .venv/bin/python bench/corpus_scale.py [--reports 100000] [--repeat 50]
    .venv/bin/python bench/corpus_scale.py --url /console/corpus --url '/api/corpus/reports?year=2024'

The corpus is written by bench/corpus_fill.py into a schema of its own on the server
``--database-url`` names (by default the tests' server, postgresql://postgres@127.0.0.1:5432/test),
dropped afterwards; when no server answers, the bench says so and skips. Pages are asked for as two
supervisors, of the province (every organ) and of one district (a few dozen): scope matters.
``--url`` (repeatable) times any other GET page the same way, as both.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # this checkout, its test support

from corpus_fill import fill  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from support.databases import scratch_database  # noqa: E402
from support.web import PASSWORD, client_as  # noqa: E402

from gongkai.store.accounts import add_user  # noqa: E402
from gongkai.store.corpus_export import corpus_rows  # noqa: E402
from gongkai.store.coverage import coverage  # noqa: E402
from gongkai.store.db import open_store, transaction  # noqa: E402
from gongkai.store.league import league  # noqa: E402
from gongkai.store.records import find_organ, subtree_select  # noqa: E402
from gongkai.store.tables import CorpusReport  # noqa: E402
from gongkai.web.app import create_app  # noqa: E402
from gongkai.web.settings import WebSettings  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GOAL_MS = 200.0
PAGE = 50
SLOW_REPEAT = 3  # times a page is timed when a warm-up took over ten times the goal
PROVINCE, CITY, DISTRICT = "p", "c1", "c1d1"  # codes bench/corpus_fill.py gives
LOGINS = {"province": ("bench-sheng", PROVINCE), "district": ("bench-qu", DISTRICT)}
# The console's pages, as each supervisor opens them (a page of their own region by default).
PAGES = [
    "/console",
    "/console?year=2024",
    "/console/oversight/coverage?year=2024",
    "/console/oversight/league",
    "/console/oversight/league?year=2024",
    "/console/oversight/league?rule=T3-ROW-SUM",
    "/console/corpus",
    "/console/corpus?year=2024",
    "/console/corpus?rule=T3-ROW-SUM",
    "/console/corpus?unjudged=1",
    "/console/corpus/unmatched",
    "/api/corpus/reports?year=2024",
]


def unreachable(url: str) -> str | None:
    """Why the server cannot be used, or None when it answers."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # no server, no driver, a bad URL
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


class Timer:
    """Times calls and prints a line each: p50, p95, max and PASS/FAIL against the goal."""

    def __init__(self, repeat: int, warmup: int) -> None:
        self.repeat, self.warmup = repeat, warmup
        self.failed: list[str] = []
        print(f"\n{'what':<52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  goal {GOAL_MS:.0f} ms")

    def time(self, name: str, call: Callable[[], object]) -> None:
        """Call ``call`` ``warmup`` times, then ``repeat`` times timed."""
        slow = False
        for _ in range(self.warmup):
            started = time.perf_counter()
            call()
            slow = slow or time.perf_counter() - started > 10 * GOAL_MS / 1000
        times = []
        for _ in range(SLOW_REPEAT if slow else self.repeat):  # seconds a page: a few tell enough
            started = time.perf_counter()
            call()
            times.append(1000 * (time.perf_counter() - started))
        p95 = statistics.quantiles(times, n=100, method="inclusive")[94] if len(times) > 1 else times[0]
        verdict = "PASS" if p95 <= GOAL_MS else "FAIL"
        if verdict == "FAIL":
            self.failed.append(name)
        print(
            f"{name:<52} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}  {verdict}", flush=True
        )


def page_getter(client, url: str) -> Callable[[], object]:
    """A GET of ``url`` that must answer 200."""

    def get() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: HTTP {response.status_code}\n{response.text[:500]}")
        return response

    return get


def report_page(session, region_code: str | None, year: int | None, errors_only: bool, after: int | None):
    """What a corpus list page asks the store: ``PAGE`` reports newest first after the id ``after``
    (keyset, not OFFSET), of the organs under ``region_code``, of ``year``, with an error or not;
    and how many there are in all."""
    where = []
    if region_code is not None:
        # the subtree as a subquery: a province's 15,000 ids as an IN list of parameters take a second
        where.append(CorpusReport.organ_id.in_(subtree_select(find_organ(session, region_code).id)))
    if year is not None:
        where.append(CorpusReport.year == year)
    if errors_only:
        where.append(CorpusReport.errors > 0)
    query = select(
        CorpusReport.id,
        CorpusReport.organ_id,
        CorpusReport.organ_name,
        CorpusReport.year,
        CorpusReport.errors,
    ).where(*where)
    if after is not None:
        query = query.where(CorpusReport.id < after)
    rows = session.execute(query.order_by(CorpusReport.id.desc()).limit(PAGE)).all()
    total = session.scalar(select(func.count()).select_from(CorpusReport).where(*where))
    return rows, total


def store_calls(factory, middle_id: int) -> dict[str, Callable[[], object]]:
    """The store's corpus queries the console's coming pages make, each in a transaction of its own."""

    def within(work: Callable) -> Callable[[], object]:
        def call() -> object:
            with transaction(factory) as session:
                return work(session)

        return call

    def export_page(session):
        return list(islice(corpus_rows(session, region=find_organ(session, CITY), year=2024), PAGE))

    return {
        "coverage: province, 2024": within(lambda s: coverage(s, PROVINCE, 2024)),
        "coverage: a district, 2024": within(lambda s: coverage(s, DISTRICT, 2024)),
        "league: all years": within(lambda s: league(s)),
        "league: 2024": within(lambda s: league(s, year=2024)),
        "league: rule T3-BALANCE": within(lambda s: league(s, rule="T3-BALANCE")),
        "league: a city, 2024": within(lambda s: league(s, region_code=CITY, year=2024)),
        "reports page 1: all": within(lambda s: report_page(s, None, None, False, None)),
        "reports page: all, deep (keyset)": within(lambda s: report_page(s, None, None, False, middle_id)),
        "reports page 1: 2024, with errors": within(lambda s: report_page(s, None, 2024, True, None)),
        "reports page 1: province, 2024": within(lambda s: report_page(s, PROVINCE, 2024, False, None)),
        "reports page 1: a city, with errors": within(lambda s: report_page(s, CITY, None, True, None)),
        "reports page: a district, deep": within(lambda s: report_page(s, DISTRICT, None, False, middle_id)),
        "export rows: a city, 2024, first 50": within(export_page),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=SERVER, help="PostgreSQL server (a schema of its own)")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50, help="requests timed a page")
    parser.add_argument("--warmup", type=int, default=3, help="requests a page before timing")
    parser.add_argument("--url", action="append", default=[], help="another GET page to time (repeatable)")
    parser.add_argument("--only", action="store_true", help="time the --url pages alone (no default pages)")
    parser.add_argument("--who", choices=sorted(LOGINS), action="append", help="only as this supervisor")
    parser.add_argument("--no-store", action="store_true", help="leave out the store's queries")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still drop the schema
    why = unreachable(args.database_url)
    if why is not None:
        print(f"corpus at scale: skipped, PostgreSQL not reachable at {args.database_url} ({why})")
        return
    with (
        tempfile.TemporaryDirectory() as name,
        scratch_database(args.database_url, Path(name), "gk_bench_corpus") as url,
    ):
        factory = open_store(url)
        engine = factory.kw["bind"]
        started = time.perf_counter()
        written = fill(engine, args.reports)
        took = time.perf_counter() - started
        print(
            f"PostgreSQL: generated in {took:.1f} s: " + ", ".join(f"{n:,} {t}" for t, n in written.items())
        )
        with transaction(factory) as session:
            for login, organ in LOGINS.values():
                add_user(session, login, login, "supervisor", PASSWORD, organ=organ, actor="bench")
            middle_id = (session.scalar(select(func.max(CorpusReport.id))) or 0) // 2
        engine.dispose()
        app = create_app(WebSettings(url, Path(name), "bench-secret-key-" + "x" * 32))
        timer = Timer(args.repeat, args.warmup)
        pages = [*([] if args.only else PAGES), *args.url]
        for who, (login, _) in LOGINS.items():
            if args.who and who not in args.who:
                continue
            client = client_as(app, login)
            for path in pages:
                status = client.get(path).status_code
                if status in (403, 404):  # another region's page: not this supervisor's to see
                    print(
                        f"{f'{who}: GET {path}'[:52]:<52} {'—':>8} {'—':>8} {'—':>8}  not theirs (HTTP {status})"
                    )
                    continue
                timer.time(f"{who}: GET {path}"[:52], page_getter(client, path))
        for what, call in ({} if args.no_store else store_calls(app.state.sessions, middle_id)).items():
            timer.time(what, call)
        app.state.sessions.kw["bind"].dispose()
    verdict = f"FAIL: {len(timer.failed)} over {GOAL_MS:.0f} ms" if timer.failed else "PASS: every p95"
    print(f"\nconsole p95 at {args.reports:,} reports: {verdict} (goal ≤ {GOAL_MS:.0f} ms)")


if __name__ == "__main__":
    main()
