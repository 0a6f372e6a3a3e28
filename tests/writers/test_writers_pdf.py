"""The PDF writer (issue 4): the DOCX through LibreOffice, read back cell-exact, fonts embedded.

Each conversion costs one LibreOffice start (1–2 s), so the seeds are converted once for the
module, two at a time, and only a few random reports are. The PDF reader keeps the footer's page
numbers (「—1—」) out of the section texts, which are compared without whitespace (a line of the
PDF ends wherever the paragraph wrapped).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import SECTION_ORDER, clean_report_2019, load_json, needs_seeds, seed_pairs
from hypothesis import HealthCheck, given, settings
from lxml import etree
from test_writers_docx import reports_with_text

from gongkai import office
from gongkai.checks import report_to_findings
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_bytes
from gongkai.writers import WriterUnavailable, render
from gongkai.writers.pdf import FONT_SUBSTITUTES, fontconfig_file, write_pdf
from gongkai.writers.printed import printed_report

PAIRS = seed_pairs()
# One xdist worker writes the seeds' PDFs (the module fixture seed_pdfs), not each of them.
pytestmark = [pytest.mark.office, pytest.mark.xdist_group("pdf-writer")]
needs_soffice = pytest.mark.skipif(
    office.find_soffice() is None,
    reason="LibreOffice (soffice) not found: apt install libreoffice-writer-nogui (make test does it as root)",
)
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("pdftoppm")),
    reason="pdffonts/pdftoppm not found: apt install poppler-utils (make test does it as root)",
)


def section_text(text: str | None) -> str:
    """A section's text without whitespace (a PDF's line ends wherever the paragraph wrapped)."""
    return "".join((text or "").split())


def assert_same_report(read: Any, expected: Any, cells: dict[str, Any] | None = None) -> None:
    assert report_cells(read) == (cells if cells is not None else report_cells(expected))
    assert (read.agency, read.year, read.format) == (expected.agency, expected.year, expected.format)
    for key in SECTION_ORDER:
        written = getattr(expected.sections, key) if expected.sections else None
        assert section_text(getattr(read.sections, key)) == section_text(written), key


@pytest.fixture(scope="module")
def seed_pdfs() -> dict[str, tuple[Any, dict[str, Any], bytes]]:
    """Each seed (by its number): (report as read from its text, exact cells, PDF bytes)."""
    if office.find_soffice() is None or not PAIRS:
        pytest.skip("needs LibreOffice and the seeds")

    def one(pair: tuple[Path, Path]) -> tuple[str, tuple[Any, dict[str, Any], bytes]]:
        txt, gold = pair
        report = read_bytes(txt.read_bytes(), txt.name).report
        cells = report_cells(report_from_json(load_json(gold)))
        return txt.stem[:3], (report, cells, write_pdf(printed_report(report)))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, PAIRS))


@needs_seeds
@needs_soffice
@pytest.mark.parametrize("name", [txt.stem[:3] for txt, _ in PAIRS])
def test_seed_round_trip(seed_pdfs, name):
    report, cells, data = seed_pdfs[name]
    assert data.startswith(b"%PDF-")
    reading = read_bytes(data, "report.pdf")
    assert_same_report(reading.report, report, cells)


@needs_soffice
@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_random_reports_round_trip(fmt):
    """A couple of random reports of each layout (each conversion starts LibreOffice)."""

    @settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(report=reports_with_text(fmt))
    def check(report: Any) -> None:
        reading = read_bytes(write_pdf(printed_report(report)), "report.pdf")
        assert_same_report(reading.report, report)

    check()


@needs_seeds
@needs_soffice
def test_pages_are_numbered_odd_right_even_left(seed_pdfs):
    """Every page carries 「— N —」 in its footer, N counting from 1: odd pages on the right, even
    pages on the left; the title is the document's."""
    for report, _, data in seed_pdfs.values():
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            assert 3 <= len(pdf.pages) <= 8  # text, tables 二 and 三, more text
            assert pdf.metadata.get("Title") == printed_report(report).title
            for number, page in enumerate(pdf.pages, start=1):
                # Below the type area, which ends 35 mm (99 pt) above the page's edge.
                footer = page.crop((0, page.height - 90, page.width, page.height))
                words = footer.extract_words()
                text = "".join(w["text"] for w in words)
                assert text == f"—{number}—", (number, text)
                left, right = min(w["x0"] for w in words), max(w["x1"] for w in words)
                if number % 2:
                    assert left > page.width / 2, number
                else:
                    assert right < page.width / 2, number


