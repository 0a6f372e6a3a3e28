"""The OFD reader (issue 3): GB/T 33190 packages of text and ruled tables; damaged, hostile, scanned.

The fixtures come from tests/support/ofdwriter.py, which lays out the table model of
tests/support/htmlwriter.py (the official merged cells) on A4 pages in millimetres.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest
from conftest import clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from support.ofdwriter import NS, _Ids, package, page_xml, path_object, text_object, write_ofd
from support.readback import assert_reads_back_clean
from support.strategies import valid_reports

from gongkai.checks import check_reading
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, bytes_to_document, read_bytes, sniff_form
from gongkai.readers.ofd.reader import ofd_to_document

PAIRS = seed_pairs()
CLEAN_2021 = clean_report_2021()
CLEAN_OFD = write_ofd(CLEAN_2021)


@settings(max_examples=8, deadline=None)
@given(report=valid_reports())
def test_round_trip(report):
    """Random valid reports as OFD read back equal, with all six sections and no error."""
    reading = read_bytes(write_ofd(report), "x.ofd")
    assert_reads_back_clean(reading, report)


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_tables_read_cell_exact(text, gold):
    """Each seed's exact tables, as OFD, read back cell-exact."""
    report = report_from_json(load_json(gold))
    assert report_cells(read_bytes(write_ofd(report), f"{gold.stem}.ofd").report) == report_cells(report)


def test_both_layouts_clean_and_recognised_by_content():
    """Both layouts read without a finding; the form is told by OFD.xml, not the name."""
    for report in (CLEAN_2021, clean_report_2019()):
        data = write_ofd(report)
        assert sniff_form(data) == "ofd"
        reading = read_bytes(data, "report.pdf")
        assert report_cells(reading.report) == report_cells(report)
        assert check_reading(reading) == []


@pytest.mark.parametrize("report", [CLEAN_2021, clean_report_2019()], ids=["2021", "2019"])
def test_page_breaks_anywhere_in_a_table(report):
    """Moved down a few mm at a time, the tables break at every height: merged cells (the 22
    rows of 「三、本年度办理结果」) cut by the page, their text in one part; all read exact."""
    cut_results = 0
    for shift in range(0, 240, 12):
        data = write_ofd(report, shift=shift)
        assert report_cells(read_bytes(data, "x.ofd").report) == report_cells(report), shift
        grids = [[c.text for row in g.rows for c in row] for g in bytes_to_document(data, "x.ofd").grids]
        # 「（一）予以公开」 and 「（七）总计」 on different pages: the results cell was cut.
        cut_results += not any("（一）予以公开" in g and "（七）总计" in g for g in grids)
    assert cut_results >= 8


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def _edit(data: bytes, member: str, old: str, new: str) -> bytes:
    files = _members(data)
    text = files[member].decode()
    assert old in text
    files[member] = text.replace(old, new, 1).encode()
    return _zip(files)


def test_the_template_is_read_under_its_page():
    """The title is drawn only by page 1's template: read with the page, first; gone without it."""
    title = "示例市科学技术局2024年度政府信息公开工作年度报告"
    files = _members(CLEAN_OFD)
    assert title not in files["Doc_0/Pages/Page_0/Content.xml"].decode()
    assert bytes_to_document(CLEAN_OFD, "x.ofd").paragraphs[0].text == title
    untemplated = _edit(CLEAN_OFD, "Doc_0/Pages/Page_0/Content.xml", 'TemplateID="4"', 'TemplateID="99"')
    assert title not in [p.text for p in bytes_to_document(untemplated, "x.ofd").paragraphs]


def test_paths_and_namespaces_as_producers_write_them():
    """Absolute and root-relative BaseLoc paths are found; parts without the OFD namespace read."""
    files = _members(CLEAN_OFD)
    document = files["Doc_0/Document.xml"].decode()
    document = document.replace('BaseLoc="Pages/Page_0/', 'BaseLoc="/Doc_0/Pages/Page_0/')
    document = document.replace('BaseLoc="Pages/Page_1/', 'BaseLoc="Doc_0/Pages/Page_1/')
    files["Doc_0/Document.xml"] = document.encode()
    for name, content in files.items():
        if name.endswith(".xml"):
            files[name] = content.replace(f' xmlns:ofd="{NS}"'.encode(), b"").replace(b"ofd:", b"")
    assert b"ofd:" not in files["Doc_0/Pages/Page_1/Content.xml"]
    reading = read_bytes(_zip(files), "x.ofd")
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert reading.report.agency == CLEAN_2021.agency


