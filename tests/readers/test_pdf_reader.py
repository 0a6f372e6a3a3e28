"""The PDF reader (issue 3): a text layer with ruled tables; damaged, encrypted, scanned, endless."""

from __future__ import annotations

import io
import re

import pytest
from conftest import SECTION_ORDER, clean_report_2019, clean_report_2021
from support.htmlwriter import write_pdf

from gongkai.checks import check_reading
from gongkai.readers import UnreadableDocument, bytes_to_document, read_bytes

CLEAN_PDF = write_pdf(clean_report_2021())


def test_both_layouts_and_their_sections():
    """The six sections are found in the text around the tables, in both layouts."""
    for report in (clean_report_2021(), clean_report_2019()):
        reading = read_bytes(write_pdf(report), "r.pdf")
        assert [h.key for h in reading.sections.headings] == SECTION_ORDER
        assert check_reading(reading) == []


def _canvas_pdf(pages: int, text: str | None, encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=encrypt)
    for _ in range(pages):
        if text:
            pdf.drawString(72, 720, text)
        else:
            pdf.rect(72, 600, 300, 100, fill=1)  # a picture, no text: what a scan looks like
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: CLEAN_PDF[: len(CLEAN_PDF) // 3], "损坏"),
        (lambda: _canvas_pdf(1, "report", encrypt="secret"), "加密"),
        (lambda: _canvas_pdf(2, None), "没有文字层，也没有扫描的页面"),
        (lambda: _canvas_pdf(201, "page"), "超过200页"),
    ],
    ids=["truncated", "encrypted", "blank", "too-many-pages"],
)
def test_damaged_and_hostile_pdfs(make, phrase):
    """Each ends in one clear message, never a hang or a traceback."""
    with pytest.raises(UnreadableDocument, match=phrase):
        read_bytes(make(), "x.pdf")


def test_pages_pdfium_cannot_decode_are_read_by_pdfminer(monkeypatch):
    """With no CJK font on the machine to stand in for a named, non-embedded one, PDFium drops
    one-character strings of it (seen here before fonts-wqy-microhei was installed: the 「物」
    wrapped onto its own line in 「3.要求提供公开出版|物」). Such pages are read with pdfminer;
    both ways give the same document."""
    from gongkai.readers.pdf import reader

    def labels(doc):
        return [[c.text for row in grid.rows for c in row] for grid in doc.grids]

    by_pdfium = reader.pdf_to_document(CLEAN_PDF)
    monkeypatch.setattr(reader, "_undecoded_text", lambda page: True)
    by_pdfminer = reader.pdf_to_document(CLEAN_PDF)
    assert any("3.要求提供公开出版物" in grid for grid in labels(by_pdfminer))
    assert labels(by_pdfminer) == labels(by_pdfium)
    assert [p.text for p in by_pdfminer.paragraphs] == [p.text for p in by_pdfium.paragraphs]


def test_findings_name_the_page_table_and_row(tmp_path):
    """A PDF has no lines of its own: a finding says 「第N页表格M第K行」, in JSON and on screen."""
    from conftest import clean_report_2021
    from typer.testing import CliRunner

    from gongkai.cli import app

    broken = write_pdf(clean_report_2021(**{"requests.granted.natural": 4, "requests.granted.total": 4}))
    reading = read_bytes(broken, "broken.pdf")
    # The row that prints 「（一）予以公开」 is where its cells are said to be.
    granted_row = next(
        cell.line
        for grid in bytes_to_document(broken, "b.pdf").grids
        for row in grid.rows
        for cell in row
        if cell.text == "（一）予以公开"
    )
    assert reading.origins["requests.granted.natural"] == granted_row
    assert re.fullmatch(r"第2页表格1第\d+行", reading.places[granted_row])
    found = [f for f in check_reading(reading) if f.rule == "T3-OUTCOME-SUM"]
    assert found
    for f in found:
        assert f.place == reading.places[reading.origins[f.cells[0]]]
    (tmp_path / "broken.pdf").write_bytes(broken)
    result = CliRunner().invoke(app, ["check", str(tmp_path / "broken.pdf")])
    assert result.exit_code == 1
    assert "T3-OUTCOME-SUM" in result.output and re.search(r"第\d页表格\d第\d+行", result.output)


def _with_bad_checksum(pdf: bytes) -> bytes:
    """The PDF with its first page's content stream re-encoded as plain Flate whose Adler-32
    checksum is wrong: every byte of content is there, and pdfminer logs 「Data-loss while
    decompressing corrupted data」 reading it. The cross-reference table is rebuilt."""
    import base64
    import zlib

    found = re.search(rb"9 0 obj\s*<<.*?>>\s*stream\r?\n(.*?)endstream\s*endobj", pdf, re.S)
    content = zlib.decompress(base64.a85decode(found.group(1).strip().removesuffix(b"~>")))
    flate = zlib.compress(content)
    flate = flate[:-1] + bytes([flate[-1] ^ 0xFF])
    obj = b"9 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj" % (
        len(flate),
        flate,
    )
    body = pdf[: found.start()] + obj + pdf[found.end() : pdf.rindex(b"\nxref\n") + 1]
    offsets = {int(m[1]): m.start(1) for m in re.finditer(rb"\n(\d+) 0 obj\b", body)}
    size = max(offsets) + 1
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % size
    xref += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    trailer = pdf[pdf.rindex(b"trailer") : pdf.rindex(b"startxref")]
    return body + xref + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body)


def test_library_warnings_stay_off_the_terminal_issue_14(tmp_path):
    """A page pdfminer reads (here forced, as for a font PDFium cannot decode) whose content stream
    fails its checksum: parse succeeds, prints nothing on stderr, and names the page in a finding."""
    import subprocess
    import sys

    from conftest import ROOT

    path = tmp_path / "checksum.pdf"
    path.write_bytes(_with_bad_checksum(CLEAN_PDF))
    script = (
        "import sys; from gongkai.readers.pdf import reader; "
        "reader._undecoded_text = lambda page: True; "
        "from gongkai.cli import app; sys.argv[0] = 'gongkai'; app()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "parse", "--json", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0 and proc.stderr == ""
    import json

    parsed = json.loads(proc.stdout)
    damaged = [f for f in parsed["findings"] if f["rule"] == "READ-PDF-DAMAGED"]
    assert len(damaged) == 1 and "PDF 第1页的内容数据已损坏" in damaged[0]["message"]
    assert (
        parsed["requests"]
        == json.loads(
            subprocess.run(
                [sys.executable, "-m", "gongkai.cli", "parse", "--json", str(path)],
                capture_output=True,
                cwd=ROOT,
            ).stdout
        )["requests"]
    )