def _pdffonts(data: bytes, tmp_path: Path) -> list[dict[str, str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    header, rule, *rows = out.splitlines()
    # Columns are fixed-width: the rule line's dashes mark them.
    spans, start = [], 0
    for piece in rule.split(" "):
        spans.append((start, start + len(piece)))
        start += len(piece) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [{n: row[a:b].strip() for n, (a, b) in zip(names, spans, strict=True)} for row in rows]


@needs_seeds
@needs_soffice
@needs_poppler
def test_every_font_is_embedded(seed_pdfs, tmp_path):
    for _, _, data in seed_pdfs.values():
        fonts = _pdffonts(data, tmp_path)
        assert len(fonts) >= 3  # body, headings, title at least
        assert all(f["emb"] == "yes" for f in fonts), fonts


@needs_seeds
@needs_soffice
@needs_poppler
def test_pages_render_with_ink(seed_pdfs, tmp_path):
    """pdftoppm draws the first page and a table page: not blank."""
    from PIL import Image

    _, _, data = seed_pdfs["000"]
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    for page in (1, 3):
        command = ["pdftoppm", "-r", "30", "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile"]
        subprocess.run([*command, str(path), str(tmp_path / f"page{page}")], check=True)
        image = Image.open(tmp_path / f"page{page}.png").convert("L")
        dark = image.histogram()[:128]
        dark = sum(dark)
        assert dark > 0.005 * image.width * image.height, page


def test_missing_libreoffice_is_one_clear_sentence(monkeypatch, tmp_path):
    """No LibreOffice anywhere: WriterUnavailable, naming the package and GONGKAI_SOFFICE."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(office.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(office, "KNOWN_PLACES", ())
    with pytest.raises(WriterUnavailable) as caught:
        render(clean_report_2019(), "pdf", report_to_findings(clean_report_2019()))
    message = str(caught.value)
    for part in ("LibreOffice", "apt install libreoffice-writer-nogui", office.ENV_VARIABLE, "DOCX"):
        assert part in message
    assert "\n" not in message


def test_fontconfig_file_keeps_the_system_configuration():
    root = etree.fromstring(fontconfig_file().encode())
    assert root.find("include").text
    aliases = {a.findtext("family"): [f.text for f in a.find("accept")] for a in root.iter("alias")}
    assert set(aliases) == set(FONT_SUBSTITUTES)
    assert "Noto Serif CJK SC" in aliases["仿宋_GB2312"]
    assert "Noto Sans CJK SC" in aliases["黑体"]


NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


@pytest.mark.skipif(
    not shutil.which("fc-match") or not NOTO_CJK.is_file(),
    reason="fc-match or Debian's fonts-noto-cjk not found (scripts/system-packages installs them)",
)
def test_gb_font_names_resolve_to_chinese_fonts(tmp_path):
    """Each GB name resolves to itself where installed, else to one of its substitutes."""
    config = tmp_path / "fonts.conf"
    config.write_text(fontconfig_file(), encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin"}
    for name, substitutes in FONT_SUBSTITUTES.items():
        found = subprocess.run(
            ["fc-match", "-f", "%{family}", f"{name}:lang=zh-cn"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        families = found.split(",")
        assert name in families or any(s in families for s in substitutes), (name, families)
