"""Shared fixtures: the seed corpus (../shared/seeds) and clean reports of our own making."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings
from support.databases import scratch_database

from gongkai import clock
from gongkai import settings as process_settings
from gongkai.model import LAYOUT_2019, LAYOUT_2021, Sections, build_report

# The fixtures and helpers that tests in several folders share live in support/; their asserts
# report their values as a test module's do.
pytest.register_assert_rewrite("support.casefiles", "support.commands", "support.web")

# Property tests draw the same examples on every run of `make test` (CI passes or fails for the
# code, not for the draw); `make explore` draws new ones, run after run, to find what those miss
# (two reader bugs were found so; each is now an explicit @example).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("GONGKAI_HYPOTHESIS", "repeatable"))

# The suite passes on any day of the year: every test runs on a pinned day, never the real date, and
# the flows that depend on the date also run on the days around the turn of the year (issue 13):
# December before next year's calendar is entered, the last day of the year, the first working day
# of a year nobody has entered, and a day in the middle of a year.
SUITE_DAY = date(2026, 7, 15)  # a Wednesday in the middle of a year the calendar knows
TURN_OF_YEAR_DAYS = (date(2026, 12, 6), date(2026, 12, 31), date(2027, 1, 4), SUITE_DAY)


@pytest.fixture(scope="session", autouse=True)
def suite_day() -> Iterator[date]:
    """Today, for every test (and, through GONGKAI_TODAY, for every command a test starts)."""
    before = os.environ.get(clock.TODAY_VARIABLE)
    os.environ[clock.TODAY_VARIABLE] = SUITE_DAY.isoformat()
    with clock.pinned(SUITE_DAY):
        yield SUITE_DAY
    if before is None:
        os.environ.pop(clock.TODAY_VARIABLE, None)
    else:
        os.environ[clock.TODAY_VARIABLE] = before


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes() -> Iterator[None]:
    """Argon2 at its cheapest for the tests: the library's defaults (what gongkai uses) cost a tenth
    of a second of a core for each hash and each sign-in, and the web tests make six accounts each.
    A hash carries its own parameters, so verifying is the same code either way."""
    from argon2 import PasswordHasher

    from gongkai.store import accounts

    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts._dummy_hash.cache_clear()
    yield
    patch.undo()
    accounts._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each test starts and ends with the settings of the environment as it is then, as each
    command does (a test's ``monkeypatch.setenv`` is undone after it, and so are its settings)."""
    process_settings.reload()
    yield
    process_settings.reload()


@contextlib.contextmanager
def on_day(day: date) -> Iterator[date]:
    """Within the block, today is ``day``, for this process and the commands it starts."""
    before = os.environ.get(clock.TODAY_VARIABLE)
    os.environ[clock.TODAY_VARIABLE] = day.isoformat()
    try:
        with clock.pinned(day):
            yield day
    finally:
        if before is None:
            os.environ.pop(clock.TODAY_VARIABLE, None)
        else:
            os.environ[clock.TODAY_VARIABLE] = before


ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DATA = Path(__file__).resolve().parent / "data"


SECTION_ORDER = ["overview", "active", "requests", "appeals", "problems", "other"]


def seed_pairs() -> list[tuple[Path, Path]]:
    """(report text, exact tables JSON) for every seed, or [] when ../shared is absent."""
    if not SEEDS.is_dir():
        return []
    return [(txt, txt.with_suffix(".json")) for txt in sorted(SEEDS.glob("*.txt"))]


needs_seeds = pytest.mark.skipif(
    not seed_pairs(), reason=f"seed reports not found at {SEEDS} (../shared/seeds beside the project)"
)


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# A clean report, every identity holding, with something in most tables. Applicant columns:
# natural, commercial; outcomes spread over several rows so that one-cell changes can be
# made to break exactly one identity.
_REQUESTS = {
    "new": {"natural": 5, "commercial": 2},
    "carried_in": {"natural": 1, "commercial": 1},
    "granted": {"natural": 3, "commercial": 1},
    "partial": {"natural": 1},
    "withheld.third_party": {"natural": 1},
    "unavailable.not_held": {"commercial": 1},
    "total": {"natural": 5, "commercial": 2},
    "carried_over": {"natural": 1, "commercial": 1},
}
OVERVIEW = (
    "2024年，本局认真贯彻《中华人民共和国政府信息公开条例》。（一）主动公开：全年主动公开信息120条。"
    "（二）依申请公开：本年共收到政府信息公开申请7件，均在法定期限内答复。（三）政府信息管理：落实保密审查。"
    "（四）政府信息公开平台建设：完善门户网站专栏。（五）监督保障：开展社会评议，未发生责任追究情况。"
)


