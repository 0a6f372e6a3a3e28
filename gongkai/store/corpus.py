"""The corpus of published reports (issue 17 §1): each file taken in once, by its content's hash,
with every report it holds, what checking it found, and the organ it was matched to by name.

A report's organ is matched by its printed name (:func:`gongkai.store.records.organ_key`): an
organ's name, else one of its aliases (a former name, 机构改革, or another spelling). A name that
answers to none stays unmatched until a person adds an alias (:func:`add_alias`) or the organ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, update
from sqlalchemy.orm import Session

from gongkai.model.text import organ_key
from gongkai.store.records import Refused, audit, now
from gongkai.store.tables import CorpusReport, CorpusReportRule, CorpusSource, Organ, OrganAlias

HASHES_AT_ONCE = 500  # hashes asked about in one query: well under any database's parameter limit


@dataclass(frozen=True)
class SourceFile:
    """A file to take in, as hashed before reading it."""

    sha256: str
    name: str
    size: int
    form: str


def organ_names(session: Session) -> dict[str, int]:
    """Organ id by matched name: every organ's name and every alias (a name wins over an alias)."""
    names = {
        alias: organ_id for alias, organ_id in session.execute(select(OrganAlias.alias, OrganAlias.organ_id))
    }
    names.update(
        (organ_key(name), organ_id) for organ_id, name in session.execute(select(Organ.id, Organ.name))
    )
    return names


def held_sources(session: Session, hashes: Iterable[str]) -> dict[str, str | None]:
    """Of these hashes, those already in the corpus, each with its source's error (None: it was read)."""
    wanted = list(dict.fromkeys(hashes))
    held: dict[str, str | None] = {}
    for start in range(0, len(wanted), HASHES_AT_ONCE):
        chunk = wanted[start : start + HASHES_AT_ONCE]
        rows = session.execute(
            select(CorpusSource.sha256, CorpusSource.error).where(CorpusSource.sha256.in_(chunk))
        )
        held.update((sha, error) for sha, error in rows)
    return held


def record_source(
    session: Session, source: SourceFile, results: list[dict[str, Any]], names: dict[str, int]
) -> CorpusSource | None:
    """Keep a file and the reports it held (``results``: one per report as ``gongkai check`` gives
    them, with ``report``; or one ``error`` dict when the file could not be read), each report's
    organ matched by ``names`` (:func:`organ_names`). A file kept before is kept again only when its
    reading had failed and has now succeeded; otherwise None is returned and nothing changes."""
    row = session.scalar(select(CorpusSource).where(CorpusSource.sha256 == source.sha256))
    error = next((r["error"] for r in results if "error" in r), None)
    if row is not None and (row.error is None or error is not None):
        return None
    if row is None:
        row = CorpusSource(sha256=source.sha256, name=source.name[:500], size=source.size, form=source.form)
        session.add(row)
    row.ingested_at, row.error = now(), error
    session.flush()
    if error is None:
        for position, result in enumerate(results):
            printed = printed_name(result)
            counts = finding_counts(result["findings"])
            report = CorpusReport(
                source_id=row.id,
                position=position,
                organ_id=matched_organ(names, printed),
                organ_name=printed,
                organ_key=organ_key(printed),
                year=result["year"],
                format=str(result["format"]),
                body=result["report"],
                findings=result["findings"],
                published_on=_day(result.get("published_on")),
                published_from="page" if result.get("published_on") else None,
                signed_on=_day(result.get("signed_on")),
                errors=sum(n for (_, severity), n in counts.items() if severity == "error"),
                warnings=sum(n for (_, severity), n in counts.items() if severity == "warning"),
            )
            session.add(report)
            session.flush()
            session.add_all(
                CorpusReportRule(report_id=report.id, rule=rule, severity=severity, count=n)
                for rule, (severity, n) in rules_of(counts).items()
            )
        session.flush()
    return row


def finding_counts(findings: list[Any]) -> Counter[tuple[str, str]]:
    """How many findings of each rule and severity (as CorpusReportRule keeps them)."""
    return Counter(
        (str(f.get("rule", ""))[:40], str(f.get("severity", ""))[:8])
        for f in findings or ()
        if isinstance(f, dict)
    )


SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