def test_the_fixture_uses_the_forms_the_reader_must_know():
    """The writer really writes the 「g」 shorthand, per-character codes, a CTM and PageBlocks."""
    pages = "".join(v.decode() for k, v in _members(CLEAN_OFD).items() if k.endswith("Content.xml"))
    assert re.search(r'DeltaX="[^"]*\bg \d+ [\d.]+', pages)
    assert 'CTM="2 0 0 2 0 0"' in pages
    assert "<ofd:PageBlock" in pages
    assert re.search(r"(<ofd:TextCode X=[^>]*>.</ofd:TextCode>){3}", pages)
    assert len([k for k in _members(CLEAN_OFD) if k.startswith("Doc_0/Pages/")]) >= 2


def _one_page(objects: list[str], template: str | None = None) -> bytes:
    return package([page_xml(objects, template=4 if template else None)], template)


def test_text_positions_deltas_and_a_missing_x():
    """DeltaX (with 「g」) places each character; a TextCode without X takes the previous one's;
    an advance beyond the list is the character's own width; text objects side by side join."""
    code = (
        '<ofd:TextObject ID="20" Boundary="30 40 100 40" Font="2" Size="4">'
        '<ofd:TextCode X="0" Y="4" DeltaX="g 2 4 8">本年度合计</ofd:TextCode>'
        '<ofd:TextCode Y="30" DeltaX="4">第二行字</ofd:TextCode></ofd:TextObject>'
    )
    doc = bytes_to_document(_one_page([code]), "t.ofd")
    assert [p.text for p in doc.paragraphs] == ["本年度 合计", "第二行字"]
    # Characters one object each, as some converters write: one word.
    ids = _Ids()
    singles = [text_object(ids, 30 + 4 * k, 60, ch, 4) for k, ch in enumerate("政府信息公开")]
    assert [p.text for p in bytes_to_document(_one_page(singles), "t.ofd").paragraphs] == ["政府信息公开"]


def test_a_ruled_table_from_paths_of_every_command():
    """Lines drawn with S/M/L, closed with C, beside curves (Q, B, A) that are not rules, and a
    border as a thin filled bar: a 2×2 table with its texts in their cells."""
    ids = _Ids()
    data = (
        "S 0 0 L 60 0 L 60 20 L 0 20 C M 30 0 L 30 20 M 0 5 Q 10 15 20 5 B 25 0 35 10 40 5 A 5 5 0 0 1 50 5"
    )
    bar = (
        f'<ofd:PathObject ID="{ids()}" Boundary="20 49.8 60 0.4" Stroke="false" Fill="true">'
        "<ofd:AbbreviatedData>M 0 0 L 60 0 L 60 0.4 L 0 0.4 C</ofd:AbbreviatedData></ofd:PathObject>"
    )
    objects = [
        path_object(ids, (20, 40, 60, 20), data),
        bar,
        text_object(ids, 22, 46, "行政复议", 3),
        text_object(ids, 52, 46, "12", 3),
        text_object(ids, 22, 56, "行政诉讼", 3),
        text_object(ids, 52, 56, "3", 3),
    ]
    (grid,) = bytes_to_document(_one_page(objects), "t.ofd").grids
    assert grid.texts() == [["行政复议", "12"], ["行政诉讼", "3"]]


def test_a_rotated_ctm_maps_text_onto_the_page():
    """A CTM with a quarter turn: the characters' boxes are mapped, the text stays in one line
    (read top to bottom, as a vertical label would be)."""
    code = (
        '<ofd:TextObject ID="20" Boundary="50 50 10 40" CTM="0 1 -1 0 5 0" Font="2" Size="4">'
        '<ofd:TextCode X="0" Y="0" DeltaX="g 3 4">总计合计</ofd:TextCode></ofd:TextObject>'
    )
    ids = _Ids()
    doc = bytes_to_document(_one_page([code, text_object(ids, 20, 120, "正文", 4)]), "t.ofd")
    assert [p.text for p in doc.paragraphs] == ["总", "计", "合", "计", "正文"]


def test_pages_of_pictures_only():
    """An OFD of scanned pages: one clear message; one scanned page among text pages: a notice."""
    image = '<ofd:ImageObject ID="30" ResourceID="5" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>'
    res = '<ofd:MultiMedias><ofd:MultiMedia ID="5" Type="Image"><ofd:MediaFile>scan.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias>'
    files = {"Doc_0/Res/scan.png": b"\x89PNG\r\n\x1a\n"}
    scanned = package([page_xml([image]), page_xml([image])], res=res, files=files)
    with pytest.raises(UnreadableDocument, match=r"OFD 没有文字（可能是扫描件）：页面上只有图片（2页）.*OCR"):
        read_bytes(scanned, "scan.ofd")
    members = _members(CLEAN_OFD)
    pages = sorted(k for k in members if k.startswith("Doc_0/Pages/"))
    members[pages[-1]] = page_xml([image]).encode()
    reading = read_bytes(_zip(members), "x.ofd")
    notices = [f for f in reading.notices if f.rule == "READ-SCANNED-PAGES"]
    assert len(notices) == 1 and f"第{len(pages)}页只有图片" in notices[0].message