def clean_cells(fmt: str, other_row: str) -> dict:
    layout = LAYOUT_2021 if fmt == "2021" else LAYOUT_2019
    cells: dict = dict.fromkeys(layout.cell_keys, 0)
    rows = dict(_REQUESTS)
    rows[other_row] = {"commercial": 1}
    rows["granted"] = {"natural": 3}  # commercial's 2 concluded: not_held + other row
    for row, cols in rows.items():
        for col, value in cols.items():
            cells[f"requests.{row}.{col}"] = value
        cells[f"requests.{row}.total"] = sum(cols.values())
    cells["appeals.review.upheld"] = 1
    cells["appeals.review.total"] = 1
    return cells


def clean_report_2021(**changes):
    """A clean 2021-layout report; ``changes`` maps full cell keys to new values."""
    cells = clean_cells("2021", "other.no_correction")
    cells.update(
        {
            "active.normative.issued": 2,
            "active.normative.repealed": 1,
            "active.normative.in_force": 10,
            "active.licensing.decisions": 30,
            "active.fees.amount": 0.5,
        }
    )
    cells.update(changes)
    return build_report(
        "2021",
        cells,
        agency="示例市科学技术局",
        year=2024,
        sections=Sections(
            overview=OVERVIEW,
            active="",
            requests="",
            appeals="本年度被申请行政复议1件，结果维持。",
            problems="存在信息更新不够及时的问题。下一步将加强审核，改进发布流程。",
            other="本年度未发出收费通知，未收取信息处理费。",
        ),
    )


def clean_report_2019(**changes):
    """A clean 2019-layout report; ``changes`` maps full cell keys to new values."""
    cells = clean_cells("2019", "other")
    cells.update(
        {
            "active.normative.made": 3,
            "active.normative.published": 3,
            "active.normative.total": 40,
            "active.licensing.previous": 12,
            "active.licensing.change": -2,
            "active.licensing.decisions": 300,
            "active.procurement.projects": 4,
            "active.procurement.amount": 251000,
        }
    )
    cells.update(changes)
    return build_report(
        "2019",
        cells,
        agency="示例区民政局",
        year=2020,
        sections=Sections(
            overview=OVERVIEW.replace("2024", "2020"),
            active="",
            requests="",
            appeals="本年度被申请行政复议1件，结果维持。",
            problems="存在信息更新不够及时的问题。下一步将加强审核，改进发布流程。",
            other="无。",
        ),
    )


# --- the store, on SQLite and on PostgreSQL ---------------------------------------------------------
# PostgreSQL: GONGKAI_TEST_DATABASE_URL, else the server CI machines run on 127.0.0.1:5432 (database
# test, trust auth); `make test` starts a throwaway server when neither answers (scripts/with-postgres).
# Each test gets a schema of its own, dropped afterwards.
POSTGRES_URL = os.environ.get(
    "GONGKAI_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used for the tests, or None when it can."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # no server, no driver, bad URL
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__}); set GONGKAI_TEST_DATABASE_URL"
    return None


@pytest.fixture(scope="session")
def postgres_unavailable() -> str | None:
    return _postgres_unavailable()


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path, postgres_unavailable: str | None) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file in ``folder``, or a schema of its own on
    PostgreSQL (dropped afterwards); skips with the reason when PostgreSQL cannot be used."""
    if kind != "sqlite" and postgres_unavailable:
        pytest.skip(postgres_unavailable)
    # Unique across the xdist workers (PYTEST_XDIST_WORKER: gw0, gw1, …) and runs sharing the server;
    # the worker's name says whose schema a leftover is.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    server = None if kind == "sqlite" else POSTGRES_URL
    with scratch_database(server, folder, f"gk_test_{worker}") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path, postgres_unavailable: str | None):
    """A fresh, empty database URL: a SQLite file, or a schema of its own on PostgreSQL."""
    with fresh_database(request.param, tmp_path, postgres_unavailable) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file migrated to the head revision, once per session (per xdist worker)."""
    from gongkai.store.db import open_store

    path = tmp_path_factory.mktemp("migrated") / "gongkai.db"
    open_store(f"sqlite:///{path}").kw["bind"].dispose()  # the last connection folds the WAL in
    return path


