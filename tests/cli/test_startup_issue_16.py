"""Start-up of the ``gongkai`` command (issue 16): each command imports what it uses, no more.

bench/startup.py gives the times; these tests pin the modules, which do not depend on the
machine: a heavy layer imported by every command again (the database, the web, the reader of
another form, Typer's help machinery) fails here, whatever it costs today.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, clean_report_2021
from support.htmlwriter import write_docx

# No command imports these unless it uses them: the database and the web, the readers of forms
# other than text (pypdfium2, lxml, python-docx, openpyxl), and Typer's printing of help and
# errors (typer.rich_utils, with rich's Markdown and tracebacks).
HEAVY = (
    *("sqlalchemy", "alembic", "fastapi", "starlette", "pypdfium2", "pdfplumber", "lxml", "docx", "openpyxl"),
    *("typer.rich_utils", "gongkai.store", "gongkai.web", "gongkai.casework", "gongkai.writers"),
)
NOT_FOR_VERSION = (*HEAVY, "pydantic", "gongkai.cli.", "gongkai.model", "gongkai.readers", "gongkai.checks")
NOT_FOR_TEXT = (
    *HEAVY,
    *("charset_normalizer", "gongkai.readers.pdf", "gongkai.readers.docx", "gongkai.readers.html.reader"),
)
# The casework commands use the store; not the readers, the web, the notices' templates or the
# 台账's text decoding.
NOT_FOR_CASEWORK = (
    *("gongkai.readers", "gongkai.checks", "gongkai.web", "fastapi", "pypdfium2", "lxml"),
    *("jinja2", "charset_normalizer"),
)


def imported_by(*args: str) -> list[str]:
    """The modules a fresh process holds once ``gongkai ARGS`` has run, as the script runs it."""
    probe = "import sys\nfrom gongkai.cli import main\ntry:\n    main()\nfinally:\n    print(*sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT)
    modules = done.stdout.split()
    assert modules, done.stderr
    return modules


@pytest.mark.parametrize(
    ("args", "not_imported"),
    [
        (["--version"], NOT_FOR_VERSION),
        (["check", "samples/2024-示例市科学技术局.txt"], NOT_FOR_TEXT),
        (["organs", "--help"], NOT_FOR_CASEWORK),
    ],
)
def test_a_command_imports_only_what_it_needs(args, not_imported):
    """``gongkai --version`` starts without any command, the model or pydantic; ``gongkai check``
    of a text report without the store, the web, the other forms' readers or Typer's help
    machinery; the casework commands without the readers or the web."""
    modules = imported_by(*args)
    assert [m for m in modules if m.startswith(not_imported) and m != "gongkai.cli.console"] == []


def test_a_docx_report_brings_its_reader_when_it_comes(tmp_path):
    """What a text report leaves out comes with the form that needs it: checking a DOCX imports
    its reader and lxml, and reads the report."""
    path = tmp_path / "报告.docx"
    path.write_bytes(write_docx(clean_report_2021()))
    modules = imported_by("check", "--json", str(path))
    assert {"gongkai.readers.docx.reader", "lxml.etree"} <= set(modules)
    assert "pypdfium2" not in modules


def test_errors_and_help_still_speak_chinese_in_a_fresh_process():
    """Typer's help machinery, imported only to print, still prints its frame in Chinese."""
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "check", "--no-such-option", "x.txt"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "错误" in done.stderr and "查看帮助" in done.stderr
    assert "Error" not in done.stderr and "Try" not in done.stderr
