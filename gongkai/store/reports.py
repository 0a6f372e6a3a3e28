"""The report workspace: an organ's annual report of a year, computed from its records, its text
written by the clerk, then reviewed (审核) and signed (审签) before it is published.

The review's statuses and moves, and when each move may be taken, are casework's
(:mod:`gongkai.casework.review`); this module applies them to the stored record. A published report
is never changed again; every move is in the audit trail and the comments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gongkai.casework.law import APPLICANT_LABELS
from gongkai.casework.review import MOVES, ReportStatus, move_refusal, role_refusal
from gongkai.checks import check_report, has_errors
from gongkai.model.report import (
    Finding,
    Report2019,
    Report2021,
    Sections,
    report_cells,
    report_from_json,
    report_to_json,
    report_years,
)
from gongkai.model.sections import SECTION_HEADINGS
from gongkai.store.accounts import Role
from gongkai.store.annual import build_year
from gongkai.store.records import Conflict, NotFound, Refused, audit, lock_row, now
from gongkai.store.tables import Organ, ReportComment, ReportRecord, ReportRule

MAX_SECTION_CHARS = 20_000


SECTION_KEYS = tuple(key for key, *_ in SECTION_HEADINGS)


def find_report(session: Session, organ: Organ, year: int) -> ReportRecord:
    """The organ's report of the year."""
    row = session.scalar(
        select(ReportRecord).where(ReportRecord.organ_id == organ.id, ReportRecord.year == year)
    )
    if row is None:
        raise NotFound(f"{organ.name}还没有 {year} 年度的报告")
    return row


def report_of(row: ReportRecord) -> Report2021 | Report2019:
    """The canonical report a record holds."""
    return report_from_json(row.body)


def findings_of(row: ReportRecord, report: Report2021 | Report2019 | None = None) -> list[Finding]:
    """What is wrong with a record's report: an upload's findings as its reading gave them (the
    same as ``gongkai check`` gives for the file, READ-* included), else the checks of its body."""
    return _found(row.findings, report if report is not None else report_of(row))


def _found(findings: list[dict[str, Any]] | None, report: Report2021 | Report2019) -> list[Finding]:
    """The stored findings, else (None) the report's checks."""
    if findings is not None:
        return [Finding.model_validate(item) for item in findings]
    return check_report(report)


OUTCOME_GROUPS = {  # table 三's outcome rows, grouped as its printed groups: key → (label, row keys)
    "granted": ("予以公开", ("granted",)),
    "partial": ("部分公开", ("partial",)),
    "withheld": ("不予公开", ("withheld",)),
    "unavailable": ("无法提供", ("unavailable",)),
    "rejected": ("不予处理", ("rejected",)),
    "other": ("其他处理", ("other",)),
}
APPEAL_KINDS = ("review", "suit_direct", "suit_after_review")


def _outcome_total(cells: dict[str, Any], prefixes: tuple[str, ...]) -> int:
    """The requests concluded under one printed group of table 三's outcomes (its rows' totals)."""
    return sum(
        value or 0
        for key, value in cells.items()
        if key.startswith("requests.") and key.endswith(".total") and key.split(".")[1] in prefixes
    )


def report_figures(report: Report2021 | Report2019) -> dict[str, int | float | None]:
    """The figures the console lists and charts, from a report's tables: new requests by applicant
    kind (``new.<kind>``, ``new.total``), the requests concluded by outcome group
    (``outcome.<group>``, :data:`OUTCOME_GROUPS`), and the reconsiderations and suits decided and
    corrected (``appeals.decided``, ``appeals.corrected``)."""
    cells = report_cells(report)
    figures: dict[str, int | float | None] = {
        f"new.{kind}": cells.get(f"requests.new.{kind}") for kind in (*APPLICANT_LABELS, "total")
    }
    for group, (_, prefixes) in OUTCOME_GROUPS.items():
        figures[f"outcome.{group}"] = _outcome_total(cells, prefixes)
    figures["appeals.decided"] = sum(
        (cells.get(f"appeals.{g}.total") or 0) - (cells.get(f"appeals.{g}.pending") or 0)
        for g in APPEAL_KINDS
    )
    figures["appeals.corrected"] = sum(cells.get(f"appeals.{g}.corrected") or 0 for g in APPEAL_KINDS)
    return figures


