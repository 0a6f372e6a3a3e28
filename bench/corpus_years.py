"""The cross-year rules over the corpus (issue 17 §3): pairs a second, and the most memory the
listing takes, over a corpus of ``--organs`` organs with ``--years`` consecutive years each.

The reports are put straight into corpus_reports (one clean report's canonical JSON, the organ and
year changed; not matched to any organ) in a fresh SQLite file (or ``--database`` URL's PostgreSQL
server, in a schema of its own): reading files is bench/ingest.py's concern. Figures only.

    .venv/bin/python bench/corpus_years.py [--organs 2000] [--years 5] [--database postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from conftest import clean_report_2021  # noqa: E402
from support.databases import scratch_database  # noqa: E402

from gongkai.model.report import report_to_json  # noqa: E402
from gongkai.model.text import organ_key  # noqa: E402
from gongkai.store.corpus_years import corpus_year_pairs  # noqa: E402
from gongkai.store.db import open_store, transaction  # noqa: E402
from gongkai.store.records import now  # noqa: E402
from gongkai.store.tables import CorpusReport, CorpusSource  # noqa: E402


def fill(store, organs: int, years: int) -> None:
    """``organs`` × ``years`` reports, one source each, in batches."""
    body = report_to_json(clean_report_2021())
    with transaction(store) as s:
        for i in range(organs):
            for y in range(years):
                name, year = f"示例市第{i}局", 2020 + y
                source = CorpusSource(sha256=f"{i:08d}{y:056d}", name=f"{i}/{year}.txt", size=1, form="text")
                source.ingested_at = now()
                s.add(source)
                s.flush()
                s.add(
                    CorpusReport(
                        source_id=source.id,
                        position=0,
                        organ_name=name,
                        organ_key=organ_key(name),
                        year=year,
                        format="2021",
                        body={**body, "agency": name, "year": year},
                        findings=[],
                    )
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organs", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        scratch_database(args.database, Path(scratch), "gk_bench_years") as url,
    ):
        store = open_store(url)
        fill(store, args.organs, args.years)
        tracemalloc.start()
        start = time.perf_counter()
        with transaction(store) as s:
            pairs = findings = 0
            for pair in corpus_year_pairs(s):
                pairs, findings = pairs + 1, findings + len(pair.findings)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"{args.organs * args.years} reports: {pairs} pairs ({findings} findings) in {seconds:.2f} s "
            f"= {pairs / seconds:,.0f} pairs/s; peak Python memory {peak:.1f} MiB"
        )
        store.kw["bind"].dispose()


if __name__ == "__main__":
    main()
