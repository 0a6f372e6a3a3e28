"""DOC, Kingsoft WPS, RTF and ODT read through LibreOffice headless (issue 3).

The files are the DOCX of ``write_docx`` saved by LibreOffice as DOC, RTF and ODT (one LibreOffice
run per form); each is then read back through :func:`gongkai.readers.read_bytes`, which converts it
to DOCX again. Reading is done once for all tests, several files at a time, which also shows that
parallel conversions (each with its own profile) do not collide.
"""

from __future__ import annotations

import http.server
import io
import os
import signal
import subprocess
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from conftest import SECTION_ORDER, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import HealthCheck, Phase, find, settings
from support.htmlwriter import write_paragraph_docx
from support.officewriter import convert_all, write_office
from support.readback import assert_reads_back_clean
from support.strategies import valid_reports
from support.textwriter import write_tab_text

from gongkai import office
from gongkai import settings as process_settings
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, read_bytes, sniff_form
from gongkai.readers.office import convert

FORMS = ["doc", "rtf", "odt"]
PAIRS = seed_pairs()
SEEDS = {gold.stem[:3]: gold for _, gold in PAIRS}
# One xdist worker converts the files (the session fixtures below), not each of them.
pytestmark = [pytest.mark.office, pytest.mark.xdist_group("office-reader")]
needs_soffice = pytest.mark.skipif(
    convert.find_soffice() is None,
    reason="LibreOffice (soffice) not found: apt install libreoffice-writer-nogui (make test does it as root)",
)


def _cells(report: Any) -> list[Any]:
    return list(report_cells(report).values())


def _random_reports() -> dict[str, Any]:
    """Two random reports, one per layout, busier than the seeds: blank cells and a decimal fee
    total (2021), a negative 本年增/减 (2019). Derandomized and never shrunk: the same on every run.
    """
    fixed = settings(
        database=None,
        derandomize=True,
        max_examples=1000,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )

    def busy(report: Any) -> bool:
        return sum(1 for v in _cells(report) if v) >= 30

    return {
        "r2021": find(
            valid_reports("2021", blank_zeros=("requests", "appeals")),
            lambda r: (
                busy(r) and None in _cells(r) and any(isinstance(v, float) and v != int(v) for v in _cells(r))
            ),
            settings=fixed,
        ),
        "r2019": find(
            valid_reports("2019"),
            lambda r: busy(r) and any(v is not None and v < 0 for v in _cells(r)),
            settings=fixed,
        ),
    }


RANDOM = ["r2021", "r2019"]


@pytest.fixture(scope="session")
def reports() -> dict[str, Any]:
    """The reports under test by name: each seed's exact tables, and the two random ones."""
    return {**{name: report_from_json(load_json(gold)) for name, gold in SEEDS.items()}, **_random_reports()}


@pytest.fixture(scope="session")
def office_files(reports, tmp_path_factory) -> dict[tuple[str, str], bytes]:
    """Every report as DOC, RTF and ODT: ``{(name, form): bytes}``."""
    return write_office(reports, FORMS, tmp_path_factory.mktemp("office"))


@pytest.fixture(scope="session")
def readings(office_files) -> dict[tuple[str, str], Any]:
    """The files the tests read, through ``read_bytes``, four at a time: ``{(name, form): reading}``.

    Seeds in every form, the random reports as DOC (each read costs a LibreOffice start, and the
    forms differ only in LibreOffice's import); ``(r2021, wps)`` is that DOC read as ``report.wps``.
    An exception is kept as the result, raised again by the test of that file.
    """
    files = {key: data for key, data in office_files.items() if key[0] in SEEDS or key[1] == "doc"}
    files[("r2021", "wps")] = office_files[("r2021", "doc")]

    def read(item: tuple[tuple[str, str], bytes]) -> Any:
        (name, form), data = item
        try:
            return read_bytes(data, f"{name}.{form}" if form != "wps" else "report.wps")
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(files, pool.map(read, files.items()), strict=True))


def _reading(readings, name: str, form: str) -> Any:
    result = readings[(name, form)]
    if isinstance(result, Exception):
        raise result
    return result


@needs_soffice
@needs_seeds
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", list(SEEDS))
def test_seed_tables_read_cell_exact(readings, reports, name, form):
    """Each seed's exact tables, saved as DOC, RTF and ODT, read back cell-exact."""
    assert report_cells(_reading(readings, name, form).report) == report_cells(reports[name])


