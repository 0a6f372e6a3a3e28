"""Scans read by OCR (issue 3, ``gongkai[ocr]``): images, multi-page TIFFs, image-only PDFs.

The scans are the PDF writer's pages rendered to pictures (tests/support/scanwriter.py), clean
or with scan noise. OCR takes about three seconds a page, so every scan is read once per session
(:func:`_read`) and the tests share the readings.
"""

from __future__ import annotations

import functools
import io
import socket
import struct
import sys
import zlib

import pytest
from conftest import clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from hypothesis import strategies as st
from support import scanwriter
from support.htmlwriter import write_pdf
from support.strategies import valid_reports

from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, read_bytes
from gongkai.readers.assemble import Reading

# One xdist worker reads each scan (_read caches per process), not each of them; `ocr` marks come
# with the fixture (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("ocr")
PAIRS = seed_pairs()
SEED_IDS = [p[0].stem[:3] for p in PAIRS]


@pytest.fixture(scope="session")
def ocr():
    """The OCR reader, or a skip saying why it cannot run here."""
    pytest.importorskip(
        "rapidocr_onnxruntime", reason="the OCR extra is not installed: pip install 'gongkai[ocr]'"
    )
    if not scanwriter.has_cjk_font():
        pytest.skip(
            f"no CJK font at {scanwriter.CJK_FONT_FILE} to draw the scans with "
            "(make test installs fonts-wqy-microhei where it can)"
        )
    from gongkai.readers.ocr import reader

    return reader


@functools.cache
def _pages(which: str, dpi: int = scanwriter.DPI) -> tuple:
    """A report's pages as clean pictures: ``which`` is a seed's index or 「clean」 (our own)."""
    report = clean_report_2021() if which == "clean" else report_from_json(load_json(PAIRS[int(which)][1]))
    return report, tuple(scanwriter.report_pages(report, dpi))


@functools.cache
def _read(which: str, form: str) -> Reading:
    """A report scanned and read once per session.

    ``form``: 「tiff」 the clean pages as one TIFF; 「noisy-tiff」 the pages with scan noise (each
    through JPEG, the noise seeded by report and page) as one TIFF; 「noisy-pdf」 those pages in
    an image-only PDF (which compresses them again, and PDFium renders them again).
    """
    _, pages = _pages(which)
    if form == "tiff":
        return read_bytes(scanwriter.to_tiff(list(pages)), f"{which}.tiff")
    seed = 0 if which == "clean" else int(which)
    noisy = [scanwriter.add_scan_noise(page, seed=seed * 10 + n) for n, page in enumerate(pages)]
    if form == "noisy-tiff":
        return read_bytes(scanwriter.to_tiff(noisy), f"{which}.tiff")
    return read_bytes(scanwriter.to_image_pdf(noisy), f"{which}.pdf")  # the PDF reader sends it to OCR


def _wrong(which: str, reading: Reading) -> set[str]:
    report, _ = _pages(which)
    got, want = report_cells(reading.report), report_cells(report)
    return {key for key in got.keys() | want.keys() if got.get(key) != want.get(key)}


def _ocr_flagged(reading: Reading) -> set[str]:
    """The cells the reader says it read with low confidence."""
    return {key for f in reading.notices if f.rule == "READ-OCR" for key in f.cells}


def _reported(key: str, reading: Reading) -> bool:
    """Whether a finding points the officer at the cell by name: its value read with low
    confidence (READ-OCR), or its column header misread so that it was left empty (READ-HEADER)."""
    return any(key in f.cells for f in reading.notices if f.rule.startswith("READ-"))


# ---------------------------------------------------------------------------------------------
# The seeds


@needs_seeds
@pytest.mark.parametrize("seed", range(len(PAIRS)), ids=SEED_IDS)
def test_seed_scans_read_cell_exact(ocr, seed):
    """Each seed's exact tables, printed, scanned at 200 dpi and saved as a TIFF, read back
    cell-exact; the reading says it was done by OCR."""
    reading = _read(str(seed), "tiff")
    assert _wrong(str(seed), reading) == set()
    notice = next(f for f in reading.notices if f.rule == "READ-OCR" and not f.cells)
    assert notice.severity.value == "info"
    assert "OCR" in notice.message and "RapidOCR" in notice.message


@needs_seeds
@pytest.mark.parametrize("seed", range(len(PAIRS)), ids=SEED_IDS)
def test_noisy_seed_scans_never_misread_silently(ocr, seed):
    """With scan noise (turned ≤ 0.5°, blurred, grey paper, grain, JPEG) the 6 pt table text at
    200 dpi is at the edge of what OCR reads. Seen when this was written: seed 002 has its
    「-3」 read as 「3」, the minus sign dropped (confidence 0.63); seed 001 its header 「尚未审结」
    read as 「尚末审结」 (now matched as 「尚未审结」). Every such cell is reported by name: a
    value with low confidence (READ-OCR), a cell whose column header was misread (READ-HEADER).
    Few of the values read right are flagged with them."""
    reading = _read(str(seed), "noisy-tiff")
    silent = {key for key in _wrong(str(seed), reading) if not _reported(key, reading)}
    assert silent == set()
    values = len(report_cells(reading.report))
    assert len(_ocr_flagged(reading)) <= 0.1 * values


