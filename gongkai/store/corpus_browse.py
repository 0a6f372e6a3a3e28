"""The corpus as the console and the JSON API browse it (issue 17 §1, §4, §7, §8): the reports a
person may see, a page at a time by keyset on the report's id (no page costs more the deeper it
is), a report with its findings and their judgements, a judgement made from a form, the unmatched
organ names a person may match, and an uploaded file taken into the corpus.

Who sees what: a report matched to an organ is seen by whoever sees the organ. A report matched to
none is seen by an administrator, and by a supervisor when its printed name begins with the place
name of the supervisor's own region (「某某区人民政府」's place is 「某某区」): the names they are the
ones to match. The filters by year, organ and rule are answered by indexes (the rule by the
findings' summary, corpus_report_rules) and counted; which errors are judged is known only from each
report's findings, read from a bounded window of the reports with errors a page, and not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gongkai.model.text import organ_key
from gongkai.store.accounts import Role, Scope, organs_below
from gongkai.store.corpus import (
    SourceFile,
    add_alias,
    organ_names,
    printed_name,
    record_source,
    unmatched_grouped,
)
from gongkai.store.corpus_export import Placed, organs_placed
from gongkai.store.judgements import (
    JudgedFinding,
    finding_key,
    histories,
    judge,
    judged_findings,
)
from gongkai.store.records import NotFound, Refused, lock_row, subtree_select
from gongkai.store.tables import CorpusReport, CorpusReportRule, CorpusSource, FindingJudgement, Organ

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
SCAN_BATCH = 250  # report ids looked at in one query when the findings must be read
# report ids looked at for one page at most: a rare rule gives short pages, never a slow one
SCAN_WINDOW = 2000
# An organ filter of at most this many organs is looked up in the organ index (its reports are few,
# sorting them is cheap: a district's 60 organs, a few hundred reports); a larger one (a city's, a
# province's) is checked walking the reports in id order, which stops at the page's end, where the
# index would find and sort half the corpus first. The two cost the same near 300 organs at 100,000
# reports of 15,000 organs (a page of 50 walks 50 × 15,000 / n reports; the index reads 7 × n).
INDEXED_ORGANS = 300
# Counts stop here: the page says "more than" (counting a province's 100,000 reports in a scope
# costs a tenth of a second a page, and no one reads the exact figure of a list that long).
COUNT_CAP = 10_000
REGION_SUFFIXES = ("人民政府", "政府")


@dataclass(frozen=True)
class CorpusView:
    """Which corpus reports a person sees: those of ``organ_ids`` (None: every report), and the
    unmatched ones whose matched name begins with ``unmatched_prefix`` (None: no unmatched one).
    ``roots``: organs whose subtrees together are ``organ_ids`` (a supervisor's region), asked
    for in SQL when the ids are many (see :func:`organs_condition`); ``every_organ``: the ids are
    every organ in the store (a province's supervisor's), any matched report is of one."""

    organ_ids: frozenset[int] | None
    unmatched_prefix: str | None
    roots: frozenset[int] | None = field(default=None, compare=False)
    every_organ: bool = field(default=False, compare=False)

    def condition(self, *, walking: bool = False) -> ColumnElement[bool]:
        """The reports of this view, as a condition on corpus_reports (``walking``: for a query
        that walks the reports in id order, see :data:`INDEXED_ORGANS`)."""
        if self.organ_ids is None:
            return true()
        matched = organs_condition(self.organ_ids, self.roots, walking, every=self.every_organ)
        unmatched = self.unmatched_condition()
        return matched if unmatched is None else or_(matched, unmatched)

    def unmatched_condition(self) -> ColumnElement[bool] | None:
        """The unmatched reports of this view (None: none of them)."""
        if self.organ_ids is None:
            return CorpusReport.organ_id.is_(None)
        if not self.unmatched_prefix:
            return None
        return and_(
            CorpusReport.organ_id.is_(None),
            CorpusReport.organ_key.startswith(self.unmatched_prefix, autoescape=True),
        )

    def sees(self, report: CorpusReport) -> bool:
        """Whether this report is in the view."""
        if self.organ_ids is None:
            return True
        if report.organ_id is not None:
            return report.organ_id in self.organ_ids
        return bool(self.unmatched_prefix) and report.organ_key.startswith(self.unmatched_prefix or "")


def organs_condition(
    organ_ids: frozenset[int],
    roots: frozenset[int] | None,
    walking: bool,
    *,
    every: bool = False,
    column: ColumnElement[int | None] | None = None,
) -> ColumnElement[bool]:
    """The reports of these organs. A few are sent as a list the organ index answers; many (a
    city's hundreds) are asked for as the subtrees of ``roots`` in SQL, never sent as parameters (a
    province's 15,000 take a second a query), and, walking, past the organ index (``organ_id + 0``
    is no column an index is on, on either database), the walk in id order stopping at the page's
    end. ``every``: the ids are every organ there is, so any matched report is of one of them (a
    province's subtree, walked recursively, costs 20 ms a query). ``column``: another column of
    organ ids than corpus_reports.organ_id (organs.id, to list the organs themselves)."""
    column = CorpusReport.organ_id if column is None else column
    if not organ_ids:
        return false()
    if every:
        return column.is_not(None)
    if len(organ_ids) <= INDEXED_ORGANS:
        return column.in_(organ_ids)
    column = column + 0 if walking else column
    if not roots:
        return column.in_(organ_ids)
    return column.in_(subtree_select(roots))


def place_name(region_name: str) -> str:
    """A region's place name, as the organs under it begin theirs: 「某某区人民政府」→「某某区」."""
    key = organ_key(region_name)
    for suffix in REGION_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


def view_of(session: Session, scope: Scope) -> CorpusView:
    """The corpus a signed-in person sees (see the module's docstring)."""
    if scope.role is Role.ADMIN:
        return CorpusView(None, None)
    prefix, roots = None, None
    if scope.role is Role.SUPERVISOR and scope.home_organ_id is not None:
        home = session.get(Organ, scope.home_organ_id)
        if home is not None and home.kind == "region":
            prefix = place_name(home.name)
            prefix = prefix if len(prefix) >= 2 else None  # a one-character place would match too much
        if scope.home_organ_id in scope.organ_ids:  # a supervisor's scope: their organ's subtree
            roots = frozenset({scope.home_organ_id})
    every = scope.every_organ and len(scope.organ_ids) > INDEXED_ORGANS  # few ids: listed (organs_condition)
    return CorpusView(scope.organ_ids, prefix, roots, every)


def _every_organ(session: Session, organ_ids: frozenset[int]) -> bool:
    """Whether these are the ids of every organ in the store (a count the primary key answers)."""
    return len(organ_ids) > INDEXED_ORGANS and len(organ_ids) == session.scalar(
        select(func.count()).select_from(Organ)
    )


@dataclass(frozen=True)
class CorpusFilter:
    """What a list of corpus reports is narrowed to: a year; an organ or region (``organ_ids``: it
    and the organs below it); the reports with a finding of ``rule``; those with an error no one
    has judged yet."""

    year: int | None = None
    organ_ids: frozenset[int] | None = None
    rule: str | None = None
    unjudged_errors: bool = False
    organ_roots: frozenset[int] | None = field(default=None, compare=False)  # see CorpusView.roots
    every_organ: bool = field(default=False, compare=False)  # see CorpusView.every_organ

    @property
    def counted(self) -> bool:
        """Whether an index answers the filter, so that the reports it gives can be counted (which
        errors are judged is known only from each report's findings)."""
        return not self.unjudged_errors

    def conditions(self, *, walking: bool = False) -> list[ColumnElement[bool]]:
        """The filter as conditions on corpus_reports (for unjudged errors, the reports with an
        error: which of those are judged is read from their findings)."""
        found: list[ColumnElement[bool]] = []
        if self.year is not None:
            found.append(CorpusReport.year == self.year)
        if self.organ_ids is not None:
            found.append(organs_condition(self.organ_ids, self.organ_roots, walking, every=self.every_organ))
        # the findings' summary (corpus_report_rules), not the findings: no report body is read
        if self.rule:  # the reports the rule's index entries name: a rare rule costs nothing
            with_rule = select(CorpusReportRule.report_id).where(CorpusReportRule.rule == self.rule)
            found.append(CorpusReport.id.in_(with_rule))
        if self.unjudged_errors:  # asked of each report of a page's window of ids
            found.append(CorpusReport.errors > 0)
        return found


def corpus_filter(
    session: Session,
    view: CorpusView,
    organ: Organ | None = None,
    *,
    year: int | None = None,
    rule: str | None = None,
    unjudged_errors: bool = False,
) -> CorpusFilter:
    """The filter to ``year``, ``rule``, unjudged errors and to ``organ`` with every organ below
    it that the view sees (their subtree, asked for in SQL when they are many)."""
    if organ is None:
        return CorpusFilter(year=year, rule=rule, unjudged_errors=unjudged_errors)
    below = frozenset(organs_below(session, organ.id))
    whole = view.organ_ids is None or below <= view.organ_ids  # the view holds the whole subtree
    return CorpusFilter(
        year=year,
        organ_ids=below if whole else below & (view.organ_ids or frozenset()),
        rule=rule,
        unjudged_errors=unjudged_errors,
        organ_roots=frozenset({organ.id}) if whole else None,
        every_organ=whole and _every_organ(session, below),
    )


def regions_in_view(session: Session, view: CorpusView) -> list[tuple[str, str]]:
    """The regions whose organs the view sees, (code, name) by code: a province's few hundred,
    to choose from where its 15,000 organs would make a page of megabytes."""
    query = select(Organ.code, Organ.name).where(Organ.kind == "region").order_by(Organ.code)
    if view.organ_ids is not None:
        query = query.where(_organs_of_view(view))
    return [(code, name) for code, name in session.execute(query)]


def organ_choices(session: Session, view: CorpusView) -> list[tuple[str, str]] | None:
    """The organs and regions of the view, (code, name) by code, when they are few enough to
    choose from (at most :data:`INDEXED_ORGANS`); None when they are more (they are named instead,
    see :func:`place_in_view`)."""
    if view.organ_ids is None or len(view.organ_ids) > INDEXED_ORGANS:
        return None
    query = select(Organ.code, Organ.name).where(_organs_of_view(view)).order_by(Organ.code)
    return [(code, name) for code, name in session.execute(query)]


def place_in_view(session: Session, view: CorpusView, given: str) -> Organ:
    """The organ or region of the view named by ``given``, its code or its full name;
    :class:`NotFound` for any other, :class:`Refused` when the view has several of that name."""
    found = session.scalar(select(Organ).where(Organ.code == given))
    if found is None:
        named = session.scalars(
            select(Organ).where(Organ.name == given, _organs_of_view(view)).order_by(Organ.code).limit(6)
        ).all()
        if len(named) > 1:
            codes = "、".join(o.code for o in named[:5])
            raise Refused(f"有不止一个机关名为「{given}」，请填机关代码（{codes}……）")
        found = named[0] if named else None
    if found is None or (view.organ_ids is not None and found.id not in view.organ_ids):
        raise NotFound(f"没有机关「{given}」")
    return found


def _organs_of_view(view: CorpusView) -> ColumnElement[bool]:
    """The view's organs, as a condition on organs."""
    if view.organ_ids is None:
        return true()
    return organs_condition(
        view.organ_ids, view.roots, False, every=view.every_organ, column=cast(Any, Organ.id)
    )


@dataclass(frozen=True)
class Listed:
    """One report of a list: where it is from, and its findings counted."""

    id: int
    organ_id: int | None
    organ_code: str | None  # the matched organ's
    organ: str  # the matched organ's name, else the name as printed
    printed: str
    region: str
    year: int | None
    layout: str
    sha256: str
    source: str
    severities: dict[str, int]
    unjudged_errors: int


def corpus_page(
    session: Session,
    view: CorpusView,
    chosen: CorpusFilter,
    *,
    after: int = 0,
    limit: int = PAGE_SIZE,
) -> tuple[list[Listed], int | None]:
    """The reports after the report id ``after`` (0: from the first), at most ``limit``, in the order
    they were taken in; and the id to go on after (None: no more). The filter on unjudged errors
    looks at no more than :data:`SCAN_WINDOW` report ids a page: it may give fewer than ``limit``,
    or none, with more to come."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = (
        select(
            CorpusReport.id,
            CorpusReport.organ_id,
            CorpusReport.organ_name,
            CorpusReport.year,
            CorpusReport.format,
            CorpusReport.position,
            CorpusReport.findings,
            CorpusSource.sha256,
            CorpusSource.name,
        )
        .join(CorpusSource, CorpusSource.id == CorpusReport.source_id)
        .where(view.condition(walking=True), *chosen.conditions(walking=True))
        .order_by(CorpusReport.id)
    )
    if chosen.counted:  # every candidate is listed: one query, one more row to know if there is more
        rows = session.execute(query.where(CorpusReport.id > after).limit(limit + 1)).all()
        listed = _listed(session, rows[:limit])
        return listed, (listed[-1].id if len(rows) > limit else None)
    last = session.scalar(select(func.max(CorpusReport.id))) or 0
    listed, cursor, end = [], after, min(after + SCAN_WINDOW, last)
    while cursor < end:
        upto = min(cursor + SCAN_BATCH, end)
        rows = session.execute(query.where(CorpusReport.id > cursor, CorpusReport.id <= upto)).all()
        for row, item in zip(rows, _listed(session, rows), strict=True):
            if item.unjudged_errors:
                listed.append(item)
                if len(listed) == limit:
                    return listed, (row.id if row.id < last else None)
        cursor = upto
    return listed, (cursor if cursor < last else None)


def _listed(session: Session, rows: list[Any]) -> list[Listed]:
    """The rows as listed, their errors not judged yet counted (one query for all their judgements)
    and their organs placed (reading those organs only)."""
    errors = {
        row.id: {finding_key(f) for f in row.findings or () if f.get("severity") == "error"} for row in rows
    }
    judged: dict[tuple[str, int], set[str]] = {}
    wanted = {row.sha256 for row in rows if errors[row.id]}
    if wanted:  # only reports with errors ask for their judgements
        for sha, position, key in session.execute(
            select(
                FindingJudgement.source_sha256, FindingJudgement.position, FindingJudgement.finding_key
            ).where(FindingJudgement.source_sha256.in_(wanted))
        ):
            judged.setdefault((sha, position), set()).add(key)
    placed = organs_placed(session, {row.organ_id for row in rows if row.organ_id is not None})
    unplaced = Placed("", "", "")
    return [
        Listed(
            id=row.id,
            organ_id=row.organ_id,
            organ_code=placed[row.organ_id].code if row.organ_id in placed else None,
            organ=placed[row.organ_id].name if row.organ_id in placed else row.organ_name,
            printed=row.organ_name,
            region=placed.get(row.organ_id, unplaced).region,
            year=row.year,
            layout=row.format,
            sha256=row.sha256,
            source=row.name,
            severities=severity_counts(row.findings),
            unjudged_errors=len(errors[row.id] - judged.get((row.sha256, row.position), set())),
        )
        for row in rows
    ]


def count_corpus(session: Session, view: CorpusView, chosen: CorpusFilter) -> int | None:
    """How many reports the view and filter give, counted up to :data:`COUNT_CAP` + 1 (a count
    over the cap: more than the cap); None for the unjudged errors (which no index answers:
    counting them would read every report's findings)."""
    if not chosen.counted:
        return None
    capped = (
        select(CorpusReport.id)
        .where(view.condition(), *chosen.conditions())  # by the indexes: a city's few are not walked to
        .limit(COUNT_CAP + 1)
    )
    return session.scalar(select(func.count()).select_from(capped.subquery())) or 0


def corpus_report(session: Session, view: CorpusView, report_id: int) -> CorpusReport:
    """One report of the view; :class:`NotFound` for any other, as if it did not exist."""
    report = session.get(CorpusReport, report_id)
    if report is None or not view.sees(report):
        raise NotFound("库中没有这份报告")
    return report


@dataclass(frozen=True)
class ReportShown:
    """A report as its page shows it: its source, organ, findings with their judgements, and each
    finding's judgements oldest first."""

    report: CorpusReport
    source: CorpusSource
    organ: Organ | None
    region: str
    findings: list[JudgedFinding]
    history: dict[str, list[FindingJudgement]]

    @property
    def severities(self) -> dict[str, int]:
        """How many findings of each severity the report has (as the list counts them)."""
        return severity_counts(self.report.findings)

    @property
    def unjudged_errors(self) -> int:
        """How many of its errors no one has judged yet (as the list counts them)."""
        errors = {f.key for f in self.findings if f.finding.get("severity") == "error"}
        return len(errors - {f.key for f in self.findings if f.judgement is not None})


def severity_counts(findings: Iterable[dict[str, Any]] | None) -> dict[str, int]:
    """Findings counted by severity: ``{"error": 2, "warning": 1}``."""
    return dict(Counter(str(f.get("severity", "")) for f in findings or ()))


def report_shown(session: Session, report: CorpusReport) -> ReportShown:
    """What the report's page shows."""
    source = session.get(CorpusSource, report.source_id)
    if source is None:
        raise NotFound(f"报告 {report.id} 的来源文件不在库中")
    history = histories(session, report)  # one query for the findings' judgements and their history
    current = {key: rows[-1] for key, rows in history.items()}
    organ = session.get(Organ, report.organ_id) if report.organ_id is not None else None
    region = organs_placed(session, {organ.id})[organ.id].region if organ is not None else ""
    return ReportShown(report, source, organ, region, judged_findings(session, report, current), history)


def judge_as_seen(
    session: Session, report: CorpusReport, key: str, verdict: str, *, seen: int, reason: str, actor: str
) -> FindingJudgement:
    """Judge a finding from a form that showed its judgement ``seen`` (its id; 0: none). The report
    is locked and the judgement read again first: when someone judged it since, this one is
    refused (:class:`Conflict`) rather than recorded over theirs unseen — two people judging at
    once give one record and one refusal, never two records."""
    lock_row(session, report)
    return judge(session, report, key, verdict, reason=reason, actor=actor, seen=seen)


def unmatched_in_view(
    session: Session, view: CorpusView, *, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[tuple[str, str, int]], int]:
    """The unmatched organ names the view sees, each (matched name, a printed form, reports), most
    reports first, a page at a time; and how many names there are in all. Grouped in SQL, on the
    unmatched reports alone (a supervisor's region's organs have none)."""
    where = view.unmatched_condition()
    if where is None:
        return [], 0
    grouped = unmatched_grouped(where)
    total = session.scalar(select(func.count()).select_from(grouped.order_by(None).subquery())) or 0
    rows = session.execute(grouped.offset(offset).limit(limit)).all()
    return [(key, printed, count) for key, printed, count in rows], total


def match_name(session: Session, view: CorpusView, key: str, organ: Organ, *, actor: str) -> int:
    """Let ``organ`` answer to the unmatched name ``key`` (an alias, audited), matching the corpus's
    reports of it; the number matched. The name must be one the view sees unmatched."""
    if not key:
        raise Refused("未署名的报告无法按名称匹配")
    unmatched = select(func.count()).where(
        CorpusReport.organ_id.is_(None), CorpusReport.organ_key == key, view.condition()
    )
    if not session.scalar(unmatched):
        raise NotFound(f"没有未匹配的机关名称「{key}」")
    return add_alias(session, organ, key, actor=actor)


def take_upload(
    session: Session, source: SourceFile, results: list[dict[str, Any]], organ: Organ | None = None
) -> CorpusSource | None:
    """Keep an uploaded file in the corpus as ``gongkai ingest`` keeps a file (by its content's
    hash: a file held already is not kept again, and None is returned), its reports matched by
    name, or all to ``organ`` when the person chose it. A file kept by another at the same moment
    is held, not an error."""
    names = organ_names(session)
    if organ is not None:
        names |= {organ_key(printed_name(r)): organ.id for r in results if "error" not in r}
    try:
        with session.begin_nested():
            return record_source(session, source, results, names)
    except IntegrityError:
        return None
