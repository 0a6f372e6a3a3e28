"""Reading speed and peak memory per form (goals, issues 3 and 16: text ≥ 2,500 reports/s, HTML
and DOCX ≥ 200 reports/s, PDF with a text layer ≥ 20 reports/s, < 500 MB per worker). Figures
only, no assertion.

The documents are random valid reports rendered by the test writers (tests/support), so every
form carries the same tables; each figure is read + check on one core, per CPU second of this
process (on a shared machine the steadier figure), printed beside its goal.

    .venv/bin/python bench/forms.py [--count 40]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from parse_check import generated  # noqa: E402  (the fixed generated corpus)
from support.alignedwriter import write_aligned_text  # noqa: E402
from support.convertedwriter import write_converted  # noqa: E402
from support.frameswriter import write_frames_docx  # noqa: E402
from support.htmlwriter import write_docx, write_html, write_pdf  # noqa: E402
from support.ofdwriter import write_ofd  # noqa: E402
from support.textwriter import write_tab_text  # noqa: E402
from support.xlsxwriter import write_xlsx_report, write_xlsx_tables  # noqa: E402

from gongkai.checks import check_reading  # noqa: E402
from gongkai.model.report import report_cells  # noqa: E402
from gongkai.readers import read_bytes, read_text  # noqa: E402

# Reports read and checked per CPU second, one core (issues 3 and 16); every PDF here has a text
# layer. Forms without a goal of their own (XLSX, OFD, Word files of text boxes) print none.
GOALS = {
    "text (tab)": 2_500,
    "html": 200,
    "docx": 200,
    "pdf (font not embedded)": 20,
    "pdf (embedded font)": 20,
    "pdf (no ruling lines)": 20,
    "pdf (no lines, centred)": 20,
}

WRITERS = {
    "text (tab)": lambda r: write_tab_text(r).encode(),
    # Issue 16's converted text: lined up with spaces (pdftotext -layout and the like, styles drawn
    # at random per report), and PDF → Markdown whose labels and numbers came apart.
    "text (space-aligned)": lambda r: write_aligned_text(
        r, seed=zlib.crc32(r.model_dump_json().encode())
    ).encode(),
    "markdown (converted)": lambda r: write_converted(r, seed=1).encode(),
    "html": lambda r: write_html(r).encode(),
    "docx": write_docx,
    "pdf (font not embedded)": write_pdf,
    "pdf (embedded font)": lambda r: write_pdf(r, embed_font=True),
    "pdf (no ruling lines)": lambda r: write_pdf(r, ruled=False),
    "pdf (no lines, centred)": lambda r: write_pdf(r, ruled=False, centred=True),
    "xlsx (whole report)": write_xlsx_report,
    "xlsx (tables only)": write_xlsx_tables,
    "ofd": write_ofd,
    # A PDF converted to Word (issue 16): every line a text box at its place, rules as line shapes.
    "docx of text boxes": write_frames_docx,
    "docx of text boxes, no lines": lambda r: write_frames_docx(r, ruled=False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="reports per form (default 40)")
    parser.add_argument("--office", type=int, default=5, help="reports read as DOC through LibreOffice")
    parser.add_argument("--scans", type=int, default=3, help="reports read as scanned PDFs by OCR")
    parser.add_argument("--forms", default="", help="only the forms whose name holds this text")
    args = parser.parse_args()
    reports = [read_text(data.decode()).report for _, data in generated(args.count)]
    for form, write in WRITERS.items():
        if args.forms not in form:
            continue
        docs = [(report, write(report)) for report in reports]
        exact = sum(report_cells(read_bytes(d, form).report) == report_cells(r) for r, d in docs)
        started = time.process_time()
        for _, data in docs:
            check_reading(read_bytes(data, form))
        cpu = time.process_time() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        goal = GOALS.get(form)
        print(
            f"{form:30} {len(docs) / cpu:8,.0f} reports/s {f'(goal ≥ {goal:,})' if goal else '':13}"
            f"{1000 * cpu / len(docs):7.2f} ms each  cell-exact {exact}/{len(docs)}  peak RSS so far {peak:.0f} MB"
        )
    if args.office and shutil.which("soffice"):
        _office(reports[: args.office])
    if args.scans:
        _scans(reports[: args.scans])


def _office(reports: list) -> None:
    """DOC through LibreOffice: wall time per report (the conversion is another process)."""
    from support.officewriter import write_office

    with tempfile.TemporaryDirectory() as folder:
        files = write_office({f"r{i}": r for i, r in enumerate(reports)}, ["doc"], Path(folder))
        docs = [(r, files[(f"r{i}", "doc")]) for i, r in enumerate(reports)]
        started = time.perf_counter()
        exact = sum(report_cells(read_bytes(d, "r.doc").report) == report_cells(r) for r, d in docs)
        wall = time.perf_counter() - started
    print(
        f"{'doc (LibreOffice)':30} {len(docs) / wall:8.1f} reports/s  {1000 * wall / len(docs):7.0f} ms each  "
        f"cell-exact {exact}/{len(docs)}  (wall time, conversion included)"
    )


def _scans(reports: list) -> None:
    """Scanned PDFs (200 dpi, scan noise) through OCR: seconds per page, on one core."""
    from support import scanwriter

    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        print(f"{'scanned pdf (OCR)':30} skipped: pip install 'gongkai[ocr]'")
        return
    if not scanwriter.has_cjk_font():
        print(f"{'scanned pdf (OCR)':30} skipped: no CJK font to draw the scans")
        return
    docs = []
    pages = 0
    for n, report in enumerate(reports):
        clean = scanwriter.report_pages(report)
        noisy = [scanwriter.add_scan_noise(page, seed=10 * n + i) for i, page in enumerate(clean)]
        docs.append((report, scanwriter.to_image_pdf(noisy)))
        pages += len(noisy)
    read_bytes(docs[0][1], "warm-up.pdf")  # the model loads once per process
    started = time.process_time()
    readings = [read_bytes(d, "r.pdf") for _, d in docs]
    cpu = time.process_time() - started
    exact = sum(report_cells(rd.report) == report_cells(r) for (r, _), rd in zip(docs, readings, strict=True))
    flagged = sum(len(rd.notices) for rd in readings)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'scanned pdf (OCR)':30} {cpu / pages:8.2f} s/page     {cpu / len(docs):7.2f} s each   "
        f"cell-exact {exact}/{len(docs)}  {flagged} READ findings  peak RSS so far {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
