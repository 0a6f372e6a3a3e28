"""The tables of the store (SQLAlchemy 2). Alembic migrations in ``migrations/`` create them.

Every record belongs to one organ; organs form a tree (region → organ). Nothing is deleted: a
request is concluded or withdrawn, a register entry is withdrawn, and every change is written to
``audit_log`` with its before and after.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of every table."""

    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Organ(Base):
    """A region (区、市) or an organ (局、办) that keeps its own disclosure work."""

    __tablename__ = "organs"
    __table_args__ = (Index("ix_organs_parent", "parent_id"),)  # a region's subtree, recursively

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # short name used on the command line
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="organ")  # region | organ
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Request(Base):
    """A disclosure request: its registration and the state its events led to (a projection)."""

    __tablename__ = "requests"
    __table_args__ = (
        UniqueConstraint("organ_id", "number"),
        UniqueConstraint("organ_id", "year", "seq"),
        Index("ix_requests_organ_received", "organ_id", "received_on"),
        Index("ix_requests_organ_concluded", "organ_id", "concluded_on"),
        Index("ix_requests_organ_due", "organ_id", "answer_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    number: Mapped[str] = mapped_column(String(32))  # 2026-0001, per organ
    year: Mapped[int] = mapped_column(Integer)  # of the first receipt; with seq, makes the number
    seq: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    arrived_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    received_on: Mapped[date] = mapped_column(Date)  # the first date of receipt (第三十一条)
    applicant_kind: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(String(200))  # personal data: staff only
    applicant_id: Mapped[str] = mapped_column(String(100), default="")
    applicant_contact: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(Text)
    form_wanted: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(60))
    answer_due: Mapped[date | None] = mapped_column(Date)
    # The answer date is 待定 until this year's holidays are entered (then recomputed).
    answer_due_pending_year: Mapped[int | None] = mapped_column(Integer)
    answer_due_provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    # One filing split into several 件 (一事一申请, 办法第四条): the number of its first 件.
    filing: Mapped[str] = mapped_column(String(32), default="", server_default="")

    @property
    def answer_due_text(self) -> str:
        """The answer date as lists show it: a date, 「…（暂定）」, 「待定（2027 年放假安排未录入）」 or —."""
        if self.answer_due is not None:
            shown = self.answer_due.isoformat()
            return f"{shown}（暂定）" if self.answer_due_provisional else shown
        if self.answer_due_pending_year is not None:
            return f"待定（{self.answer_due_pending_year} 年放假安排未录入）"
        return "—"

    outcome: Mapped[str | None] = mapped_column(String(40))
    concluded_on: Mapped[date | None] = mapped_column(Date)
    fee_yuan: Mapped[int | None] = mapped_column(Integer)  # the fee noticed
    fee_noticed_on: Mapped[date | None] = mapped_column(Date)
    fee_paid_on: Mapped[date | None] = mapped_column(Date)
    event_count: Mapped[int] = mapped_column(Integer, default=0)


class RequestEvent(Base):
    """One step of a request, kept as it was recorded (never rewritten)."""

    __tablename__ = "request_events"
    __table_args__ = (UniqueConstraint("request_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(100))


class Appeal(Base):
    """A reconsideration (行政复议) or a suit (行政诉讼) about the organ's disclosure decisions."""

    __tablename__ = "appeals"
    __table_args__ = (UniqueConstraint("organ_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))  # the case number (案号)
    kind: Mapped[str] = mapped_column(String(24))  # review | suit_direct | suit_after_review
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    filed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(16))  # upheld | corrected | other
    decided_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    withdrawn: Mapped[bool] = mapped_column(default=False)  # entered by mistake; kept, not counted


class Document(Base):
    """A 规章 or 行政规范性文件 the organ issued: table 二, 第二十条第（一）项."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_organ_kind", "organ_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    kind: Mapped[str] = mapped_column(String(16))  # rules | normative
    title: Mapped[str] = mapped_column(String(300))
    doc_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    issued_on: Mapped[date] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    repealed_on: Mapped[date | None] = mapped_column(Date)
    withdrawn: Mapped[bool] = mapped_column(default=False)


class Tally(Base):
    """A yearly figure the organ's other systems produce: decisions, fees collected, items."""

    __tablename__ = "tallies"
    __table_args__ = (UniqueConstraint("organ_id", "year", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))  # licensing.decisions, fees.amount, …
    value: Mapped[Decimal] = mapped_column(Numeric(24, 6))  # 万元 are printed to 6 decimals (1 分)


class Publication(Base):
    """An item the organ published on its own initiative (主动公开), with its sign-offs."""

    __tablename__ = "publications"
    __table_args__ = (
        Index("ix_publications_organ_date", "organ_id", "published_on"),
        # The public catalogue's pages, counts and categories (issue 14 §11; migration 0011): each
        # reads one of these alone, in the catalogue's order, however many entries there are.
        Index("ix_publications_catalogue", "organ_id", "withdrawn", "published_on", "id"),
        Index(
            "ix_publications_catalogue_category", "organ_id", "withdrawn", "category", "published_on", "id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(60))  # 公开目录: 政策文件及解读, 部门预决算, …
    published_on: Mapped[date] = mapped_column(Date)
    channels: Mapped[list[Any]] = mapped_column(JSON)  # 门户网站, 政务新媒体, …
    first_review: Mapped[str] = mapped_column(String(100))  # 三审三校: 初审
    second_review: Mapped[str] = mapped_column(String(100))  # 复审
    final_review: Mapped[str] = mapped_column(String(100))  # 终审
    secrecy_review: Mapped[str] = mapped_column(String(100))  # 保密审查
    withdrawn: Mapped[bool] = mapped_column(default=False)
    # What the public catalogue (政府信息公开目录) shows of an entry (issue 13; migration 0008):
    index_number: Mapped[str] = mapped_column(String(64), default="", server_default="")  # 索引号
    doc_number: Mapped[str] = mapped_column(String(100), default="", server_default="")  # 文号
    issuer: Mapped[str] = mapped_column(
        String(200), default="", server_default=""
    )  # 发布机构; "" = the organ
    url: Mapped[str] = mapped_column(String(500), default="", server_default="")  # where the document is


class CalendarYear(Base):
    """A year of holidays and 调休 days entered beyond (or correcting) the calendar package."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalendarDay(Base):
    """A rest day inside a holiday block, or a 调休 working weekend day, of an entered year."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # holiday | workday
    name: Mapped[str] = mapped_column(String(60), default="")


class AuditEntry(Base):
    """Who changed what, when, from what to what."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    organ_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class User(Base):
    """A person who signs in: an organ's clerk, reviewer or approver, a region's supervisor, or an
    administrator. Passwords are kept only as argon2 hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # clerk | reviewer | approver | supervisor | admin
    organ_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"))  # a region for a supervisor
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Raised when the account is stopped or its sessions are ended: older sessions no longer count.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ReportRecord(Base):
    """An organ's annual report of a year: drafted in the workspace from the records, or uploaded
    as published. Its body is the canonical JSON; its status moves draft → 审核 → 审签 → published."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("organ_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # draft | submitted | reviewed | published
    source: Mapped[str] = mapped_column(String(16))  # workspace | uploaded
    source_name: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # an uploaded report's findings as its reading gave them (READ-* and the layout rules included);
    # None: checked from the body (a workspace's draft, or an upload kept before issue 15)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The report summed up whenever its body or findings change (reports.summarise): its findings
    # of severity error and warning, and the figures the console lists and charts (report_figures),
    # so that the console reads no body (issue 17 §8). ReportRule holds its findings by rule.
    errors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReportRule(Base):
    """Which rules an organ's report's findings name, and how often (as CorpusReportRule for the
    corpus): the console's count by rule is one query over a region's reports."""

    __tablename__ = "report_rules"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    severity: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ReportFile(Base):
    """A published report as rendered for download (DOCX, PDF), kept so that a download does not
    run the writers (PDF through LibreOffice) again (issue 13). Valid for the report's ``version``:
    a report published again (a new upload) is rendered again."""

    __tablename__ = "report_files"
    __table_args__ = (UniqueConstraint("report_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    form: Mapped[str] = mapped_column(String(8))  # docx | pdf
    version: Mapped[int] = mapped_column(Integer)  # the report's version it was rendered from
    data: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportComment(Base):
    """A remark made on a report in review (退回意见, 审核意见…)."""

    __tablename__ = "report_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text, default="")


class Submission(Base):
    """A request filed on the public portal, waiting for the organ to confirm it (条例第三十一条:
    an online request is received on the day both sides confirm it). The applicant follows it by
    its tracking code."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), index=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # the applicant's form, as filed
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | registered | rejected
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    note: Mapped[str] = mapped_column(Text, default="")  # why it was not registered


# --- written notices (issue 13 §4) ---------------------------------------------------------------


class NoticeSetting(Base):
    """What an organ sets once for its written notices: its short name and 文号 patterns, the
    reconsideration organ and court of the remedy sentence, how to pay a fee, a contact line
    (the JSON of :class:`gongkai.casework.notices.NoticeSettings`)."""

    __tablename__ = "notice_settings"

    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(100))


class NoticeTemplate(Base):
    """An organ's own text of a notice template, used instead of the shipped default."""

    __tablename__ = "notice_templates"
    __table_args__ = (UniqueConstraint("organ_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    name: Mapped[str] = mapped_column(String(60))  # correction, answer.granted, remedy, …
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(100))


class Notice(Base):
    """A written notice issued for a step of a request, kept as it went out (the letter's JSON, to
    print it again exactly), with its 文号 and how and when it was delivered (送达)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("organ_id", "number"),
        UniqueConstraint("organ_id", "series", "seq"),
        UniqueConstraint("request_id", "step"),  # one notice for a step
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)  # the seq of the request event it tells of
    kind: Mapped[str] = mapped_column(String(40))
    series: Mapped[str] = mapped_column(String(100))  # the 文号 with its running number open
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))  # 文号
    issued_on: Mapped[date] = mapped_column(Date)
    letter: Mapped[dict[str, Any]] = mapped_column(JSON)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the clerk filled in
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(100))
    delivery_channel: Mapped[str | None] = mapped_column(String(16))  # in_person | post | email | online
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivery_recorded_by: Mapped[str] = mapped_column(String(100), default="")


class EndedSession(Base):
    """A signed-in session ended by signing out (issue 14): its signed cookie, copied before, no
    longer counts, while the person's other sessions go on. A row is needed only while such a cookie
    could still be valid (the session's lifetime); older rows are removed at the next sign-out."""

    __tablename__ = "ended_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


# --- the corpus of published reports (issue 17 §1) ---------------------------------------------


class CorpusSource(Base):
    """A file of published reports taken into the corpus (``gongkai ingest``): one row per distinct
    content, so that the same file twice, under any name, is one source. ``error`` says why it
    could not be read (None when it was): such a file is not read again unless asked."""

    __tablename__ = "corpus_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))  # the path as given when first ingested
    size: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(16))  # text, pdf, docx… (by content)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class CorpusReport(Base):
    """One report read from a corpus source (a page may hold several: ``position`` 0, 1…), with
    what checking it found, and the organ it was matched to by name (None: not matched yet)."""

    __tablename__ = "corpus_reports"
    __table_args__ = (
        UniqueConstraint("source_id", "position"),
        # coverage and league tables read these alone, not the rows (index-only scans)
        Index("ix_corpus_reports_year_dates", "year", "organ_id", "published_on", "signed_on"),
        Index("ix_corpus_reports_organ_errors", "organ_id", "year", "errors", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id"))
    position: Mapped[int] = mapped_column(Integer)
    organ_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"))
    organ_name: Mapped[str] = mapped_column(String(200))  # as printed in the report ("" when none is)
    organ_key: Mapped[str] = mapped_column(String(200), index=True)  # the name as matched (organ_key())
    year: Mapped[int | None] = mapped_column(Integer)  # None when the report does not say
    format: Mapped[str] = mapped_column(String(8))  # 2021 | 2019
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # the canonical report JSON
    findings: Mapped[list[Any]] = mapped_column(JSON)  # as `gongkai check` gives them
    # When it was published (条例第四十九条's deadline): as its page states it ("page") or as a list
    # given to ``gongkai ingest --dates`` says ("list"); None when unknown. And the date it was
    # signed (落款、成文日期), a lower bound of the publication date.
    published_on: Mapped[date | None] = mapped_column(Date)
    published_from: Mapped[str | None] = mapped_column(String(8))
    signed_on: Mapped[date | None] = mapped_column(Date)
    # How many findings of severity error and warning: lists and league tables count and filter on
    # these (and on CorpusReportRule) instead of reading every report's findings.
    errors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CorpusReportRule(Base):
    """Which rules a corpus report's findings name, and how often: a summary of ``findings`` kept
    beside it, so that a league table or a list by rule is one indexed query over 100,000 reports.
    A rule once a report (its findings of the rule may differ in severity: the most severe is kept),
    so that reports by rule are counted without a count of distinct ids."""

    __tablename__ = "corpus_report_rules"
    __table_args__ = (Index("ix_corpus_report_rules_rule", "rule", "report_id"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("corpus_reports.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    severity: Mapped[str] = mapped_column(String(8))  # the most severe of its findings of the rule
    count: Mapped[int] = mapped_column(Integer)


class OrganAlias(Base):
    """Another name an organ's reports were published under: a former name (机构改革) or a
    spelling. Reports in the corpus are matched to organs by name or by alias."""

    __tablename__ = "organ_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)  # as matched (organ_key())


class FindingJudgement(Base):
    """A person's judgement on one finding of a corpus report (issue 17 §4): 确认, 不是问题 (with a
    reason) or 已整改. Never changed: a new judgement is a new row, the latest (by id) wins.

    The report is named by its source's content hash and its position in the source, not by the
    corpus rows' ids, so that a judgement outlives the corpus being taken in again; the finding by
    its fingerprint (:func:`gongkai.store.judgements.finding_key`), so that it stays with the same
    finding — same rule, cells and values — across re-checks, and not with a changed one."""

    __tablename__ = "finding_judgements"
    __table_args__ = (Index("ix_finding_judgements_report", "source_sha256", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_sha256: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    finding_key: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))  # confirmed | not_a_problem | fixed
    reason: Mapped[str] = mapped_column(Text)  # "" when none was given (required for not_a_problem)
    judged_by: Mapped[str] = mapped_column(String(100))
    judged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
