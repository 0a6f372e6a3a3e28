"""The year's report computed from the organ's records: tables 二, 三 and 四, and the sentences
whose figures come from them.

Counting (format-and-law.md §10.5): 一 counts requests whose first date of receipt falls in the
year; 二 those open on 1 January; 三 those concluded in the year, by outcome; 四 those still open on
31 December. Every request is in one applicant column. So 一 + 二 = 三 + 四 holds in every column by
construction.

Table 四 counts each appeal that was pending at some time in the year: filed in the year, or filed
before and not decided by 1 January. One decided in the year is counted under its result, one still
pending on 31 December under 尚未审结 (and again, under its result, the year it is decided).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from gongkai.casework.law import ABANDONED_NO_FEE, APPLICANT_KINDS, outcome_row
from gongkai.model.layouts import Format, expected_format, layout_for
from gongkai.model.report import Report2019, Report2021, Sections, build_report
from gongkai.store.tables import Appeal, Document, Organ, Publication, Request, Tally

APPEAL_KINDS = ("review", "suit_direct", "suit_after_review")
APPEAL_KIND_LABELS = {
    "review": "行政复议",
    "suit_direct": "未经复议直接起诉",
    "suit_after_review": "复议后起诉",
}
APPEAL_RESULTS = ("upheld", "corrected", "other")
APPEAL_RESULT_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}
DOCUMENT_KINDS = {"rules": "规章", "normative": "行政规范性文件"}

# Figures of table 二 that come from other systems, entered once a year, per layout.
TALLY_KEYS_2021 = {
    "licensing.decisions": "行政许可 本年处理决定数量",
    "penalty.decisions": "行政处罚 本年处理决定数量",
    "coercion.decisions": "行政强制 本年处理决定数量",
    "fees.amount": "行政事业性收费 本年收费金额（万元）",
}
TALLY_KEYS_2019 = {
    "licensing.items": "行政许可 年末项目数量",
    "licensing.decisions": "行政许可 处理决定数量",
    "other_services.items": "其他对外管理服务事项 年末项目数量",
    "other_services.decisions": "其他对外管理服务事项 处理决定数量",
    "penalty.items": "行政处罚 年末项目数量",
    "penalty.decisions": "行政处罚 处理决定数量",
    "coercion.items": "行政强制 年末项目数量",
    "coercion.decisions": "行政强制 处理决定数量",
    "fees.items": "行政事业性收费 年末项目数量",
    "procurement.projects": "政府集中采购 采购项目数量",
    "procurement.amount": "政府集中采购 采购总金额（元）",
}
TALLY_KEYS = {**TALLY_KEYS_2019, **TALLY_KEYS_2021}
MONEY_TALLIES = {"fees.amount", "procurement.amount"}


@dataclass(frozen=True)
class YearFigures:
    """What the year's sentences quote: publications, requests, fees."""

    publications: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    new: int
    carried_in: int
    concluded: int
    carried_over: int
    fee_notices: int
    fee_noticed_yuan: int
    fee_paid: int
    fee_paid_yuan: int
    earlier_notices: int = 0  # notices of earlier years paid or lapsed this year
    earlier_yuan: int = 0


def _by_kind(session: Session, organ: Organ, *conditions) -> Counter[str]:
    rows = session.execute(
        select(Request.applicant_kind, func.count())
        .where(Request.organ_id == organ.id, *conditions)
        .group_by(Request.applicant_kind)
    )
    return Counter({kind: count for kind, count in rows})


def _row_cells(row: str, counts: Counter[str]) -> dict[str, int]:
    cells = {f"requests.{row}.{kind}": counts.get(kind, 0) for kind in APPLICANT_KINDS}
    cells[f"requests.{row}.total"] = sum(counts.get(kind, 0) for kind in APPLICANT_KINDS)
    return cells