# ---------------------------------------------------------------------------------------------
# Each form of scan


def test_tiff_reads_every_page_as_the_report(ocr):
    """Our own clean report as a multi-page TIFF: every cell, agency and year, every page read."""
    report, pages = _pages("clean")
    reading = _read("clean", "tiff")
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year) == (report.agency, report.year)
    notice = next(f for f in reading.notices if f.rule == "READ-OCR" and not f.cells)
    assert f"{len(pages)}页" in notice.message


def test_image_only_pdf_reads_as_the_report(ocr):
    """The same report scanned with noise into an image-only PDF reads the same cells."""
    report, _ = _pages("clean")
    reading = _read("clean", "noisy-pdf")
    assert _wrong("clean", reading) <= _ocr_flagged(reading)
    assert reading.report.agency == report.agency


@pytest.mark.parametrize("form", ["png", "jpeg"])
def test_one_page_png_and_jpeg(ocr, form):
    """A photo or a scan of the first page alone: its title and its part of table 二."""
    report, pages = _pages("clean")
    page = pages[0] if form == "png" else scanwriter.add_scan_noise(pages[0], seed=7)
    data = scanwriter.to_png(page) if form == "png" else scanwriter.to_jpeg(page)
    reading = read_bytes(data, f"page.{form}")
    assert (reading.report.agency, reading.report.year) == (report.agency, report.year)
    cells = report_cells(reading.report)
    for key in ("active.normative.issued", "active.normative.repealed", "active.normative.in_force"):
        assert cells[key] == report_cells(report)[key]


def test_rules_and_pieces_in_one_cell(ocr):
    """Every ruling line of a page is found, and no piece of text spans two cells: a row of
    table 三 is one piece per cell, however close the cells."""
    import numpy as np

    _, pages = _pages("clean")
    page = ocr.read_page(np.asarray(pages[-1]), 1)
    verticals = [r for r in page.rules if r.bottom - r.top > r.x1 - r.x0]
    assert len({round(r.x0) for r in verticals}) >= 16  # table 四: fifteen columns
    for piece in page.pieces:
        crossing = [
            r for r in verticals if piece.x0 + 2 < r.x0 < piece.x1 - 2 and r.top < piece.middle < r.bottom
        ]
        assert crossing == [], piece


def test_engine_loads_offline_on_one_core(ocr, monkeypatch):
    """The model comes from the wheel: loading it opens no connection; it runs on one thread."""

    def no_network(*args, **kwargs):
        raise AssertionError("the OCR engine tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    from gongkai.readers.ocr.recognition import load_engine

    load_engine.cache_clear()
    try:
        engine = load_engine()
    finally:
        load_engine.cache_clear()
    assert engine.session.get_session_options().intra_op_num_threads == 1
    assert "RapidOCR" in engine.name


# ---------------------------------------------------------------------------------------------
# Refusals


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG header for a grey picture of the given size; ``body`` the compressed pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_missing_extra_gives_one_message(monkeypatch):
    """Without the OCR extra, a scan gives one line saying how to install it."""
    from PIL import Image

    from gongkai.readers.ocr.recognition import load_engine

    out = io.BytesIO()
    Image.new("L", (64, 64), 255).save(out, "PNG")
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    load_engine.cache_clear()
    try:
        with pytest.raises(UnreadableDocument) as caught:
            read_bytes(out.getvalue(), "scan.png")
    finally:
        load_engine.cache_clear()
    message = str(caught.value)
    assert "pip install 'gongkai[ocr]'" in message and "OCR" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: _png(20_000, 20_000, zlib.compress(b"\0" * 1000)), "图片过大"),  # 400 MP: PIL refuses
        (lambda: _png(12_000, 9_000, zlib.compress(b"\0" * 1000)), "图片过大"),  # 108 MP: PIL only warns
        (lambda: _png(100, 100)[:40], "损坏"),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "损坏"),
        (lambda: b"II*\x00" + b"\xff" * 100, "损坏"),
    ],
    ids=["bomb-400mp", "bomb-108mp", "truncated", "garbage-png", "garbage-tiff"],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_bombs_and_damaged_images(make, phrase):
    """Each ends in one clear message before any pixel is decoded or the engine is loaded."""
    with pytest.raises(UnreadableDocument, match=phrase):
        read_bytes(make(), "scan.png")