# The stored figures (report_figures) in words, in the order a table of them shows them.
FIGURE_LABELS = {
    "new.total": "新收申请",
    **{f"new.{kind}": f"新收申请·{label}" for kind, label in APPLICANT_LABELS.items()},
    **{f"outcome.{group}": label for group, (label, _) in OUTCOME_GROUPS.items()},
    "appeals.decided": "复议诉讼已决",
    "appeals.corrected": "复议诉讼纠正",
}


@dataclass(frozen=True)
class Summary:
    """A report summed up (as ReportRecord and ReportRule keep it)."""

    errors: int
    warnings: int
    rules: Counter[tuple[str, str]]  # (rule, severity) → how many findings
    figures: dict[str, int | float | None]


def report_summary(
    body: dict[str, Any],
    findings: list[dict[str, Any]] | None,
    report: Report2021 | Report2019 | None = None,
) -> Summary:
    """The summary of a report of this body with these stored findings (None: its checks');
    ``report``: the body as a report, when the caller has it (else it is read from the body)."""
    report = report if report is not None else report_from_json(body)
    rules = Counter((f.rule[:40], f.severity.value[:8]) for f in _found(findings, report))
    return Summary(
        errors=sum(n for (_, severity), n in rules.items() if severity == "error"),
        warnings=sum(n for (_, severity), n in rules.items() if severity == "warning"),
        rules=rules,
        figures=report_figures(report),
    )


def summarise(session: Session, row: ReportRecord, report: Report2021 | Report2019 | None = None) -> None:
    """Sum the record's report up again, after its body or findings changed (every writer of a
    ReportRecord's body calls it): its counts and figures, its findings by rule. ``report``: the
    report the body was just written from, when the caller has it (not read back from the JSON)."""
    summary = report_summary(row.body, row.findings, report)
    row.errors, row.warnings, row.figures = summary.errors, summary.warnings, summary.figures
    session.flush()  # the row's id, for a new one
    session.execute(delete(ReportRule).where(ReportRule.report_id == row.id))
    session.add_all(
        ReportRule(report_id=row.id, rule=rule, severity=severity, count=n)
        for (rule, severity), n in summary.rules.items()
    )