def request_cells(session: Session, organ: Organ, year: int, fmt: Format) -> dict[str, int]:
    """Table 三 of ``year`` from the organ's requests, in the layout of ``fmt``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    cells: dict[str, int] = {}
    cells |= _row_cells("new", _by_kind(session, organ, Request.received_on.between(first, last)))
    # The same rule as RequestCase.open_on, as SQL: received by ``day`` and not concluded on or before it.
    open_on = lambda day: and_(  # noqa: E731
        Request.received_on <= day, or_(Request.concluded_on.is_(None), Request.concluded_on > day)
    )
    cells |= _row_cells("carried_in", _by_kind(session, organ, open_on(date(year - 1, 12, 31))))
    cells |= _row_cells("carried_over", _by_kind(session, organ, open_on(last)))
    outcomes: dict[str, Counter[str]] = {row.key: Counter() for row in layout_for(fmt).request_rows}
    rows = session.execute(
        select(Request.outcome, Request.applicant_kind, func.count())
        .where(Request.organ_id == organ.id, Request.concluded_on.between(first, last))
        .group_by(Request.outcome, Request.applicant_kind)
    )
    for outcome, kind, count in rows:
        outcomes[outcome_row(outcome, fmt)][kind] += count
        outcomes["total"][kind] += count
    for row, counts in outcomes.items():
        if row not in ("new", "carried_in", "carried_over"):
            cells |= _row_cells(row, counts)
    return cells


def appeal_cells(session: Session, organ: Organ, year: int) -> dict[str, int]:
    """Table 四 of ``year`` from the organ's appeals."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    cells = {
        f"appeals.{kind}.{col}": 0 for kind in APPEAL_KINDS for col in (*APPEAL_RESULTS, "pending", "total")
    }
    rows = session.execute(
        select(Appeal.kind, Appeal.result, Appeal.decided_on).where(
            Appeal.organ_id == organ.id,
            Appeal.withdrawn.is_(False),
            Appeal.filed_on <= last,
            or_(Appeal.decided_on.is_(None), Appeal.decided_on >= first),
        )
    )
    for kind, result, decided_on in rows:
        column = result if decided_on is not None and decided_on <= last else "pending"
        cells[f"appeals.{kind}.{column}"] += 1
        cells[f"appeals.{kind}.total"] += 1
    return cells


def _tallies(session: Session, organ: Organ, year: int) -> dict[str, Decimal]:
    rows = session.execute(
        select(Tally.key, Tally.value).where(Tally.organ_id == organ.id, Tally.year == year)
    )
    return {key: value for key, value in rows}


def _number(value: Decimal | None, money: bool = False) -> int | float | None:
    if value is None:
        return None
    if money and value != value.to_integral_value():
        return float(value)
    return int(value)


def active_cells(session: Session, organ: Organ, year: int, fmt: Format) -> dict[str, int | float | None]:
    """Table 二 of ``year``: documents from the register, the other figures as entered."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    docs = session.scalars(
        select(Document).where(
            Document.organ_id == organ.id, Document.withdrawn.is_(False), Document.issued_on <= last
        )
    ).all()
    cells: dict[str, int | float | None] = {}
    for kind in DOCUMENT_KINDS:
        mine = [d for d in docs if d.kind == kind]
        issued = sum(first <= d.issued_on for d in mine)
        in_force = sum(d.repealed_on is None or d.repealed_on > last for d in mine)
        if fmt == Format.F2021:
            cells[f"active.{kind}.issued"] = issued
            cells[f"active.{kind}.repealed"] = sum(
                d.repealed_on is not None and first <= d.repealed_on <= last for d in mine
            )
            cells[f"active.{kind}.in_force"] = in_force
        else:
            # 2019 layout: 对外公开总数量 is how many have been disclosed in all, repealed or not; a
            # document without a date of publication counts as published when issued.
            disclosed = [d.published_on or d.issued_on for d in mine]
            cells[f"active.{kind}.made"] = issued
            cells[f"active.{kind}.published"] = sum(first <= day <= last for day in disclosed)
            cells[f"active.{kind}.total"] = sum(day <= last for day in disclosed)
    now, before = _tallies(session, organ, year), _tallies(session, organ, year - 1)
    if fmt == Format.F2021:
        for key in TALLY_KEYS_2021:
            cells[f"active.{key}"] = _number(now.get(key), key in MONEY_TALLIES)
        return cells
    for group in ("licensing", "other_services", "penalty", "coercion", "fees"):
        items, previous = now.get(f"{group}.items"), before.get(f"{group}.items")
        cells[f"active.{group}.previous"] = _number(previous)
        cells[f"active.{group}.change"] = (
            _number(items - previous) if items is not None and previous is not None else None
        )
        if group != "fees":
            cells[f"active.{group}.decisions"] = _number(now.get(f"{group}.decisions"))
    cells["active.procurement.projects"] = _number(now.get("procurement.projects"))
    cells["active.procurement.amount"] = _number(now.get("procurement.amount"), money=True)
    return cells


def year_figures(
    session: Session, organ: Organ, year: int, cells: dict[str, int | float | None]
) -> YearFigures:
    """The figures the year's sentences quote."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    published = session.execute(
        select(Publication.category, Publication.channels).where(
            Publication.organ_id == organ.id,
            Publication.withdrawn.is_(False),
            Publication.published_on.between(first, last),
        )
    ).all()
    by_category = Counter(category for category, _ in published)
    by_channel = Counter(channel for _, channels in published for channel in channels)
    fees = session.execute(
        select(Request.fee_yuan, Request.fee_paid_on).where(
            Request.organ_id == organ.id, Request.fee_noticed_on.between(first, last)
        )
    ).all()
    paid = session.execute(
        select(func.count(), func.coalesce(func.sum(Request.fee_yuan), 0)).where(
            Request.organ_id == organ.id, Request.fee_paid_on.between(first, last)
        )
    ).one()
    earlier = session.execute(
        select(func.count(), func.coalesce(func.sum(Request.fee_yuan), 0)).where(
            Request.organ_id == organ.id,
            Request.fee_noticed_on < first,
            or_(
                Request.fee_paid_on.between(first, last),
                and_(Request.outcome == ABANDONED_NO_FEE, Request.concluded_on.between(first, last)),
            ),
        )
    ).one()
    return YearFigures(
        publications=len(published),
        by_category=dict(by_category.most_common()),
        by_channel=dict(by_channel.most_common()),
        new=int(cells["requests.new.total"] or 0),
        carried_in=int(cells["requests.carried_in.total"] or 0),
        concluded=int(cells["requests.total.total"] or 0),
        carried_over=int(cells["requests.carried_over.total"] or 0),
        fee_notices=len(fees),
        fee_noticed_yuan=sum(yuan or 0 for yuan, _ in fees),
        fee_paid=int(paid[0]),
        fee_paid_yuan=int(paid[1]),
        earlier_notices=int(earlier[0]),
        earlier_yuan=int(earlier[1]),
    )


