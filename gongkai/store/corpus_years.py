"""The cross-year rules over the corpus (issue 17 §3): every organ's reports of consecutive years,
each pair checked by the XY-* rules (:func:`gongkai.checks.check_years`).

An organ is a registered one (the reports matched to it, under any name or alias) or, for the
reports no organ answers to yet, a printed name (as matched: :func:`gongkai.store.records.organ_key`).
The corpus is gone through organ by organ — a short list of reports' years first, then the bodies
of the reports that make pairs — so that a corpus of a hundred thousand reports is never loaded
at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gongkai.checks import YearPair, check_years, report_context
from gongkai.model.report import Finding, report_from_json
from gongkai.store.tables import CorpusReport, CorpusSource, Organ


@dataclass(frozen=True)
class SetAside:
    """A report not compared: its organ has another report of that year, ingested earlier."""

    year: int
    source: str  # the file of the report set aside
    kept: str  # the file of the report used instead


@dataclass(frozen=True)
class CorpusPair:
    """One organ's reports of two consecutive years and what the cross-year rules found."""

    organ: str  # the registered name, or the printed one for an organ not matched
    code: str | None  # the organ's code (None: not matched to a registered organ)
    years: tuple[int, int]
    sources: tuple[str, str]  # the files the two reports were read from, earlier year first
    findings: list[Finding]
    set_aside: list[SetAside] = field(default_factory=list)  # of these two years

    def as_result(self) -> dict:
        """The pair as ``gongkai check`` gives a pair of files (``file`` names both)."""
        return {
            "file": f"{self.sources[0]} → {self.sources[1]}",
            "agency": self.organ,
            "organ": self.code,
            "years": list(self.years),
            "sources": list(self.sources),
            "set_aside": [vars(s) for s in self.set_aside],
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in self.findings],
        }


@dataclass(frozen=True)
class _Group:
    """The reports of one organ, found by its id (matched) or its name's key (not matched)."""

    organ_id: int | None
    key: str
    name: str
    code: str | None


def corpus_year_pairs(
    session: Session,
    *,
    organ: Organ | None = None,
    select_rules: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> Iterator[CorpusPair]:
    """Each pair of one organ's reports for consecutive years, with the cross-year findings:
    registered organs by code, then the names no organ answers to, each organ's pairs in year
    order. ``organ``: that organ's pairs only. Of two reports of one organ and year, the one
    ingested first is used and the other named in the pairs of that year (``set_aside``)."""
    chosen, skipped = list(select_rules or ()), list(ignore)
    for group in _groups(session, organ):
        yield from _pairs_of(session, group, chosen, skipped)


def pairs_around(session: Session, report: CorpusReport) -> list[CorpusPair]:
    """The cross-year pairs a report of the corpus is in: with its organ's report of the year
    before and of the year after, where the corpus holds them (none for a report without a year
    or not matched to an organ)."""
    if report.organ_id is None or report.year is None:
        return []
    organ = session.get(Organ, report.organ_id)
    if organ is None:
        return []
    return [pair for pair in corpus_year_pairs(session, organ=organ) if report.year in pair.years]


def _groups(session: Session, organ: Organ | None) -> Iterator[_Group]:
    """The organs with reports of at least two years (the only ones that can make a pair)."""
    years = func.count(CorpusReport.year.distinct())
    if organ is not None:
        held = session.scalar(select(years).where(CorpusReport.organ_id == organ.id))
        if held and held > 1:
            yield _Group(organ.id, "", organ.name, organ.code)
        return
    matched = session.execute(
        select(Organ.id, Organ.name, Organ.code)
        .join(CorpusReport, CorpusReport.organ_id == Organ.id)
        .group_by(Organ.id, Organ.name, Organ.code)
        .having(years > 1)
        .order_by(Organ.code)
    ).all()
    for organ_id, name, code in matched:
        yield _Group(organ_id, "", name, code)
    unmatched = session.execute(
        select(CorpusReport.organ_key, func.min(CorpusReport.organ_name))
        .where(CorpusReport.organ_id.is_(None), CorpusReport.organ_key != "")
        .group_by(CorpusReport.organ_key)
        .having(years > 1)
        .order_by(CorpusReport.organ_key)
    ).all()
    for key, name in unmatched:
        yield _Group(None, key, name, None)


def _pairs_of(session: Session, group: _Group, chosen: list[str], skipped: list[str]) -> Iterator[CorpusPair]:
    # The group's reports without their bodies, the one ingested first of each year first.
    whose = (
        CorpusReport.organ_id == group.organ_id
        if group.organ_id is not None
        else (CorpusReport.organ_id.is_(None) & (CorpusReport.organ_key == group.key))
    )
    rows: list[tuple[int, int, str, datetime]] = session.execute(
        select(CorpusReport.id, CorpusReport.year, CorpusSource.name, CorpusSource.ingested_at)
        .join(CorpusSource, CorpusSource.id == CorpusReport.source_id)
        .where(whose, CorpusReport.year.is_not(None))
        .order_by(CorpusReport.year, CorpusSource.ingested_at, CorpusSource.id, CorpusReport.position)
    ).all()
    first: dict[int, tuple[int, str]] = {}  # year → (report id, source name) of the report used
    aside: dict[int, list[SetAside]] = {}
    for report_id, year, source, _ in rows:
        if year in first:
            aside.setdefault(year, []).append(SetAside(year, source, first[year][1]))
        else:
            first[year] = (report_id, source)
    paired = sorted(y for y in first if y - 1 in first)
    if not paired:
        return
    wanted = {first[y][0] for y in paired} | {first[y - 1][0] for y in paired}
    bodies = dict(
        session.execute(select(CorpusReport.id, CorpusReport.body).where(CorpusReport.id.in_(wanted))).all()
    )
    contexts = {
        y: report_context(report_from_json(bodies[first[y][0]])) for y in first if first[y][0] in bodies
    }
    for year in paired:
        pair = YearPair(contexts[year - 1], contexts[year])
        yield CorpusPair(
            organ=group.name,
            code=group.code,
            years=(year - 1, year),
            sources=(first[year - 1][1], first[year][1]),
            findings=check_years(pair, select=chosen or None, ignore=skipped),
            set_aside=aside.get(year - 1, []) + aside.get(year, []),
        )