def open_workspace(session: Session, organ: Organ, year: int, *, actor: str) -> ReportRecord:
    """The year's draft, made from the organ's records the first time it is opened."""
    row = session.scalar(
        select(ReportRecord).where(ReportRecord.organ_id == organ.id, ReportRecord.year == year)
    )
    if row is not None:
        return row
    if year not in (years := report_years()):  # issue 14 §17
        raise Refused(f"年度应在 {years[0]} 年至 {years[-1]} 年之间，而不是 {year} 年")
    report = build_year(session, organ, year)
    row = ReportRecord(
        organ_id=organ.id,
        year=year,
        status=ReportStatus.DRAFT.value,
        source="workspace",
        body=report_to_json(report),
        updated_at=now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # another clerk opened the year's workspace at the same moment (issue 14): theirs is the one
        return find_report(session, organ, year)
    summarise(session, row, report)
    audit(
        session,
        actor,
        "report",
        f"{organ.code}:{year}",
        "create",
        organ_id=organ.id,
        after={"status": row.status},
    )
    return row


def _editable(row: ReportRecord) -> None:
    if row.status != ReportStatus.DRAFT:
        raise Refused(f"报告{ReportStatus(row.status).label}，只有草稿可以修改（请先退回）")


def recompute_tables(session: Session, row: ReportRecord, organ: Organ, *, actor: str) -> None:
    """Recompute tables 二/三/四 from the records; the text the clerk wrote is kept, the drafted
    sentences of sections 一 and 六 are taken only where a section is still empty."""
    _editable(row)
    fresh = build_year(session, organ, row.year)
    kept = report_of(row).sections or Sections()
    drafted = fresh.sections or Sections()
    sections = Sections(**{key: getattr(kept, key) or getattr(drafted, key) for key in SECTION_KEYS})
    before = row.body
    report = fresh.model_copy(update={"sections": sections})
    row.body = report_to_json(report)
    row.version += 1
    row.updated_at = now()
    summarise(session, row, report)
    audit(
        session,
        actor,
        "report",
        f"{organ.code}:{row.year}",
        "recompute",
        organ_id=organ.id,
        before=_cells_only(before),
        after=_cells_only(row.body),
    )


def with_sections(report: Report2021 | Report2019, texts: dict[str, str]) -> Report2021 | Report2019:
    """The report with these sections' text in place of what it had (the tables untouched), or
    :class:`Refused` naming what is wrong. Saving and the workspace's live findings both use it."""
    unknown = set(texts) - set(SECTION_KEYS)
    if unknown:
        raise Refused(f"未知的部分：{'、'.join(sorted(unknown))}")
    too_long = [key for key, text in texts.items() if len(text) > MAX_SECTION_CHARS]
    if too_long:
        raise Refused(f"每部分不超过 {MAX_SECTION_CHARS} 字")
    current = report.sections or Sections()
    changed = {key: (text.replace("\r\n", "\n").strip() or None) for key, text in texts.items()}
    return report.model_copy(update={"sections": current.model_copy(update=changed)})


def save_sections(session: Session, row: ReportRecord, texts: dict[str, str], *, actor: str) -> None:
    """Save the six sections' text as written (the tables are not touched)."""
    _editable(row)
    report = report_of(row)
    before = (report.sections or Sections()).model_dump()
    report = with_sections(report, texts)
    sections = report.sections
    row.body = report_to_json(report)
    row.version += 1
    row.updated_at = now()
    summarise(session, row, report)
    audit(
        session,
        actor,
        "report",
        f"{row.organ_id}:{row.year}",
        "edit sections",
        organ_id=row.organ_id,
        before=before,
        after=sections.model_dump(),
    )


def move(
    session: Session, row: ReportRecord, name: str, role: Role, *, actor: str, comment: str = ""
) -> None:
    """Take a step of the review, or :class:`Refused` saying why it cannot be taken.

    Which steps there are and when each may be taken is casework's
    (:mod:`gongkai.casework.review`); the store checks them on the locked row and applies them."""
    if why := role_refusal(name, role):
        raise Refused(why)
    step = MOVES[name]
    # The state checked on the locked row: a publish and a return of one report never both apply
    # (issue 14). A status changed since the caller read the row is someone else's move.
    seen = row.status
    lock_row(session, row)
    if row.status != seen:
        raise Conflict(f"这份报告（现为{ReportStatus(row.status).label}）")
    errors = lambda: has_errors(check_report(report_of(row)))  # noqa: E731  (only when it matters)
    if why := move_refusal(step, row.status, row.year, comment, errors):
        raise Refused(why)
    before = row.status
    row.status = step.end.value
    row.updated_at = now()
    if step.end is ReportStatus.PUBLISHED:
        row.published_at = row.updated_at
    session.add(
        ReportComment(report_id=row.id, at=row.updated_at, author=actor, action=name, text=comment.strip())
    )
    audit(
        session,
        actor,
        "report",
        f"{row.organ_id}:{row.year}",
        name,
        organ_id=row.organ_id,
        before={"status": before},
        after={"status": row.status},
    )


def comments(session: Session, row: ReportRecord) -> list[ReportComment]:
    """The review's comments, oldest first."""
    return list(
        session.scalars(
            select(ReportComment).where(ReportComment.report_id == row.id).order_by(ReportComment.id)
        )
    )


def _cells_only(body: dict) -> dict:
    return {key: body.get(key) for key in ("active", "requests", "appeals")}
