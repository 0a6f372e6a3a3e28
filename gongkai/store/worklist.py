"""What waits for each person (issue 13 §5): the lists of their home page and of ``gongkai digest``.

- A clerk (经办人): online requests to confirm, answers overdue and due within 5 working days,
  补正 and payment periods that have run out (to record as lapsed), written notices issued but not
  yet delivered, answer dates 待定 until next year's calendar is entered.
- A reviewer (审核人) and a signer (审签人): the organ's reports waiting for their step.
- A supervisor (政务公开办): organs without last year's report by 31 January (条例第四十九条), organs
  whose latest report has error findings.
- An administrator: calendar years missing, and the requests that wait for them.

Each list is a plain query over the store; nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai.model.publication import DEPARTMENT_DUE
from gongkai.store.accounts import Role, Scope
from gongkai.store.calendar import missing_next_year
from gongkai.store.casefiles import load_case, pending_deadlines
from gongkai.store.records import work_calendar
from gongkai.store.reports import ReportStatus
from gongkai.store.tables import Notice, Organ, ReportRecord, Request, Submission, User

DUE_SOON_WORKING_DAYS = 5


@dataclass(frozen=True)
class Task:
    """One thing to do: what, where to do it, and by when if it has a date."""

    what: str
    link: str
    due: date | None = None


@dataclass(frozen=True)
class Waiting:
    """A list of tasks of one kind, under its heading."""

    key: str
    title: str
    tasks: list[Task] = field(default_factory=list)


def work_for(session: Session, user: User, scope: Scope, today: date) -> list[Waiting]:
    """What waits for ``user`` today, by list; only lists with something in them."""
    role = scope.role
    organ = session.get(Organ, user.organ_id) if user.organ_id is not None else None
    lists: list[Waiting] = []
    if role is Role.CLERK and organ is not None:
        lists = clerk_work(session, organ, today)
    elif role in (Role.REVIEWER, Role.APPROVER) and organ is not None:
        lists = signer_work(session, organ, role)
    elif role is Role.SUPERVISOR:
        lists = supervisor_work(session, sorted(scope.organ_ids), today)
    elif role is Role.ADMIN:
        lists = admin_work(session, today)
    return [waiting for waiting in lists if waiting.tasks]


def _request_link(organ: Organ, row: Request) -> str:
    return f"/organs/{organ.code}/requests/{row.number}"


def clerk_work(session: Session, organ: Organ, today: date) -> list[Waiting]:
    """The organ's casework that waits for its clerks."""
    calendar = work_calendar(session)
    pending = session.scalars(
        select(Submission)
        .where(Submission.organ_id == organ.id, Submission.status == "pending")
        .order_by(Submission.id)
    ).all()
    submissions = Waiting(
        "submissions",
        "待确认的网上申请",
        [
            Task(f"网上申请：{item.details.get('subject', '')[:40]}", f"/organs/{organ.code}/submissions")
            for item in pending
        ],
    )
    open_rows = session.scalars(
        select(Request)
        .where(Request.organ_id == organ.id, Request.concluded_on.is_(None))
        .order_by(Request.answer_due, Request.number)
    ).all()
    soon_limit = calendar.reach(today, DUE_SOON_WORKING_DAYS).day
    overdue = Waiting("overdue", "已逾期未答复")
    soon = Waiting("due_soon", f"{DUE_SOON_WORKING_DAYS} 个工作日内到期")
    lapsed = Waiting("lapsed", "补正或缴费期限已过，待登记")
    for row in open_rows:
        link = _request_link(organ, row)
        if row.answer_due is not None and row.answer_due < today:
            overdue.tasks.append(Task(f"申请 {row.number} 答复期限已过", link, row.answer_due))
        elif row.answer_due is not None and (soon_limit is None or row.answer_due <= soon_limit):
            soon.tasks.append(Task(f"申请 {row.number} 即将到期", link, row.answer_due))
        if row.status.startswith(("待补正", "待缴费")):
            case = load_case(session, row, calendar)
            if case.awaiting_correction and case.correction and case.correction.respond_by < today:
                lapsed.tasks.append(
                    Task(
                        f"申请 {row.number} 补正期限已过，请登记收到补正或逾期未补正",
                        link,
                        case.correction.respond_by,
                    )
                )
            fee_due = case.fee_due()
            if fee_due is not None and fee_due.due is not None and fee_due.due < today:
                lapsed.tasks.append(
                    Task(f"申请 {row.number} 缴费期限已过，请登记缴费或逾期未缴费", link, fee_due.due)
                )
    waiting_year = Waiting(
        "pending_year",
        "答复期限待定（下一年放假安排未录入）",
        [
            Task(
                f"申请 {row.number} 的答复期限进入 {row.answer_due_pending_year} 年",
                _request_link(organ, row),
            )
            for row in pending_deadlines(session, [organ.id])
        ],
    )
    undelivered = Waiting(
        "undelivered",
        "已出具、尚未登记送达的告知书",
        [
            Task(
                f"{notice.number}（申请 {number}）",
                f"/organs/{organ.code}/requests/{number}/notices",
                notice.issued_on,
            )
            for notice, number in session.execute(
                select(Notice, Request.number)
                .join(Request, Request.id == Notice.request_id)
                .where(Notice.organ_id == organ.id, Notice.delivered_on.is_(None))
                .order_by(Notice.issued_on, Notice.id)
            )
        ],
    )
    return [submissions, overdue, soon, lapsed, undelivered, waiting_year]


