"""The mutation fuzzer of ``make explore`` (bench/fuzz.py, issue 14): it covers every form, makes
the same inputs for the same seed, and tells a defect from a clean refusal."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_fuzz() -> Any:
    # bench/ is a folder of scripts, not a package: load the file as a module.
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz"] = module
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()
# One worker takes the module: its module-scoped fixture then runs once, not once per worker.
pytestmark = pytest.mark.xdist_group("fuzz-corpus")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quick corpus (one seed, no LibreOffice), built once for the module."""
    folder = tmp_path_factory.mktemp("corpus")
    fuzz.corpus_in_child(fuzz.SEEDS, folder, scans=True, quick=True)
    return folder


def test_a_round_checks_every_form(corpus: Path, tmp_path: Path) -> None:
    """A round of 100 inputs of a fixed seed reaches the workers in every form, scans included.

    A 10 s limit per input keeps the test short even if an input hangs (a hang is reported, and
    the defects themselves are what ``make explore`` is for, not this test)."""
    summary = fuzz.fuzz(
        100, 14, 2, list(fuzz.FORMS), tmp_path / "failures", corpus_folder=corpus, seconds=10, origins=False
    )
    assert set(summary.per_form) == set(fuzz.FORMS)
    assert summary.total == 100 and summary.seconds > 0 and summary.peak_mb > 0
    assert sum(summary.refused.values()) > 0  # the mutations do break inputs
    assert summary.lines()[0].startswith("100 inputs in ")
    for item, failure, _ in summary.record.kept.values():  # each kept failure is on disk, indexed
        assert (tmp_path / "failures" / summary.record._name(item, failure)).exists()


def test_the_same_seed_makes_the_same_inputs(corpus: Path) -> None:
    """Input *i* of seed *s* is the same bytes on every run, so a failure can be made again."""
    samples = fuzz.read_corpus(corpus)
    order = fuzz.weighted_forms(fuzz.FORMS)
    first = [fuzz.make_input(i, 7, order, samples) for i in range(40)]
    again = [fuzz.make_input(i, 7, order, samples) for i in range(40)]
    other = [fuzz.make_input(i, 8, order, samples) for i in range(40)]
    assert [x.data for x in first] == [x.data for x in again]
    assert [x.data for x in first] != [x.data for x in other]
    assert set(order) == set(fuzz.FORMS) and len(order) == sum(fuzz.FORM_WEIGHTS.values())


@pytest.mark.parametrize(
    ("results", "kind"),
    [
        ([{"file": "a.txt", "agency": "某局", "year": 2024, "format": "2021", "findings": []}], None),
        ([{"file": "a.txt", "error": "a.txt: 不是年度报告（没有找到表格）"}], None),
        ([{"file": "a.xlsx", "error": "a.xlsx: XLSX 文件已损坏，无法读取（BadZipFile）"}], None),
        (
            [{"file": "a.xlsx", "error": "a.xlsx: XLSX 文件已损坏，无法读取（KeyError）"}],
            "refusal-names-exception",
        ),
        (
            [{"file": "a.pdf", "error": "a.pdf: RecursionError: maximum recursion depth"}],
            "refusal-names-exception",
        ),
        ([{"file": "a.pdf", "error": "a.pdf: 读取和检查超过30秒，已停止（可用 --timeout 放宽）"}], "hang"),
        ([{"file": "a.pdf", "error": "a.pdf: 读取超过30秒，已停止（可用 --timeout 放宽）"}], "hang"),
        ([{"file": "a.pdf", "error": "a.pdf: 读取进程意外退出（被信号 11 终止），可能是…"}], "memory"),
        (
            [{"file": "a.pdf", "error": "a.pdf: 内部错误（KeyError: 'x'），请报告此问题"}],
            "refusal-names-exception",
        ),
        (
            [{"file": "a.pdf", "error": "a.pdf: 读取时内存超过1024 MB，已停止（可用 --memory 放宽）"}],
            "memory",
        ),
        ([], "bad-result"),
        ([{"file": "a.txt"}], "bad-result"),
    ],
)
def test_results_are_classified(results: list[dict[str, Any]], kind: str | None) -> None:
    """Findings and clean refusals pass; a leaked exception name, a timeout or memory refusal and a
    malformed result are defects."""
    failure = fuzz.classify_results(results)
    assert (failure.kind if failure else None) == kind


class _RemoteTraceback(Exception):
    """What ProcessPoolExecutor chains to an exception from a worker: the worker's traceback."""


def test_an_exception_is_pinned_on_its_input_and_the_rest_still_checked(tmp_path: Path) -> None:
    """``check_files_grouped`` raising (as a worker's traceback does) is a defect of the one input
    that raises it, with the worker's file and line; the inputs after it are checked all the same."""
    paths = [str(tmp_path / f"{i:03d}.txt") for i in range(30)]
    bad = paths[13]

    def check(batch: list[str], options: Any, jobs: int | None = None) -> Iterator[list[dict[str, Any]]]:
        for start in range(0, len(batch), 4):  # results come in chunks of 4, as from pool.map
            chunk = batch[start : start + 4]
            if bad in chunk:
                exc = KeyError("rowspan")
                exc.__cause__ = _RemoteTraceback(
                    '\n"""\nTraceback (most recent call last):\n'
                    '  File "/srv/gongkai/readers/html/reader.py", line 321, in _place\n'
                    '    grid[r][c] = cell\nKeyError: \'rowspan\'\n"""'
                )
                raise exc
            for path in chunk:
                yield [{"file": path, "error": f"{path}: 不是年度报告"}]

    watchdog = fuzz.Watchdog(stall_seconds=600)
    try:
        runner = fuzz.Runner(
            options=None, jobs=2, anchor=tmp_path / "anchor.txt", check=check, watchdog=watchdog
        )
        outcomes = runner.run(paths)
    finally:
        watchdog.stop()
    assert len(outcomes) == len(paths)
    failures = [(i, failure) for i, (failure, _) in enumerate(outcomes) if failure is not None]
    assert [i for i, _ in failures] == [13]
    failure = failures[0][1]
    assert (failure.kind, failure.exception) == ("traceback", "KeyError")
    assert failure.where == "gongkai/readers/html/reader.py:321 (_place)"
    assert all(refused for i, (_, refused) in enumerate(outcomes) if i != 13)
