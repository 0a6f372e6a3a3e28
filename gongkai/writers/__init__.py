"""Writers: a canonical report → the standard layout in DOCX, PDF, HTML, Markdown and XLSX.

Each writer renders :class:`~gongkai.writers.printed.PrintedReport`, the one model of the
printed report (title, six sections, tables in the official merged layout), built from the
layout data that the readers and checks use too.

    >>> sorted(FORMS)
    ['docx', 'html', 'md', 'pdf', 'xlsx']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gongkai.model.report import Finding, report_from_json
from gongkai.writers.printed import PrintedReport, Report, printed_report

__all__ = ["FORMS", "SUFFIXES", "PrintedReport", "WriterUnavailable", "printed_report", "render"]


class WriterUnavailable(Exception):
    """A writer cannot run on this machine (LibreOffice missing for PDF…); the message says why."""


# Form → (module, function, suffix). Modules are imported on first use: PDF needs LibreOffice,
# and the command line should not pay for python-docx when it writes Markdown.
_WRITERS: dict[str, tuple[str, str, str]] = {
    "docx": ("gongkai.writers.docx", "write_docx", ".docx"),
    "pdf": ("gongkai.writers.pdf", "write_pdf", ".pdf"),
    "html": ("gongkai.writers.html", "write_html", ".html"),
    "md": ("gongkai.writers.markdown", "write_markdown", ".md"),
    "xlsx": ("gongkai.writers.xlsx", "write_xlsx", ".xlsx"),
}
FORMS = tuple(_WRITERS)
SUFFIXES = {form: suffix for form, (_, _, suffix) in _WRITERS.items()}


def writer(form: str) -> Callable[[PrintedReport], bytes | str]:
    """The function that writes ``form`` (one of :data:`FORMS`)."""
    module, function, _ = _WRITERS[form]
    return getattr(importlib.import_module(module), function)


def render(report: Report | Mapping[str, Any], form: str, findings: Sequence[Finding]) -> bytes:
    """The report written as ``form``: the file's bytes (HTML and Markdown in UTF-8).

    ``findings`` are listed in the forms that show them (HTML, Markdown, XLSX), in the order
    given. A writer does not check: the caller passes the report's findings
    (:func:`gongkai.checks.report_to_findings`), or ``[]`` for a copy that lists none, so that
    the writers sit beside the checks, not on them (issue 15). Raises
    :class:`WriterUnavailable` when the form needs what this machine lacks.
    """
    if isinstance(report, Mapping):
        report = report_from_json(report)
    out = writer(form)(printed_report(report, tuple(findings)))
    return out.encode("utf-8") if isinstance(out, str) else out
