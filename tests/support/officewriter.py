"""Reports as DOC, RTF and ODT files (for tests): Word files of ``write_docx`` saved by LibreOffice.

No Word or WPS runs here, so LibreOffice saves the DOCX in the other forms. Each LibreOffice start
costs seconds, so one invocation converts every file to one form, and the forms run side by side,
each with its own throw-away profile.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

from gongkai.model.report import report_to_json
from gongkai.readers.office.convert import find_soffice
from support.htmlwriter import write_docx

# LibreOffice's export filter for each form.
EXPORT_FILTERS = {
    "doc": "doc:MS Word 97",
    "rtf": "rtf:Rich Text Format",
    "odt": "odt:writer8",
    "docx": "docx:MS Word 2007 XML",
}
# The import filter that opens a PDF in Writer, every text run a text box at its place (issue 16).
PDF_IMPORT = "writer_pdf_import"


def convert_all(
    sources: list[Path], form: str, outdir: Path, timeout: float = 300, infilter: str | None = None
) -> dict[Path, bytes]:
    """Every source converted to ``form`` by one LibreOffice run: ``{source: bytes}``; ``infilter``
    forces an import filter (:data:`PDF_IMPORT` for PDFs)."""
    soffice = find_soffice()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) not found")
    target = outdir / form
    profile = outdir / f"profile-{form}"
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        EXPORT_FILTERS[form],
        "--outdir",
        str(target),
        *map(str, sources),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=timeout)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return {source: (target / f"{source.stem}.{form}").read_bytes() for source in sources}


def write_office(
    reports: Mapping[str, Any], forms: list[str], directory: Path
) -> dict[tuple[str, str], bytes]:
    """Each report (by name) in each form: ``{(name, form): bytes}``; DOCX written to ``directory``.

    python-docx takes a second or two a report, so the DOCX are written on every core (the reports
    travel as canonical JSON: their model classes are made at run time and do not pickle).
    """
    sources = {name: directory / f"{name}.docx" for name in reports}
    spawn = multiprocessing.get_context("spawn")  # no fork of a test process that may hold threads
    with ProcessPoolExecutor(max_workers=min(len(reports), os.cpu_count() or 1), mp_context=spawn) as pool:
        for source, data in zip(
            sources.values(), pool.map(write_docx, map(report_to_json, reports.values())), strict=True
        ):
            source.write_bytes(data)
    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        results = pool.map(lambda form: convert_all(list(sources.values()), form, directory), forms)
        converted = dict(zip(forms, results, strict=True))
    return {(name, form): converted[form][source] for name, source in sources.items() for form in forms}