@needs_soffice
@pytest.mark.parametrize("name", RANDOM)
def test_random_reports_read_back_from_doc(readings, reports, name):
    """Busier random reports of both layouts, as DOC, read back equal, with all six sections and no error."""
    reading, report = _reading(readings, name, "doc"), reports[name]
    assert_reads_back_clean(reading, report)


@needs_soffice
@needs_seeds
@pytest.mark.parametrize("name", list(SEEDS))
def test_doc_reads_agency_year_and_sections(readings, reports, name):
    """A seed as DOC: its agency and year from the title, and all six section headings in order."""
    reading, report = _reading(readings, name, "doc"), reports[name]
    assert (reading.report.agency, reading.report.year, reading.report.format) == (
        report.agency,
        report.year,
        report.format,
    )
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER


@needs_soffice
def test_wps_name_reads_as_doc(office_files, readings, reports):
    """A .doc saved as ``report.wps`` reads the same: the form is told by content, not the name.

    No real Kingsoft WPS file could be produced here (WPS Office does not run on this machine). A
    WPS 文字 file in the Word-compatible format is an OLE compound file like DOC, which is what the
    sniffing relies on and what LibreOffice's Word 97 filter reads.
    """
    assert sniff_form(office_files[("r2021", "doc")]) == "doc"
    reading = _reading(readings, "r2021", "wps")
    assert reading.source == "report.wps"
    assert report_cells(reading.report) == report_cells(reports["r2021"])


@needs_soffice
@pytest.mark.parametrize("damage", ["truncated", "junk"])
def test_damaged_doc_is_refused_clearly(office_files, damage):
    """A truncated DOC, or OLE magic followed by junk, is refused with one plain sentence.

    LibreOffice's own detection would import the junk as plain text; the forced Word filter does not.
    """
    doc = office_files[("r2019", "doc")]
    data = doc[: len(doc) // 3] if damage == "truncated" else doc[:8] + b"\x00junk\xff" * 4000
    with pytest.raises(UnreadableDocument, match="LibreOffice 无法打开这个 DOC/WPS 文件") as caught:
        read_bytes(data, f"{damage}.doc")
    assert "另存为 DOCX" in str(caught.value)


def test_missing_libreoffice_says_how_to_install(monkeypatch, tmp_path):
    """With no LibreOffice anywhere, the message names the package and the DOCX way out."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(convert.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(convert, "KNOWN_PLACES", ())
    assert convert.find_soffice() is None
    with pytest.raises(UnreadableDocument) as caught:
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "report.doc")
    message = str(caught.value)
    for part in (
        "LibreOffice",
        "apt install libreoffice-writer-nogui",
        "Windows",
        "DOCX",
        convert.ENV_VARIABLE,
    ):
        assert part in message
    assert "\n" not in message


@pytest.mark.skipif(os.name == "nt", reason="uses a POSIX shell script as a stand-in executable")
def test_environment_variable_names_soffice(monkeypatch, tmp_path):
    """``GONGKAI_SOFFICE`` wins over PATH; then ``soffice``, then ``libreoffice`` on PATH."""
    on_path, elsewhere = tmp_path / "bin", tmp_path / "opt"
    for folder, names in ((on_path, ["libreoffice"]), (elsewhere, ["my-soffice"])):
        folder.mkdir()
        for name in names:
            (folder / name).write_text("#!/bin/sh\nexit 0\n")
            (folder / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(on_path))
    monkeypatch.setattr(convert, "KNOWN_PLACES", ())
    monkeypatch.delenv(convert.ENV_VARIABLE, raising=False)
    process_settings.reload()  # as a command does when it starts
    assert convert.find_soffice() == str(on_path / "libreoffice")
    monkeypatch.setenv(convert.ENV_VARIABLE, str(elsewhere / "my-soffice"))
    process_settings.reload()
    assert convert.find_soffice() == str(elsewhere / "my-soffice")
    monkeypatch.setenv(convert.ENV_VARIABLE, str(elsewhere / "missing"))
    process_settings.reload()
    assert convert.find_soffice() == str(on_path / "libreoffice")


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").is_file(), reason="looks at LibreOffice's processes through /proc (Linux)"
)


def _group(pgid: int) -> list[str]:
    """The names of the live (not zombie) processes in a process group."""
    names = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 1 :].split()
        if int(rest[2]) == pgid and rest[0] not in "ZX":
            names.append(name)
    return names


class _Conversion:
    """Watches the LibreOffice run ``convert`` starts, and holds it until soffice.bin is running.

    The time limit then strikes while the launcher's child is alive, which is what it must kill.
    ``when_running`` is called at that moment, before ``convert`` waits.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, when_running: Any = None) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.seen: list[str] = []
        real_popen, real_wait = subprocess.Popen, office._wait

        def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
            process = real_popen(*args, **kwargs)
            self.processes.append(process)
            return process

        def wait(process: subprocess.Popen[bytes], seconds: float) -> None:
            deadline = time.monotonic() + 30
            while "soffice.bin" not in self.seen and time.monotonic() < deadline:
                self.seen = _group(process.pid)
                time.sleep(0.02)
            if when_running:
                when_running()
            real_wait(process, seconds)

        monkeypatch.setattr(office.subprocess, "Popen", popen)
        monkeypatch.setattr(office, "_wait", wait)

    def assert_all_gone(self) -> None:
        """soffice.bin was running, nothing of its group is left, and the private directory is removed."""
        assert len(self.processes) == 1
        assert "soffice.bin" in self.seen, f"soffice.bin never started; the group held {self.seen}"
        process = self.processes[0]
        assert process.returncode == -signal.SIGKILL  # killed mid-run, not waited for, and reaped
        time.sleep(0.2)  # SIGKILL is immediate; a survivor would still be here
        assert _group(process.pid) == [], "a LibreOffice process outlived the conversion"
        profile = next(a for a in process.args if a.startswith("-env:UserInstallation="))
        workdir = Path(unquote(profile.removeprefix("-env:UserInstallation=file://"))).parent
        assert workdir.name.startswith("gongkai-office-")
        assert not workdir.exists()


