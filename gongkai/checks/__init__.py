"""Checks: rules that judge a report and return findings, never stopping at the first.

Rules live by theme: :mod:`arithmetic` (T2-*, T3-*, T4-*), :mod:`layout` (LAY-*),
:mod:`narrative` (SEC-*, X-*), :mod:`years` (XY-*: a report against the organ's previous year's). Each declares id, severity, clause and cells once
(:func:`gongkai.checks.engine.rule`); ``gongkai rules`` prints the catalogue from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from gongkai.checks import arithmetic, layout, narrative, years  # noqa: F401  (registers the rules)
from gongkai.checks.engine import RULES, CheckContext, Rule, run_rules
from gongkai.checks.years import YearPair, check_years, year_pairs
from gongkai.model.layouts import Format
from gongkai.model.reading import Reading
from gongkai.model.report import Finding, Report2019, Report2021, Severity

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check_report(
    report: Report2021 | Report2019,
    *,
    published: date | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Findings for a report given as canonical JSON (no source: layout checks are skipped)."""
    return run_rules(CheckContext(report, published=published), select=select, ignore=ignore)


def check_reading(
    reading: Reading,
    *,
    published: date | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Findings for a report read from a document: reading notices first, then every rule."""
    mixed = None
    if reading.decision.mixed:
        prints = reading.evidence.fingerprints
        mixed = ([p for p, _ in prints[Format.F2019]], [p for p, _ in prints[Format.F2021]])
    ctx = CheckContext(
        reading.report,
        evidence=reading.evidence,
        sections=reading.sections,
        origins=reading.origins,
        mixed_format=mixed,
        published=published,
        cells=reading.cells,
    )
    notices = [
        n for n in reading.notices if (not select or n.rule in set(select)) and n.rule not in set(ignore)
    ]
    findings = notices + run_rules(ctx, select=select, ignore=ignore)
    if reading.places:
        findings = [
            f.model_copy(update={"place": reading.places[f.line]}) if f.line in reading.places else f
            for f in findings
        ]
    return findings


def report_to_findings(report: Report2021 | Report2019) -> list[Finding]:
    """:func:`check_report`'s findings, errors first: what a writer lists beside the report."""
    return sorted(check_report(report), key=lambda f: SEVERITY_ORDER[f.severity])


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


def report_context(report: Report2021 | Report2019) -> CheckContext:
    """What the rules see of a report given as canonical JSON."""
    return CheckContext(report)


__all__ = [
    "RULES",
    "Rule",
    "YearPair",
    "check_reading",
    "check_report",
    "check_years",
    "has_errors",
    "report_context",
    "report_to_findings",
    "year_pairs",
]