def test_too_many_frames():
    """A TIFF of 201 pages is not an annual report."""
    from PIL import Image

    frames = [Image.new("L", (8, 8), 255) for _ in range(201)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(UnreadableDocument, match="超过200页"):
        read_bytes(out.getvalue(), "scan.tiff")


@pytest.mark.parametrize("fill", ["blank", "grey"])
def test_pictures_without_text(ocr, fill):
    """A blank page, or a flat grey one, has no text to read: one message, no crash."""
    from PIL import Image

    page = Image.new("L", (1654, 2339), 255 if fill == "blank" else 128)
    with pytest.raises(UnreadableDocument, match="没有识别出文字"):
        read_bytes(scanwriter.to_png(page), "scan.png")


def test_truncated_image_pixels(ocr):
    """A PNG cut off halfway: its header is fine, its pixels are not."""
    _, pages = _pages("clean")
    data = scanwriter.to_png(pages[0])
    with pytest.raises(UnreadableDocument, match=r"损坏|截断"):
        read_bytes(data[: len(data) // 2], "scan.png")


def test_scanned_pdf_page_limit(ocr):
    """An image-only PDF of 201 pages is refused like a text PDF."""
    from PIL import Image

    from gongkai.readers.ocr.reader import scanned_pdf_to_document

    pages = [Image.new("L", (16, 16), 255) for _ in range(201)]
    with pytest.raises(UnreadableDocument, match="超过200页"):
        scanned_pdf_to_document(scanwriter.to_image_pdf(pages), "scan.pdf")


def _read_notices(reading: Reading) -> list[str]:
    return [n.message for n in reading.notices if n.rule == "READ-OCR" and not n.cells]


def test_partly_scanned_pdf_reads_each_page_by_its_own_layer(ocr):
    """A typed first page and a scanned second one (the tables): each read by what it has."""
    report, pages = _pages("clean")
    assert len(pages) == 2
    mixed = scanwriter.mix_pdf(write_pdf(report), scanwriter.to_image_pdf(list(pages)), {1})
    reading = read_bytes(mixed, "mixed.pdf")
    assert not _wrong("clean", reading)
    assert any(m.startswith("本文件第2页是扫描图片，其文字由 OCR 识别") for m in _read_notices(reading))
    assert reading.places and any(p.startswith("第1页") for p in reading.places.values())


def test_page_numbers_over_a_scan_do_not_hide_it(ocr):
    """A portal's page numbers in real text over the scanned pages: the pages still go to OCR."""
    _, pages = _pages("clean")
    stamped = scanwriter.stamp_pdf(scanwriter.to_image_pdf(list(pages)))
    reading = read_bytes(stamped, "stamped.pdf")
    assert not _wrong("clean", reading)
    assert any("2页文字均由 OCR 识别" in m for m in _read_notices(reading))


@pytest.fixture
def no_ocr_extra(monkeypatch):
    """The OCR extra as if it were not installed."""
    from gongkai.readers.ocr.recognition import load_engine

    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    load_engine.cache_clear()
    yield
    load_engine.cache_clear()


def test_partly_scanned_pdf_without_the_extra_names_the_unread_pages(no_ocr_extra):
    """Without OCR the typed pages are read, and a warning names the scanned pages left out."""
    from PIL import Image

    report = clean_report_2021()
    blank = [Image.new("L", (1654, 2339), 255) for _ in range(2)]
    reading = read_bytes(
        scanwriter.mix_pdf(write_pdf(report), scanwriter.to_image_pdf(blank), {1}), "mixed.pdf"
    )
    (warning,) = [n for n in reading.notices if n.rule == "READ-OCR"]
    assert warning.severity.value == "warning"
    assert "第2页是扫描图片" in warning.message and "pip install 'gongkai[ocr]'" in warning.message
    assert reading.report.agency == report.agency and reading.report.agency  # page 1 was read


def test_scanned_pdf_without_the_extra_gives_one_message(no_ocr_extra):
    """A PDF of pictures only, without OCR: the extra's one-line message, not 「no text」."""
    from PIL import Image

    blank = [Image.new("L", (1654, 2339), 255) for _ in range(2)]
    with pytest.raises(UnreadableDocument) as caught:
        read_bytes(scanwriter.to_image_pdf(blank), "scan.pdf")
    assert "pip install 'gongkai[ocr]'" in str(caught.value) and "\n" not in str(caught.value)


@settings(max_examples=4, deadline=None)
@given(report=valid_reports(), noisy=st.booleans())
def test_random_reports_scanned_and_read_back(ocr, report, noisy):
    """Random valid reports (both layouts, big and blank cells), printed, scanned (clean or with
    noise) into an image-only PDF and read through the PDF reader: every cell read right or
    named in a finding, never wrong in silence."""
    pages = scanwriter.report_pages(report)
    if noisy:
        pages = [scanwriter.add_scan_noise(page, seed=n) for n, page in enumerate(pages)]
    reading = read_bytes(scanwriter.to_image_pdf(pages), "scan.pdf")
    got, want = report_cells(reading.report), report_cells(report)
    wrong = {key for key in got.keys() | want.keys() if got.get(key) != want.get(key)}
    assert {key for key in wrong if not _reported(key, reading)} == set()
    assert len(wrong) <= 0.05 * len(want)
