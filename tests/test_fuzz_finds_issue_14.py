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
