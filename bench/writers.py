"""Writing speed per form (issue 4 goals: DOCX ≤ 0.3 s and PDF ≤ 3 s per report, XLSX and HTML
≤ 0.1 s). Figures only, no assertion; each written report is read back to count exact round trips.

    .venv/bin/python bench/writers.py [--count 20] [--pdf 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from parse_check import generated  # noqa: E402  (the fixed generated corpus)

from gongkai.checks import report_to_findings  # noqa: E402
from gongkai.model.report import report_cells  # noqa: E402
from gongkai.readers import read_bytes, read_text  # noqa: E402
from gongkai.writers import FORMS, SUFFIXES, WriterUnavailable, render  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="reports per form (default 20)")
    parser.add_argument("--pdf", type=int, default=3, help="reports written as PDF (LibreOffice, slow)")
    args = parser.parse_args()
    reports = [read_text(data.decode()).report for _, data in generated(args.count)]
    for form in FORMS:
        chosen = reports[: args.pdf] if form == "pdf" else reports
        if not chosen:
            continue
        try:
            # imports and first-use costs out of the figure
            render(chosen[0], form, report_to_findings(chosen[0]))
        except (ImportError, WriterUnavailable) as exc:
            print(f"{form:6} skipped: {exc}")
            continue
        started = time.perf_counter()
        written = [render(report, form, report_to_findings(report)) for report in chosen]
        wall = time.perf_counter() - started
        exact = sum(
            report_cells(read_bytes(data, "r" + SUFFIXES[form]).report) == report_cells(report)
            for report, data in zip(chosen, written, strict=True)
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = sum(len(d) for d in written) / len(written) / 1024
        print(
            f"{form:6} {wall / len(chosen):7.3f} s per report  {size:6.0f} KB  "
            f"round trip exact {exact}/{len(chosen)}  peak RSS so far {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