def signer_work(session: Session, organ: Organ, role: Role) -> list[Waiting]:
    """The organ's reports waiting for a reviewer's or a signer's step."""
    status = ReportStatus.SUBMITTED if role is Role.REVIEWER else ReportStatus.REVIEWED
    rows = session.scalars(
        select(ReportRecord)
        .where(ReportRecord.organ_id == organ.id, ReportRecord.status == status.value)
        .order_by(ReportRecord.year)
    ).all()
    title = "待审核的年度报告" if role is Role.REVIEWER else "待审签的年度报告"
    return [
        Waiting(
            "reports",
            title,
            [
                Task(f"{row.year} 年度报告{status.label}", f"/organs/{organ.code}/reports/{row.year}")
                for row in rows
            ],
        )
    ]


def supervisor_work(session: Session, organ_ids: list[int], today: date) -> list[Waiting]:
    """Organs in the region without last year's report, and organs whose latest report has errors."""
    organs = session.scalars(
        select(Organ).where(Organ.id.in_(organ_ids), Organ.kind == "organ").order_by(Organ.code)
    ).all()
    year = today.year - 1
    deadline = date(today.year, *DEPARTMENT_DUE)  # 条例第四十九条
    published = set(
        session.scalars(
            select(ReportRecord.organ_id).where(
                ReportRecord.organ_id.in_([o.id for o in organs]),
                ReportRecord.year == year,
                ReportRecord.status == ReportStatus.PUBLISHED.value,
            )
        )
    )
    late = "已过" if today > deadline else "截止"
    missing = Waiting(
        "missing_reports",
        f"尚未发布 {year} 年度报告的机关（{deadline.month}月{deadline.day}日{late}，条例第四十九条）",
        [
            Task(f"{organ.name}尚未发布 {year} 年度报告", "/console", deadline)
            for organ in organs
            if organ.id not in published
        ],
    )
    latest: dict[int, ReportRecord] = {}
    for row in session.scalars(
        select(ReportRecord)
        .where(
            ReportRecord.organ_id.in_([o.id for o in organs]),
            ReportRecord.status == ReportStatus.PUBLISHED.value,
        )
        .order_by(ReportRecord.year)
    ):
        latest[row.organ_id] = row
    errors = Waiting("errors", "最新年度报告有错误的机关")
    for organ in organs:
        row = latest.get(organ.id)
        if row is None:
            continue
        count = row.errors  # summed up when the report was filed (reports.summarise)
        if count:
            errors.tasks.append(
                Task(
                    f"{organ.name} {row.year} 年度报告有 {count} 处错误",
                    f"/console/organs/{organ.code}/{row.year}",
                )
            )
    return [missing, errors]


def admin_work(session: Session, today: date) -> list[Waiting]:
    """Calendar years missing, with the requests that wait for them."""
    missing = missing_next_year(session, today)
    tasks = []
    if missing is not None:
        waiting = f"，{missing.waiting} 件申请的答复期限待定" if missing.waiting else ""
        tasks.append(Task(f"录入 {missing.year} 年的放假安排{waiting}", "/admin/calendar"))
    return [Waiting("calendar", "工作日历", tasks)]