def test_several_documents_read_the_first_with_a_notice():
    """Two DocBody entries: the first document is read and the second named in a notice."""
    second = _edit(
        CLEAN_OFD,
        "OFD.xml",
        "</ofd:DocBody>",
        "</ofd:DocBody><ofd:DocBody><ofd:DocRoot>Doc_1/Document.xml</ofd:DocRoot></ofd:DocBody>",
    )
    reading = read_bytes(second, "x.ofd")
    assert report_cells(reading.report) == report_cells(CLEAN_2021)
    assert any(f.rule == "READ-OFD-DOCUMENTS" and "2个文档" in f.message for f in reading.notices)


def _without(data: bytes, member: str) -> bytes:
    files = _members(data)
    del files[member]
    return _zip(files)


def _corrupted(data: bytes, member: str) -> bytes:
    """The package with a few bytes of one member's compressed data changed (a bad CRC)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    spoiled = bytearray(data)
    for k in range(start + 10, start + 20):
        spoiled[k] ^= 0x55
    return bytes(spoiled)


# 「Billion laughs」: ten levels of ten references; expanded, 10^10 copies of 「哈」.
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a0 "哈">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 11))
    + f']><ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer><ofd:TextObject Boundary="0 0 9 9" Size="3">'
    '<ofd:TextCode X="0" Y="3">&a10;</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>'
).encode()
_ONE_ENTITY = _LAUGHS.split(b"<!ENTITY a1")[0] + b"]>" + _LAUGHS.split(b"]>", 1)[1].replace(b"&a10;", b"&a0;")


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: CLEAN_OFD[: len(CLEAN_OFD) // 2], "已损坏或被截断"),
        (
            lambda: _corrupted(CLEAN_OFD, "Doc_0/Pages/Page_1/Content.xml"),
            "已损坏，无法读取 Doc_0/Pages/Page_1",
        ),
        (lambda: _declaring_4_gb(), "压缩炸弹"),
        (lambda: _with_page(_LAUGHS), "Doc_0/Pages/Page_0/Content.xml 无法解析.*实体炸弹"),
        (lambda: _with_page(_ONE_ENTITY), "Doc_0/Pages/Page_0/Content.xml 含有文档类型声明"),
        (
            lambda: _without(CLEAN_OFD, "Doc_0/Pages/Page_1/Content.xml"),
            "缺少第2页的内容 Doc_0/Pages/Page_1/Content.xml",
        ),
        (lambda: _without(CLEAN_OFD, "Doc_0/Document.xml"), "缺少文档描述文件 Doc_0/Document.xml"),
        (lambda: _edit(CLEAN_OFD, "OFD.xml", "Doc_0/Document.xml", ""), "没有 DocBody/DocRoot"),
        (lambda: package([page_xml([])]), "OFD 没有文字（可能是扫描件）：页面上既没有文字也没有图片"),
        (lambda: package([page_xml([text_object(_Ids(), 20, 20, "第", 3)])] * 201), "超过200页"),
    ],
    ids=[
        "truncated",
        "bad-crc",
        "zip-bomb",
        "entity-bomb",
        "dtd",
        "page-missing",
        "document-missing",
        "no-docroot",
        "empty",
        "too-many-pages",
    ],
)
def test_damaged_and_hostile_packages(make, phrase):
    """Each ends in one clear message, read directly or through read_bytes, never a traceback."""
    data = make()
    with pytest.raises(UnreadableDocument, match=phrase):
        ofd_to_document(data, "x.ofd")
    with pytest.raises(UnreadableDocument):
        read_bytes(data, "x.ofd")


def _declaring_4_gb() -> bytes:
    """A small package whose directory says OFD.xml inflates to 4 GB, as a zip bomb's does
    (zipfile never inflates more than that size, so the declared sizes bound the work)."""
    data = _zip({"OFD.xml": b"<ofd:OFD/>"})
    entry = data.rindex(b"PK\x01\x02")  # the central directory's entry: its size at +24
    return data[: entry + 24] + struct.pack("<I", 0xF0000000) + data[entry + 28 :]


def _with_page(content: bytes) -> bytes:
    files = _members(package([page_xml([])]))
    files["Doc_0/Pages/Page_0/Content.xml"] = content
    return _zip(files)


def test_a_forged_repetition_costs_nothing():
    """「g 1000000000 1」 expands only as far as the text it spaces."""
    from gongkai.readers.ofd.reader import _advances

    assert _advances("1 g 3 2 5", 10) == [1.0, 2.0, 2.0, 2.0, 5.0]
    assert _advances("g 1000000000 1", 4) == [1.0] * 4
    assert _advances("g x 1 2 nan 3", 5) == [2.0, 3.0]
