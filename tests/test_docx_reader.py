"""The DOCX reader (issue 3): Word's merged cells, tracked changes, damaged and hostile files."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from support.htmlwriter import write_docx
from support.strategies import valid_reports

from gongkai.checks import check_reading
from gongkai.model.report import report_cells, report_from_json
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


@settings(max_examples=8, deadline=None)  # the python-docx test writer takes ~1 s a report
@given(report=valid_reports())
def test_docx_round_trip(report):
    """Random valid reports as Word files (cells merged by Word's gridSpan/vMerge) read back equal."""
    reading = read_bytes(write_docx(report), "report.docx")
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year) == (report.agency, report.year)
    assert [f for f in check_reading(reading) if f.severity.value == "error"] == []


PAIRS = seed_pairs()


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_tables_as_docx_read_cell_exact(text, gold):
    """Each seed's exact tables, written as a Word file, read back cell-exact."""
    report = report_from_json(load_json(gold))
    assert report_cells(read_bytes(write_docx(report), gold.name).report) == report_cells(report)


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
        (lambda: _zip({"hello.txt": b"hi"}), "不是 Word 文档"),
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
