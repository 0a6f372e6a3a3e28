"""Every seed report reads to exactly its gold tables, and checks with no error."""

from __future__ import annotations

import pytest
from conftest import load_json, needs_seeds, seed_pairs

from gongkai.checks import check_reading, has_errors
from gongkai.model.report import TABLES, flatten, report_to_json
from gongkai.readers import read_path

PAIRS = seed_pairs()


def _gold_cells(gold: dict) -> dict:
    return flatten({t: gold[t] for t in TABLES})


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_reads_cell_exact(text, gold):
    """Every cell, the organ, the year and the layout equal the seed's exact JSON."""
    expected = load_json(gold)
    got = report_to_json(read_path(text).report)
    assert (got["format"], got["year"]) == (expected["format"], expected["year"])
    assert "".join(got["agency"].split()) == "".join(expected["agency"].split())
    wrong = {
        k: (v, _gold_cells(got).get(k))
        for k, v in _gold_cells(expected).items()
        if _gold_cells(got).get(k) != v
    }
    assert wrong == {}
    assert set(_gold_cells(got)) == set(_gold_cells(expected))


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_checks_without_error(text, gold):
    """The seeds are real, published, consistent reports: no error; warnings only where they fall short."""
    reading = read_path(text)
    findings = check_reading(reading)
    assert not has_errors(findings), [f.message for f in findings]
    assert reading.report.sections is not None
    assert all(getattr(reading.report.sections, k) is not None for k in ("overview", "problems", "other"))


@needs_seeds
def test_seed_002_warnings_are_the_real_shortcomings():
    """Seed 002 (2019 layout) prints an extra 处理决定数量 column over （八） and no unit for 采购总金额."""
    text = next(t for t, _ in PAIRS if t.name.startswith("002"))
    findings = check_reading(read_path(text))
    assert sorted((f.rule, f.severity.value, f.line) for f in findings) == [
        ("LAY-T2-PROC-UNIT", "warning", 46),
        ("LAY-T2-SHAPE", "warning", 43),
    ]


@needs_seeds
def test_seed_cells_know_their_source_line():
    """Each value keeps the line it came from, so a finding can point at the source."""
    text = next(t for t, _ in PAIRS if t.name.startswith("002"))
    reading = read_path(text)
    assert reading.origins["active.other_services.change"] == 36
    assert reading.origins["requests.new.total"] == 53
    assert reading.origins["appeals.suit_after_review.total"] == 82
    assert reading.report.active.other_services.change == -7