def draft_sentences(figures: YearFigures, year: int) -> Sections:
    """The sentences of sections 一 and 六 whose figures come from the records; the rest is the
    officer's to write."""
    if figures.publications:
        categories = "，".join(f"{name}{count}条" for name, count in figures.by_category.items())
        channels = "，".join(f"{name}{count}条" for name, count in figures.by_channel.items())
        active = f"（一）主动公开。{year}年共主动公开政府信息{figures.publications}条，其中{categories}；按发布渠道计，{channels}。"
    else:
        active = f"（一）主动公开。{year}年未登记主动公开的政府信息。"
    requests = (
        f"（二）依申请公开。{year}年新收政府信息公开申请{figures.new}件，上年结转{figures.carried_in}件，"
        f"办结{figures.concluded}件，结转下年度继续办理{figures.carried_over}件。"
    )
    return Sections(overview=f"{active}\n{requests}", other=fee_statement(figures, year))


def fee_statement(figures: YearFigures, year: int) -> str:
    """Section 六's statement of the 信息处理费: notices issued and their amount, notices of earlier
    years paid or lapsed this year (so that a 三（六）2 row or a payment has its notice), and the
    amount collected.

    >>> fee_statement(YearFigures(0, {}, {}, 0, 0, 0, 0, 0, 0, 0, 0), 2025)
    '2025年未发出收费通知，未收取信息处理费。'
    """
    if not figures.fee_notices and not figures.earlier_notices and not figures.fee_paid_yuan:
        return f"{year}年未发出收费通知，未收取信息处理费。"
    clauses = [
        f"{year}年发出收费通知{figures.fee_notices}件，金额共{figures.fee_noticed_yuan}元"
        if figures.fee_notices
        else f"{year}年未发出收费通知"
    ]
    if figures.earlier_notices:
        clauses.append(
            f"以前年度发出的收费通知中，有{figures.earlier_notices}件（金额共{figures.earlier_yuan}元）在本年缴费或逾期未缴"
        )
    collected = (
        f"实际收取信息处理费{figures.fee_paid_yuan}元" if figures.fee_paid_yuan else "未收取信息处理费"
    )
    return "；".join([*clauses, collected]) + "。"


def build_year(session: Session, organ: Organ, year: int) -> Report2021 | Report2019:
    """The canonical report of ``organ`` for ``year``: tables computed, sentences drafted.

    A year before 2021 gets the 2019 layout (2019 and 2020 reports used it).
    """
    fmt = expected_format(year) or Format.F2021
    cells: dict[str, int | float | None] = {}
    cells |= active_cells(session, organ, year, fmt)
    cells |= request_cells(session, organ, year, fmt)
    cells |= appeal_cells(session, organ, year)
    sections = draft_sentences(year_figures(session, organ, year, cells), year)
    return build_report(fmt, cells, agency=organ.name, year=year, sections=sections)
