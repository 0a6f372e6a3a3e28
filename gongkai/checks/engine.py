"""The check engine: rules declared once with their metadata, run all, always a report.

A rule is a function that yields :class:`Issue` values; the engine turns them into
findings, filling in the rule's id, severity, clause and the source line of the cells.
A rule that crashes becomes a finding too: a half-broken report is still judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from gongkai.model.layouts import LAYOUTS, Format, Layout
from gongkai.model.reading import SectionReading, TableEvidence
from gongkai.model.report import Cell, Finding, Report2019, Report2021, Severity, report_cells


@dataclass(frozen=True)
class Issue:
    """What a rule yields: the engine adds rule id, clause and line."""

    message: str
    cells: tuple[str, ...] = ()
    expected: Cell | str = None
    found: Cell | str = None
    severity: Severity | None = None  # only when a finding is milder than its rule (spec'd cases)
    line: int | None = None


@lru_cache(maxsize=16)
def _keys_by_table(keys: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """The keys of each table (``active``, ``requests``, ``appeals``), in the order given.

    Worked out once per set of keys (a layout's, give or take the one-row （六）), not once per
    report: rules that read one table go straight to its keys instead of testing every cell's.
    """
    tables: dict[str, list[str]] = {}
    for key in keys:
        table, dot, _ = key.partition(".")
        if dot:
            tables.setdefault(table, []).append(key)
    return MappingProxyType({table: tuple(found) for table, found in tables.items()})  # shared: read-only


@dataclass
class CheckContext:
    """Everything a rule may look at. Reader-only parts are ``None`` for a report from JSON."""

    report: Report2021 | Report2019
    evidence: TableEvidence | None = None
    sections: SectionReading | None = None
    origins: dict[str, int] = field(default_factory=dict)
    mixed_format: tuple[list[str], list[str]] | None = None  # fingerprints (2019, 2021) when mixed
    published: date | None = None
    cells: dict[str, Cell] = field(default_factory=dict)  # flat cells when the reader has them
    # What several rules read, worked out by the first of them that needs it (table 三 as numbers)
    shared: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.cells = self.cells or report_cells(self.report)
        self.format = Format(self.report.format)
        self.layout: Layout = LAYOUTS[self.format]
        # A 2021 report printing （六）其他处理 as one row keeps it so (report-json.md).
        self.single_other_row = "requests.other.natural" in self.cells
        self._table_keys = _keys_by_table(tuple(self.cells))

    def table_keys(self, table: str) -> tuple[str, ...]:
        """The keys of ``cells`` that belong to ``table`` (``requests.new.total``…), in their order."""
        return self._table_keys.get(table, ())

    def value(self, key: str) -> Cell:
        """A cell's value (``None`` when blank or absent)."""
        return self.cells.get(key)

    def line_of(self, fragment: str | None = None, section: str | None = None) -> int | None:
        """Source line of a quoted text fragment, else of a section's heading (when read from a document)."""
        if self.sections is None:
            return None
        found = self.sections.line_of(fragment) if fragment else None
        return found or (self.sections.lines.get(section) if section else None)

    def text(self, section: str) -> str | None:
        """The text of a section (``overview`` … ``other``), ``None`` when absent."""
        return getattr(self.report.sections, section, None) if self.report.sections else None


RuleFunction = Callable[[CheckContext], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """A check: stable id, severity, what it protects and the clause it enforces."""

    id: str
    severity: Severity
    title: str
    clause: str
    cells: str  # which cells it reads, in words or a path pattern
    formats: tuple[Format, ...] = (Format.F2019, Format.F2021)
    needs_source: bool = False  # only for reports read from a document (layout evidence)
    function: RuleFunction | None = None
    # judges a report against the organ's previous year's (checks/years.py), not a report alone
    across_years: bool = False


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    severity: Severity,
    title: str,
    clause: str,
    cells: str,
    *,
    formats: tuple[Format, ...] = (Format.F2019, Format.F2021),
    needs_source: bool = False,
    across_years: bool = False,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under its metadata."""

    def register(function: RuleFunction) -> RuleFunction:
        if id in RULES:
            raise ValueError(f"rule id {id} registered twice")
        RULES[id] = Rule(id, severity, title, clause, cells, formats, needs_source, function, across_years)
        _runnable.cache_clear()  # (rules are registered at import, before any is run)
        return function

    return register


def _line(ctx: CheckContext, issue: Issue) -> int | None:
    if issue.line is not None:
        return issue.line
    return next((ctx.origins[c] for c in issue.cells if c in ctx.origins), None)


def rule_findings(r: Rule, subject: object, ctx: CheckContext) -> list[Finding]:
    """The findings of rule ``r`` on ``subject`` (a report's context, or a pair of them), lines
    taken from ``ctx``. A rule that crashes is an error finding: a broken rule must not hide the
    others' findings, and the report could not be fully judged (CI tests fail on it)."""
    found: list[Finding] = []
    try:
        for issue in r.function(subject):  # type: ignore[arg-type, misc]
            found.append(
                Finding(
                    rule=r.id,
                    severity=issue.severity or r.severity,
                    cells=list(issue.cells),
                    message=issue.message,
                    expected=issue.expected,
                    found=issue.found,
                    line=_line(ctx, issue),
                    clause=r.clause,
                )
            )
    except Exception as exc:
        found.append(
            Finding(
                rule=r.id,
                severity=Severity.ERROR,
                message=f"检查规则 {r.id} 未能完成（{type(exc).__name__}: {exc}），请向 gongkai 报告此问题",
            )
        )
    return found


def chosen_rules(
    select: Iterable[str] | None, ignore: Iterable[str], *, across_years: bool
) -> tuple[Rule, ...]:
    """The rules of one kind (a report's own, or across years) that ``select`` names (all when
    None or empty) and ``ignore`` does not."""
    chosen, skipped = set(select or ()), set(ignore)
    return tuple(
        r
        for r in RULES.values()
        if r.across_years is across_years and (not chosen or r.id in chosen) and r.id not in skipped
    )


@lru_cache(maxsize=64)
def _runnable(
    fmt: Format, with_source: bool, select: frozenset[str], ignore: frozenset[str]
) -> tuple[Rule, ...]:
    """A report's own rules that apply to its format (and need no source it lacks), as chosen.

    Worked out once for each such combination, not once per report.
    """
    return tuple(
        r
        for r in chosen_rules(select, ignore, across_years=False)
        if fmt in r.formats and (with_source or not r.needs_source)
    )


def run_rules(
    ctx: CheckContext,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Run every applicable rule (or those in ``select``), never stopping at the first finding."""
    findings: list[Finding] = []
    for r in _runnable(ctx.format, ctx.evidence is not None, frozenset(select or ()), frozenset(ignore)):
        findings += rule_findings(r, ctx, ctx)
    return findings