@needs_soffice
@needs_proc
def test_timeout_kills_libreoffice(office_files, monkeypatch):
    """Past the time limit: one clear sentence, and no LibreOffice process or temp dir left behind."""
    conversion = _Conversion(monkeypatch)
    monkeypatch.setattr(convert, "TIMEOUT_SECONDS", 0.01)
    with pytest.raises(UnreadableDocument, match=r"超过 0\.01 秒仍未完成") as caught:
        read_bytes(office_files[("r2021", "doc")], "slow.doc")
    assert "另存为 DOCX" in str(caught.value)
    conversion.assert_all_gone()


class _Expired(Exception):
    pass


@needs_soffice
@needs_proc
def test_caller_time_limit_kills_libreoffice(office_files, monkeypatch):
    """An exception raised by the caller's SIGALRM (the batch time limit) passes through unchanged,
    after LibreOffice's whole process group is killed and the temp dir removed."""

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    conversion = _Conversion(monkeypatch, when_running=lambda: signal.setitimer(signal.ITIMER_REAL, 0.05))
    previous = signal.signal(signal.SIGALRM, expire)
    try:
        with pytest.raises(_Expired):
            convert.office_to_docx(office_files[("r2021", "odt")], "odt", "report.odt")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    conversion.assert_all_gone()


@needs_soffice
def test_document_cannot_reach_the_network(tmp_path):
    """An ODT whose picture is linked to a web address converts without LibreOffice fetching it.

    (With a default profile LibreOffice does fetch it while loading.)
    """
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/picture.png"
        convert.office_to_docx(_odt_with_linked_picture(url), "odt", "linked.odt")
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


def _odt_with_linked_picture(url: str) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        "<office:body><office:text><text:p>图片："
        '<draw:frame draw:name="p" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        "</draw:frame></text:p></office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")  # first and stored
        package.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        package.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@needs_soffice
@pytest.mark.parametrize("form", ["doc", "rtf"])
def test_a_word_file_whose_tables_are_paragraphs_reads_as_its_text(form, tmp_path) -> None:
    """A text report saved as Word 97 or RTF (issue 16): its tables are tab-aligned paragraphs,
    which LibreOffice keeps as such; the file reads cell-exact, as the text does, with a warning."""
    report = clean_report_2021()
    source = tmp_path / "report.docx"
    source.write_bytes(write_paragraph_docx(write_tab_text(report)))
    (data,) = convert_all([source], form, tmp_path).values()
    reading = read_bytes(data, f"report.{form}")
    assert report_cells(reading.report) == report_cells(report)
    assert "READ-PARAGRAPH-TABLE" in {n.rule for n in reading.notices}
