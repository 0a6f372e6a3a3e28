"""The review of a year's report (审核, 审签) as data: its statuses and the moves between them.

draft ──submit (经办人)──▶ submitted ──approve (审核人)──▶ reviewed ──publish (审签人)──▶ published
  ▲                           │                              │
  └────────return (with a comment)───────────────────────────┘

A report with error findings cannot be submitted, reviewed or published, and a year's report is
published only once the year is over, from 1 January of the next (条例第四十九条: by 31 January
or 31 March, the report of the year before). The store (:func:`gongkai.store.reports.move`)
applies a move on the locked record, after these functions say it may be taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gongkai import clock
from gongkai.casework.roles import Role


class ReportStatus(StrEnum):
    """Where a report is in its review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        """The status in Chinese."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ReportStatus.DRAFT: "草稿",
    ReportStatus.SUBMITTED: "待审核",
    ReportStatus.REVIEWED: "待审签",
    ReportStatus.PUBLISHED: "已发布",
}


@dataclass(frozen=True)
class Move:
    """A step of the review: who takes it, from which status, to which."""

    name: str
    label: str
    role: Role
    start: ReportStatus
    end: ReportStatus
    needs_clean: bool  # refused while the report has error findings


MOVES = {
    m.name: m
    for m in (
        Move("submit", "提交审核", Role.CLERK, ReportStatus.DRAFT, ReportStatus.SUBMITTED, True),
        Move("approve", "审核通过", Role.REVIEWER, ReportStatus.SUBMITTED, ReportStatus.REVIEWED, True),
        Move("return_review", "退回修改", Role.REVIEWER, ReportStatus.SUBMITTED, ReportStatus.DRAFT, False),
        Move("publish", "审签发布", Role.APPROVER, ReportStatus.REVIEWED, ReportStatus.PUBLISHED, True),
        Move("return_sign", "退回修改", Role.APPROVER, ReportStatus.REVIEWED, ReportStatus.DRAFT, False),
    )
}


def earliest_publication(year: int) -> date:
    """The first day a year's report may be published: the year's figures are complete only once
    it is over (条例第四十九条 has it published by 31 January or 31 March of the next year).

    >>> earliest_publication(2026)
    datetime.date(2027, 1, 1)
    """
    return date(year + 1, 1, 1)


def publication_refusal(year: int) -> str | None:
    """Why the year's report cannot be published today, in Chinese; None when it can."""
    first = earliest_publication(year)
    if clock.today() < first:
        return f"{year} 年度报告最早于 {first.isoformat()} 发布（年度结束后才能发布上一年度的报告，条例第四十九条）"
    return None


def role_refusal(name: str, role: Role) -> str | None:
    """Why a person of ``role`` cannot take the move ``name``, in Chinese; None when they can.

    >>> role_refusal("submit", Role.CLERK) is None, role_refusal("publish", Role.CLERK)
    (True, '“审签发布”由审签人办理')
    """
    step = MOVES.get(name)
    if step is None:
        return f"未知的操作「{name}」"
    if role is not step.role:
        return f"“{step.label}”由{step.role.label}办理"
    return None


def move_refusal(
    step: Move, status: str, year: int, comment: str, has_errors: Callable[[], bool]
) -> str | None:
    """Why a report of ``year`` in ``status`` cannot take ``step`` now, in Chinese; None when it
    can. ``has_errors`` is asked only when the step needs a report without error findings."""
    if status != step.start:
        return f"报告当前{ReportStatus(status).label}，不能“{step.label}”"
    if step.end is ReportStatus.DRAFT and not comment.strip():
        return "退回时请写明退回意见"
    if step.end is ReportStatus.PUBLISHED and (too_early := publication_refusal(year)):
        return too_early
    if step.needs_clean and has_errors():
        return "报告还有错误级问题，改正后才能提交、审核或发布"
    return None
