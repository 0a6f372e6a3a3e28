"""The DOCX reader (issue 3): Word's merged cells, tracked changes, damaged and hostile files."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import clean_report_2021
from support.htmlwriter import write_docx, write_paragraph_docx
from support.textwriter import write_tab_text, write_word_text

from gongkai.model.report import report_cells
from gongkai.readers import UnreadableDocument, read_bytes

CLEAN_2021 = clean_report_2021()
CLEAN_DOCX = write_docx(CLEAN_2021)


def _edit(data: bytes, old: str, new: str) -> bytes:
    """The same .docx with one replacement in word/document.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = content.decode("utf-8")
                assert old in text
                content = text.replace(old, new, 1).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def test_tracked_changes_read_as_accepted():
    """An insertion counts and a deletion does not: 「29」 struck out, 「30」 inserted → 30."""
    tracked = (
        '<w:del w:id="1" w:author="a"><w:r><w:delText>29</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>30</w:t></w:r></w:ins>'
    )
    data = _edit(CLEAN_DOCX, "<w:r><w:t>30</w:t></w:r>", tracked)
    assert read_bytes(data, "tracked.docx").report.active.licensing.decisions == 30


def test_docx_is_recognised_by_content():
    """A Word file saved under another name is still read as Word."""
    assert report_cells(read_bytes(CLEAN_DOCX, "report.txt").report) == report_cells(CLEAN_2021)


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: CLEAN_DOCX[: len(CLEAN_DOCX) // 2], "损坏"),
        (lambda: _zip({"hello.txt": b"hi"}), "不是 DOCX、XLSX、OFD 或 ODT"),
        (lambda: _zip({"word/document.xml": b"0" * (201 * 1024 * 1024)}), "压缩炸弹"),
        (lambda: _zip({"word/document.xml": _LAUGHS}), "XML 无法解析"),
    ],
    ids=["truncated", "other-zip", "zip-bomb", "entity-bomb"],
)
def test_damaged_and_hostile_packages(make, phrase):
    """A truncated file, a zip that is not Word, a zip bomb: one clear message each."""
    with pytest.raises(UnreadableDocument, match=phrase):
        read_bytes(make(), "x.docx")


# 「Billion laughs」: ten levels of ten references; expanded, 10^10 copies of 「哈」.
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a0 "哈">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 11))
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&a10;</w:t></w:r></w:p></w:body></w:document>"
).encode()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_span_that_is_no_number_is_one_clear_line_issue_14(tmp_path):
    """w:gridSpan w:val="two": the CLI says where, in Chinese, and exits 2 without a traceback."""
    import subprocess
    import sys

    from conftest import ROOT

    data = _edit(CLEAN_DOCX, '<w:gridSpan w:val="2"/>', '<w:gridSpan w:val="two"/>')
    with pytest.raises(
        UnreadableDocument, match=r"表格\d+第\d+行第\d+个单元格的合并列数（w:gridSpan）是「two」"
    ):
        read_bytes(data, "span.docx")
    path = tmp_path / "span.docx"
    path.write_bytes(data)
    for command in ("check", "parse"):
        proc = subprocess.run(
            [sys.executable, "-m", "gongkai.cli", command, str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, proc.stderr
        assert str(path) in lines[0] and "w:gridSpan" in lines[0] and "Traceback" not in proc.stdout


@pytest.mark.parametrize("write", [write_tab_text, write_word_text], ids=["tab-aligned", "cell-per-line"])
@pytest.mark.parametrize("tab_stops", [False, True], ids=["plain", "tab-stops"])
def test_tables_typed_as_paragraphs_read_as_the_same_text_would(write, tab_stops) -> None:
    # A text report saved as Word (issue 16): the tables are paragraphs, not Word tables; they read
    # cell-exact, as the text itself reads, with a warning that the columns were found in text.
    text = write(CLEAN_2021)
    as_text = read_bytes(text.encode("utf-8"), "report.txt")
    reading = read_bytes(write_paragraph_docx(text, tab_stops), "report.docx")
    assert report_cells(reading.report) == report_cells(as_text.report) == report_cells(CLEAN_2021)
    assert "READ-PARAGRAPH-TABLE" in {n.rule for n in reading.notices}


def test_a_word_file_of_paragraphs_without_tables_still_says_so() -> None:
    with pytest.raises(UnreadableDocument, match="没有找到年度报告的统计表"):
        read_bytes(
            write_paragraph_docx("某某局2024年政府信息公开工作年度报告\n一、总体情况\n本年度无。"), "x.docx"
        )