def rules_of(counts: Counter[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    """A report's findings by rule as CorpusReportRule keeps them: each rule once, with the most
    severe of its findings' severities and how many findings it has.

    >>> rules_of(Counter({("READ-HEADER", "info"): 2, ("READ-HEADER", "warning"): 1}))
    {'READ-HEADER': ('warning', 3)}
    """
    rules: dict[str, tuple[str, int]] = {}
    for (rule, severity), n in counts.items():
        before, total = rules.get(rule, (severity, 0))
        worst = max(before, severity, key=lambda s: SEVERITY_RANK.get(s, 0))
        rules[rule] = (worst, total + n)
    return rules


def _day(text: str | None) -> date | None:
    """A date as a reading's result gives it (ISO), or None."""
    return date.fromisoformat(text) if text else None


def printed_name(result: dict[str, Any]) -> str:
    """The organ's name as a report printed it ("" when it gave none), as long as the store keeps."""
    return (result.get("agency") or "")[:200]


def matched_organ(names: dict[str, int], printed: str) -> int | None:
    """The organ id a printed name answers to (None: none; a report without a name never does)."""
    return names.get(organ_key(printed)) if printed.strip() else None


def rematch(session: Session, names: dict[str, int] | None = None) -> int:
    """Match the reports not matched yet to the organs and aliases there are now (an organ or an
    alias added since they were taken in); the number of reports matched."""
    names = organ_names(session) if names is None else names
    keys = session.scalars(
        select(CorpusReport.organ_key).where(CorpusReport.organ_id.is_(None)).distinct()
    ).all()
    matched = 0
    for key in keys:
        if key and key in names:
            matched += session.execute(
                update(CorpusReport)
                .where(CorpusReport.organ_id.is_(None), CorpusReport.organ_key == key)
                .values(organ_id=names[key])
            ).rowcount
    return matched


def unmatched_grouped(where: ColumnElement[bool] | None = None) -> Select[tuple[str, str, int]]:
    """A query of the organ names of the corpus's reports that match no organ (of those ``where``
    admits): each (matched name, a printed form of it, reports), most reports first."""
    count = func.count()
    return (
        select(CorpusReport.organ_key, func.min(CorpusReport.organ_name), count)
        .where(CorpusReport.organ_id.is_(None), *([] if where is None else [where]))
        .group_by(CorpusReport.organ_key)
        .order_by(count.desc(), CorpusReport.organ_key)
    )


def unmatched_names(session: Session) -> list[tuple[str, int]]:
    """The organ names of the corpus that match no organ, each with how many reports carry it (a
    printed form of it), most reports first: what a person has to match (:func:`add_alias`)."""
    return [(printed, count) for _, printed, count in session.execute(unmatched_grouped())]


def add_alias(session: Session, organ: Organ, alias: str, *, actor: str) -> int:
    """Let ``organ`` answer to ``alias`` too (a former name, 机构改革, or another spelling), and
    match to it the corpus's reports of that name not matched yet; the number matched."""
    key = organ_key(alias)
    if not key:
        raise Refused("别名不能为空")
    names = organ_names(session)
    if key in names and names[key] != organ.id:
        other = session.get(Organ, names[key])
        raise Refused(
            f"「{alias.strip()}」已是{other.name if other else '另一机关'}（{other.code if other else ''}）的名称或别名"
        )
    if key not in names:
        session.add(OrganAlias(organ_id=organ.id, alias=key))
        session.flush()
        audit(session, actor, "organ", organ.id, "alias", organ_id=organ.id, after={"alias": key})
    return rematch(session, {key: organ.id})


def aliases_of(session: Session, organ: Organ) -> list[str]:
    """The organ's aliases, in the order they were added."""
    return list(
        session.scalars(
            select(OrganAlias.alias).where(OrganAlias.organ_id == organ.id).order_by(OrganAlias.id)
        )
    )


def corpus_counts(session: Session) -> dict[str, int]:
    """How much the corpus holds: sources, unreadable sources, reports, reports not matched."""
    return {
        "sources": session.scalar(select(func.count()).select_from(CorpusSource)) or 0,
        "unreadable": session.scalar(select(func.count()).where(CorpusSource.error.is_not(None))) or 0,
        "reports": session.scalar(select(func.count()).select_from(CorpusReport)) or 0,
        "unmatched": session.scalar(select(func.count()).where(CorpusReport.organ_id.is_(None))) or 0,
    }


def years_held(session: Session, where: ColumnElement[bool] | None = None) -> list[int]:
    """The years the corpus holds reports of (of those ``where`` admits, if given), newest first.

    The corpus's few years are found by skipping along the year index, one probe a year (a recursive
    query), not by reading every report's year; each is kept when a report of it meets ``where``.
    """
    latest = select(func.max(CorpusReport.year)).scalar_subquery()
    years = select(latest.label("year")).cte("years", recursive=True)
    earlier = select(func.max(CorpusReport.year)).where(CorpusReport.year < years.c.year).scalar_subquery()
    years = years.union_all(select(earlier).where(years.c.year.is_not(None)))
    query = select(years.c.year).where(years.c.year.is_not(None))
    if where is not None:
        query = query.where(exists().where(CorpusReport.year == years.c.year, where))
    return sorted(session.scalars(query), reverse=True)
