"""Parse-and-check throughput and peak memory for text reports (goals: ≥ 2,500/s per core, issue 16; < 100 MB).

Reads every report under samples/ and ../shared/seeds (when present), adds ``--generated``
random valid reports written in the three text shapes (tests/support: so that rows differ
from report to report as in a real corpus, and per-row caches are not flattered), then
parses and checks them round-robin on one core for a fixed time. Prints reports per second,
the per-report latency and the process's peak resident memory, each beside its goal. The rates
are per CPU second of this process, not per wall-clock second: on a shared machine the CPU time
is the steadier figure. Figures only: no assertion.

    .venv/bin/python bench/parse_check.py [--seconds 10] [--generated 300] [--corpus FILE]

To time two versions of the code on the same reports, give both ``--corpus FILE``: the first run
keeps its generated reports there, later runs read them. (Generated anew, they differ with the
code: Hypothesis draws values among the literals of the code it has loaded.)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import sys
import tempfile
import time
import zlib
from pathlib import Path

from gongkai.batch import CheckOptions, check_files
from gongkai.checks import check_reading
from gongkai.cli import tune_gc_for_batch
from gongkai.cli.reports import is_report_file
from gongkai.readers import read_bytes

ROOT = Path(__file__).resolve().parents[1]
GOAL_PER_SECOND = 2_500  # text reports parsed and checked per CPU second, one core (issue 16)
GOAL_PEAK_MB = 100  # issue 2


def corpus() -> list[tuple[str, bytes]]:
    """The text reports to measure on."""
    folders = [ROOT / "samples", ROOT.parent / "shared" / "seeds", ROOT / "tests" / "data"]
    files = [
        f
        for d in folders
        if d.is_dir()
        for f in sorted(d.glob("*"))
        if is_report_file(f) and f.suffix != ".json"
    ]
    return [(f.name, f.read_bytes()) for f in files]


def generated(count: int) -> list[tuple[str, bytes]]:
    """``count`` random valid reports (both layouts), each written in one of the three text shapes.

    Hypothesis draws them with a fixed seed (``derandomize``), so every run measures the same corpus.
    """
    if count <= 0:
        return []
    sys.path.insert(0, str(ROOT / "tests"))
    from hypothesis import HealthCheck, Phase, given, settings
    from support.strategies import valid_reports
    from support.textwriter import WRITERS

    writers = sorted(WRITERS.items())
    out: list[tuple[str, bytes]] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(valid_reports())
    def collect(report) -> None:
        name, write = writers[len(out) % len(writers)]
        out.append((f"generated-{len(out)}-{name}", write(report).encode()))

    collect()
    return out


def packed(docs: list[tuple[str, bytes]]) -> dict[str, str]:
    """Documents as JSON can hold them (name → compressed bytes in base64), to keep a corpus in a file."""
    return {name: base64.b64encode(zlib.compress(data)).decode() for name, data in docs}


def unpacked(kept: dict[str, str]) -> list[tuple[str, bytes]]:
    """The documents :func:`packed` kept, in their order."""
    return [(name, zlib.decompress(base64.b64decode(text))) for name, text in kept.items()]


def kept_generated(path: Path | None, count: int) -> list[tuple[str, bytes]]:
    """The generated reports: read from ``path`` when it exists, else made (and kept there)."""
    if path is not None and path.exists():
        return unpacked(json.loads(path.read_text()))
    made = generated(count)
    if path is not None:
        path.write_text(json.dumps(packed(made)))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to run (default 10)")
    parser.add_argument("--generated", type=int, default=300, help="random reports to add (default 300)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="workers for the multi-core figure (1: skip it)"
    )
    parser.add_argument("--corpus", type=Path, help="keep the generated reports in this file, or read them")
    args = parser.parse_args()
    real = corpus()
    docs = real + kept_generated(args.corpus, args.generated)
    if not docs:
        sys.exit("no reports found under samples/ or ../shared/seeds")
    for name, data in docs:  # warm up, and make sure every document reads
        check_reading(read_bytes(data, name))
    tune_gc_for_batch()  # as the gongkai command does
    done = 0
    size = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while time.perf_counter() - started < args.seconds:
        for name, data in docs:
            check_reading(read_bytes(data, name))
            size += len(data)
            done += 1
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"documents in corpus     {len(docs)}: {', '.join(n for n, _ in real)} + {args.generated} generated"
    )
    print(f"reports parsed+checked  {done} in {wall:.1f} s wall, {cpu:.1f} s CPU (one process, one core)")
    print(
        f"throughput              {done / cpu:,.0f} reports/s per core (goal ≥ {GOAL_PER_SECOND:,}; "
        f"{size / cpu / 1e6:.1f} MB/s of text)"
    )
    print(
        f"latency                 {1000 * cpu / done:.2f} ms per report (goal ≤ {1000 / GOAL_PER_SECOND:.2f})"
    )
    print(f"peak memory (RSS)       {peak_mb:.1f} MB (goal < {GOAL_PEAK_MB})")
    if args.jobs != 1:
        parallel(docs, args.jobs)


def parallel(docs: list[tuple[str, bytes]], jobs: int | None) -> None:
    """The same corpus as files, checked as ``gongkai check FOLDER`` does: worker processes."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, (name, data) in enumerate(docs):
            path = Path(folder) / f"{i:04d}-{name}"
            path.write_bytes(data)
            paths.append(str(path))
        workers = jobs or os.cpu_count() or 1
        started = time.perf_counter()
        done = sum(1 for _ in check_files(paths * 4, CheckOptions(), workers))
        wall = time.perf_counter() - started
    print(f"check_files, {workers} workers  {done} files in {wall:.1f} s wall: {done / wall:,.0f} reports/s")


if __name__ == "__main__":
    main()
