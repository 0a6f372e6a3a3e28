"""Ingest throughput (issue 17 §1): files a second taken into the corpus, and how fast a second run
over the same files (all held: hashed, never read) gets through them.

Writes ``--files`` clean text reports of as many organs (tests/support's writer) to a scratch
folder, ingests them into a fresh SQLite file (or ``--database`` URL's PostgreSQL server, in a
schema of its own), then ingests them again. Figures only: no assertion.

    .venv/bin/python bench/ingest.py [--files 500] [--jobs 2] [--database postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from conftest import clean_report_2021  # noqa: E402
from support.databases import scratch_database  # noqa: E402
from support.textwriter import write_tab_text  # noqa: E402

from gongkai.batch_ingest import ingest  # noqa: E402
from gongkai.store.db import open_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "in"
        folder.mkdir()
        for i in range(args.files):
            report = clean_report_2021().model_copy(update={"agency": f"示例市第{i}局", "year": 2020 + i % 5})
            (folder / f"{i:05d}.txt").write_text(write_tab_text(report), encoding="utf-8")
        with scratch_database(args.database, Path(scratch), "gk_bench_ingest") as url:
            store = open_store(url)
            for label in ("first run (all read and kept)", "second run (all held)"):
                start = time.perf_counter()
                tally = ingest(store, [str(folder)], jobs=args.jobs)
                seconds = time.perf_counter() - start
                print(
                    f"{label}: {tally.files} files in {seconds:.2f} s = {tally.files / seconds:,.0f} files/s "
                    f"(new {tally.new}, held {tally.held}, reports {tally.reports})"
                )
            store.kw["bind"].dispose()


if __name__ == "__main__":
    main()
