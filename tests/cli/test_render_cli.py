"""`gongkai render` (issue 4): the command around the writers."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import clean_report_2019, clean_report_2021
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.model.report import report_cells, report_to_json
from gongkai.readers import read_bytes

runner = CliRunner()


def _json_file(tmp_path, report, name: str = "报告.json"):
    path = tmp_path / name
    path.write_text(json.dumps(report_to_json(report), ensure_ascii=False), encoding="utf-8")
    return path


def test_several_forms_into_a_folder_each_read_back(tmp_path):
    source = _json_file(tmp_path, clean_report_2021())
    out = tmp_path / "输出"
    out.mkdir()
    result = runner.invoke(
        app, ["render", str(source), "--to", "md", "--to", "html", "--to", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    for suffix in (".md", ".html", ".xlsx"):
        written = out / f"报告{suffix}"
        assert written.is_file(), suffix
        reading = read_bytes(written.read_bytes(), written.name)
        assert report_cells(reading.report) == report_cells(clean_report_2021())
    assert not list(out.glob(".*partial"))


def test_default_output_is_beside_the_source_and_a_document_can_be_converted(tmp_path):
    """Any readable form in, the standard layout out: a Markdown report rendered as HTML."""
    source = _json_file(tmp_path, clean_report_2019())
    assert runner.invoke(app, ["render", str(source), "--to", "md"]).exit_code == 0
    markdown = tmp_path / "报告.md"
    result = runner.invoke(app, ["render", str(markdown), "--to", "html", "-o", str(tmp_path / "转换.html")])
    assert result.exit_code == 0, result.output
    reading = read_bytes((tmp_path / "转换.html").read_bytes(), "转换.html")
    assert report_cells(reading.report) == report_cells(clean_report_2019())


def test_a_report_with_errors_is_not_published_as_docx_unless_forced(tmp_path):
    """DOCX/PDF are what an organ publishes: refused while table 三 does not add up, naming the
    cells; HTML (with its findings) is still written; --force writes the DOCX."""
    broken = clean_report_2021(**{"requests.new.natural": 99})
    source = _json_file(tmp_path, broken)
    result = runner.invoke(app, ["render", str(source), "--to", "docx", "--to", "html"])
    assert result.exit_code == 1
    assert "--force" in result.output and "T3-" in result.output and "自然人" in result.output
    assert not (tmp_path / "报告.docx").exists()
    html = (tmp_path / "报告.html").read_text(encoding="utf-8")
    assert "T3-BALANCE" in html or "T3-ROW-SUM" in html
    pytest.importorskip("gongkai.writers.docx")
    forced = runner.invoke(app, ["render", str(source), "--to", "docx", "--force"])
    assert forced.exit_code == 0, forced.output
    assert report_cells(read_bytes((tmp_path / "报告.docx").read_bytes(), "r.docx").report) == report_cells(
        broken
    )


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--to", "odt"], "不支持的输出格式"),
        (["--to", "json"], "不支持的输出格式"),
    ],
)
def test_bad_options_are_one_message(tmp_path, args, phrase):
    source = _json_file(tmp_path, clean_report_2021())
    result = runner.invoke(app, ["render", str(source), *args])
    assert result.exit_code == 2 and phrase in result.output and "Traceback" not in result.output


def test_the_source_is_never_overwritten(tmp_path):
    source = _json_file(tmp_path, clean_report_2021())
    assert runner.invoke(app, ["render", str(source), "--to", "md"]).exit_code == 0
    markdown = tmp_path / "报告.md"
    before = markdown.read_bytes()
    result = runner.invoke(app, ["render", str(markdown), "--to", "md"])
    assert result.exit_code == 2 and "输出文件与输入文件相同" in result.output
    assert markdown.read_bytes() == before


def test_unreadable_input_is_one_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["render", str(bad), "--to", "md"])
    assert result.exit_code == 2 and "bad.json" in result.output and "Traceback" not in result.output


def test_pdf_without_libreoffice_says_what_is_missing(tmp_path, monkeypatch):
    """No soffice: one line naming LibreOffice, exit 3; the other forms are still written."""
    pytest.importorskip("gongkai.writers.pdf")
    monkeypatch.setenv("GONGKAI_SOFFICE", str(tmp_path / "no-such-soffice"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("soffice") is None
    source = _json_file(tmp_path, clean_report_2021())
    result = runner.invoke(app, ["render", str(source), "--to", "pdf", "--to", "md"])
    assert result.exit_code == 3, result.output
    assert "LibreOffice" in result.output or "soffice" in result.output
    assert (tmp_path / "报告.md").is_file() and not (tmp_path / "报告.pdf").exists()
