"""Corpus export throughput and memory (issue 17 §7): reports a second and cell rows a second
written as CSV and as Excel, and the process's peak memory, which must not grow with the corpus.

Puts ``--reports`` copies of a clean report (as many organs and files, with the findings a check
gives) straight into a fresh SQLite file, then exports them to CSV and to xlsx. Figures only: no
assertion. Run it with two sizes to see the peak stay flat.

    .venv/bin/python bench/export_corpus.py [--reports 2000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from conftest import clean_report_2021  # noqa: E402

from gongkai.checks import check_report  # noqa: E402
from gongkai.model.report import report_to_json  # noqa: E402
from gongkai.store.corpus import SourceFile, record_source  # noqa: E402
from gongkai.store.corpus_export import export_corpus, export_paths  # noqa: E402
from gongkai.store.db import open_store, transaction  # noqa: E402


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    report = clean_report_2021(**{"requests.granted.natural": 999})
    body = report_to_json(report)
    findings = [f.model_dump(mode="json", exclude_none=True) for f in check_report(report)]
    with tempfile.TemporaryDirectory() as scratch:
        factory = open_store(f"sqlite:///{scratch}/gongkai.db")
        started = time.perf_counter()
        with transaction(factory) as session:
            for i in range(args.reports):
                result = {"agency": f"示例市第{i}局", "year": 2020 + i % 5, "format": "2021", "report": body}
                result["findings"] = findings
                record_source(session, SourceFile(f"{i:064x}", f"r{i}.txt", 1000, "text"), [result], {})
        print(
            f"{args.reports} reports stored in {time.perf_counter() - started:.1f} s; peak {peak_mb():.0f} MB"
        )
        for form in ("csv", "xlsx"):
            target = Path(scratch) / f"corpus.{form}"
            started = time.perf_counter()
            with transaction(factory) as session:
                tally = export_corpus(session, target, form)
            seconds = time.perf_counter() - started
            size = sum(p.stat().st_size for p in export_paths(target, form)) / 1e6
            print(
                f"{form}: {tally.reports / seconds:.0f} reports/s, {tally.cells / seconds:,.0f} cell rows/s "
                f"({tally.cells:,} cells, {tally.findings:,} findings, {size:.1f} MB in {seconds:.1f} s); "
                f"peak {peak_mb():.0f} MB"
            )
        factory.kw["bind"].dispose()


if __name__ == "__main__":
    main()
