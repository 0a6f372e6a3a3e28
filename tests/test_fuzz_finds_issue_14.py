"""What the fuzzer found (tests/data/fuzz, issue 14): each input gives findings or one clear line —
no traceback, no Python exception named, no hang — through the path of ``gongkai check --jobs``.

Inputs whose fix waits for the split of the readers (issue 15) are marked ``xfail(strict=True)``: the
mark fails the suite the day the fix lands, so that it is taken off."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from gongkai.batch import CheckOptions, check_files_grouped

ROOT = Path(__file__).resolve().parents[1]
FINDS = ROOT / "tests" / "data" / "fuzz"
NOT_YET: dict[str, str] = {}  # input → why it still fails; every find so far is fixed
# One worker takes the module: its module-scoped fixture then runs once, not once per worker.
pytestmark = pytest.mark.xdist_group("fuzz-finds")


def _classify():
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz", module)
    spec.loader.exec_module(module)
    return module.classify_results


classify_results = _classify()
FILES = sorted(p for p in FINDS.glob("issue-14-*") if p.is_file())


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[dict]]:
    """Every input through the worker pool at once, as ``check --jobs 2`` reads them."""
    paths = [str(p) for p in FILES]
    return dict(zip(paths, check_files_grouped(paths, CheckOptions(seconds=10), jobs=2), strict=True))


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=p.name, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[p.name]))
        if p.name in NOT_YET
        else pytest.param(p, id=p.name)
        for p in FILES
    ],
)
def test_a_fuzzers_find_gives_findings_or_one_clear_line(outcomes, path: Path) -> None:
    failure = classify_results(outcomes[str(path)])
    assert failure is None, failure


@pytest.mark.ocr
def test_a_scan_of_specks_is_refused_before_the_model_reads_each_one() -> None:
    # The fuzzer's scan (seed 20261207, input 65813): 8,444 specks taken for text, each read by the
    # model, strips up to 11,000 pixels wide; ONNX Runtime ran out of the worker's memory (an
    # internal error then), and with room it took 50 s of a core. Kept apart from the files above,
    # which make check reads: this one needs the OCR engine.
    path = FINDS / "ocr-issue-14-noise-scan-8444-boxes.pdf"
    (outcome,) = check_files_grouped([str(path)], CheckOptions(seconds=60), jobs=1)
    assert classify_results(outcome) is None, outcome
    assert "第1页的扫描图像杂点过多（8,444 处疑似文字" in outcome[0]["error"]
