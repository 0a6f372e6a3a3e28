"""Ingest throughput (issue 17): files a second taken into the corpus, how fast a second run over
the same files (all held: hashed, never read) gets through them, and the rate per core of each
form read on this machine and on a local Dask cluster (§2, ``gongkai ingest --cluster``).

Writes ``--files`` clean text reports of as many organs (tests/support's writer) to a scratch
folder, ingests them into a fresh SQLite file (or ``--database`` URL's PostgreSQL server, in a
schema of its own), then ingests them again. Then ``--per-form`` reports each as text, HTML and
DOCX (gongkai's writers) and PDF (tests/support's reportlab writer: gongkai's own goes through
LibreOffice, seconds a report), each form ingested into a fresh SQLite file by this machine's
worker processes (``--jobs``) and by a LocalCluster of ``--workers`` processes of one thread,
its first use (the reading processes each worker starts) left out. Figures only: no assertion.

    .venv/bin/python bench/ingest.py [--files 500] [--per-form 100] [--jobs 2] [--workers 2]
                                     [--database postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from conftest import clean_report_2021  # noqa: E402
from support.databases import scratch_database  # noqa: E402
from support.htmlwriter import write_pdf  # noqa: E402
from support.textwriter import write_tab_text  # noqa: E402

from gongkai.batch_ingest import ingest  # noqa: E402
from gongkai.model.report import Report2021  # noqa: E402
from gongkai.store.db import open_store  # noqa: E402
from gongkai.workers import cpu_count  # noqa: E402
from gongkai.writers import render  # noqa: E402

FORMS: dict[str, tuple[str, Callable[[Report2021], bytes]]] = {
    "text": (".txt", lambda r: write_tab_text(r).encode()),
    "html": (".html", lambda r: render(r, "html", [])),
    "docx": (".docx", lambda r: render(r, "docx", [])),
    "pdf": (".pdf", write_pdf),
}


def reports(count: int) -> Iterator[Report2021]:
    """``count`` clean reports of as many organs (示例市第N局), over five years."""
    for i in range(count):
        yield clean_report_2021().model_copy(update={"agency": f"示例市第{i}局", "year": 2020 + i % 5})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--per-form", type=int, default=100, help="reports of each form (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="the local cluster's worker processes")
    args = parser.parse_args()
    first_and_second_run(args.files, args.jobs, args.database)
    if args.per_form:
        per_form(args.per_form, args.jobs or cpu_count(), args.workers)


def first_and_second_run(files: int, jobs: int | None, database: str | None) -> None:
    """A folder of text reports ingested, then again."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "in"
        folder.mkdir()
        for i, report in enumerate(reports(files)):
            (folder / f"{i:05d}.txt").write_text(write_tab_text(report), encoding="utf-8")
        with scratch_database(database, Path(scratch), "gk_bench_ingest") as url:
            store = open_store(url)
            for label in ("first run (all read and kept)", "second run (all held)"):
                start = time.perf_counter()
                tally = ingest(store, [str(folder)], jobs=jobs)
                seconds = time.perf_counter() - start
                print(
                    f"{label}: {tally.files} files in {seconds:.2f} s = {tally.files / seconds:,.0f} files/s "
                    f"(new {tally.new}, held {tally.held}, reports {tally.reports})"
                )
            store.kw["bind"].dispose()


def per_form(count: int, jobs: int, workers: int) -> None:
    """Each form's rate per core, on this machine and on a local cluster."""
    try:
        from distributed import LocalCluster
    except ImportError:
        LocalCluster = None
        print("cluster: skipped (the extra is not installed: pip install 'gongkai[cluster]')")
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        address = None
        if LocalCluster is not None:
            local = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            address = stack.enter_context(local).scheduler_address
            timed(Path(scratch) / "warm-up", "text", 2 * workers, None, address)
        print(
            f"ingest rate per form, {count} reports each: files/s per core (whole run / steady, the "
            f"start-up of the reading processes out), {jobs} local processes, {workers} cluster workers"
        )
        for form in FORMS:
            whole, steady = timed(Path(scratch) / f"{form}-local", form, count, jobs, None)
            line = f"{form:5} local {whole / jobs:6.1f} / {steady / jobs:6.1f}"
            if address is not None:
                whole, steady = timed(Path(scratch) / f"{form}-cluster", form, count, None, address)
                line += f"   cluster {whole / workers:6.1f} / {steady / workers:6.1f}"
            print(line, flush=True)


def timed(folder: Path, form: str, count: int, jobs: int | None, cluster: str | None) -> tuple[float, float]:
    """Ingesting ``count`` reports written as ``form`` into a fresh SQLite file: the whole run's
    files a second, and the steady rate, from the first tenth of the files kept to the last (the
    start-up of the reading processes left out)."""
    suffix, write = FORMS[form]
    (folder / "in").mkdir(parents=True)
    for i, report in enumerate(reports(count)):
        (folder / "in" / f"{i:05d}{suffix}").write_bytes(write(report))
    store = open_store(f"sqlite:///{folder / 'gongkai.db'}")
    kept: list[float] = []
    try:
        start = time.perf_counter()
        tally = ingest(
            store,
            [str(folder / "in")],
            jobs=jobs,
            cluster=cluster,
            on_file=lambda outcome: kept.append(time.perf_counter()),
        )
        seconds = time.perf_counter() - start
    finally:
        store.kw["bind"].dispose()
    if tally.new != count:
        print(f"  ({form}: {tally.new} of {count} kept, {tally.unreadable} unreadable)")
    tenth = count // 10
    return count / seconds, (count - 1 - tenth) / max(kept[-1] - kept[tenth], 1e-9)


if __name__ == "__main__":
    main()