@pytest.fixture
def store(request, database_url: str):
    """A session factory on an up-to-date database; its engine is disposed afterwards.

    On SQLite the database starts as a copy of :func:`migrated_sqlite` (the migrations run once per
    session rather than for each of some 300 tests); ``database_url`` alone stays an empty database.
    """
    from gongkai.store.db import open_store

    if database_url.startswith("sqlite:///"):
        target = Path(database_url.removeprefix("sqlite:///"))
        if not target.exists():
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), target)
    factory = open_store(database_url)
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def scanned_report() -> bytes:
    """A clean report printed and scanned: two pages of pictures in a PDF, read by OCR."""
    pytest.importorskip(
        "rapidocr_onnxruntime", reason="the OCR extra is not installed: pip install 'gongkai[ocr]'"
    )
    from support import scanwriter

    if not scanwriter.has_cjk_font():
        pytest.skip(f"no CJK font at {scanwriter.CJK_FONT_FILE} to draw the scan with")
    return scanwriter.to_image_pdf(list(scanwriter.report_pages(clean_report_2021(), scanwriter.DPI)))


# --- marks: the slow tests, which `make check` leaves to `make test` --------------------------------
# A test is `slow` when it carries any of the marks below (registered in pyproject.toml). Marked here:
# `postgresql` for the PostgreSQL half of the tests parametrized by database (named "postgresql"),
# `property` for Hypothesis tests, `ocr` for the tests asking for the `ocr` fixture. By hand: `ocr`, `office`, `browser` (module `pytestmark` or the test),
# and `property` where a test runs an inner @given. The guard below keeps `office` and `ocr` true: a
# test that starts LibreOffice or the OCR engine in this process without its mark fails at teardown.
SLOW_MARKS = ("ocr", "office", "browser", "postgresql", "property")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "ocr" in getattr(item, "fixturenames", ()):  # test_ocr_reader's fixture: the OCR reader
            item.add_marker(pytest.mark.ocr)
        params = getattr(item, "callspec", None)
        if params is not None and "postgresql" in params.params.values():
            item.add_marker(pytest.mark.postgresql)
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)
        if any(item.get_closest_marker(name) for name in SLOW_MARKS):
            item.add_marker(pytest.mark.slow)


_heavy_starts: list[str] = []  # what the running test started: "office", "ocr"


def _recording(kind: str, function):
    def recorded(*args, **kwargs):
        _heavy_starts.append(kind)
        return function(*args, **kwargs)

    recorded.__wrapped__ = function
    return recorded


def _install_guard() -> None:
    from gongkai import office

    office.run_soffice = _recording("office", office.run_soffice)
    from gongkai.readers.ocr import reader as ocr_reader

    if hasattr(ocr_reader, "read_page"):
        ocr_reader.read_page = _recording("ocr", ocr_reader.read_page)
    else:  # moved: point the guard at the function that reads one page image
        warnings.warn(
            "tests/conftest.py: gongkai.readers.ocr.reader.read_page is gone; OCR is unguarded", stacklevel=2
        )


_install_guard()


@pytest.fixture(autouse=True)
def _marks_are_true(request) -> Iterator[None]:
    """Fail a test that starts LibreOffice or OCR here without the `office` or `ocr` mark, so that
    `make check` (which leaves out the slow marks) stays quick as tests are added."""
    _heavy_starts.clear()
    yield
    missing = sorted({kind for kind in _heavy_starts if request.node.get_closest_marker(kind) is None})
    _heavy_starts.clear()
    if missing:
        pytest.fail(
            f"this test starts {' and '.join(missing)} but is not marked so: add "
            + ", ".join(f"@pytest.mark.{kind}" for kind in missing)
            + " (make check leaves those to make test)",
            pytrace=False,
        )
