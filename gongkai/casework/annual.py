"""The year's report computed from the organ's records: tables 二, 三 and 四, and the sentences
whose figures come from them.

Counting (format-and-law.md §10.5): 一 counts requests whose first date of receipt falls in the
year; 二 those open on 1 January; 三 those concluded in the year, by outcome; 四 those still open on
31 December. Every request is in one applicant column. So 一 + 二 = 三 + 四 holds in every column by
construction.

Table 四 counts each appeal that was pending at some time in the year: filed in the year, or filed
before and not decided by 1 January. One decided in the year is counted under its result, one still
pending on 31 December under 尚未审结 (and again, under its result, the year it is decided).

The store counts and selects what this module computes from (:class:`YearRecords`, made by
:func:`gongkai.store.annual.year_records`); nothing here queries a database (issue 15).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gongkai.casework.law import APPLICANT_KINDS, outcome_row
from gongkai.model.layouts import Format, expected_format, layout_for
from gongkai.model.report import Report2019, Report2021, Sections, build_report

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


@dataclass(frozen=True)
class RegisteredDocument:
    """A 规章 or 行政规范性文件 of the register, with its dates."""

    kind: str
    issued_on: date
    repealed_on: date | None = None
    published_on: date | None = None


@dataclass(frozen=True)
class YearRecords:
    """An organ's records of a year as the store counts and selects them: what the report of the
    year is computed from."""

    new: Mapping[str, int]  # applicant kind → requests first received in the year
    carried_in: Mapping[str, int]  # … open on 31 December of the year before
    carried_over: Mapping[str, int]  # … open on 31 December of the year
    concluded: Sequence[tuple[str, str, int]]  # (outcome, applicant kind, count) concluded in the year
    # (kind, result, decided on) of each appeal, not withdrawn, pending at some time in the year
    appeals: Sequence[tuple[str, str | None, date | None]]
    documents: Sequence[RegisteredDocument]  # not withdrawn, issued by 31 December
    tallies: Mapping[str, Decimal]  # table 二's figures entered for the year
    tallies_before: Mapping[str, Decimal]  # … and for the year before
    publications: Sequence[tuple[str, Sequence[str]]]  # (category, channels) published in the year
    fee_notices: Sequence[int | None]  # the amount of each fee notice of the year
    fees_paid: tuple[int, int]  # (count, yuan) paid in the year
    fees_earlier: tuple[int, int]  # notices of earlier years paid or lapsed in the year: (count, yuan)


def _row_cells(row: str, counts: Mapping[str, int]) -> dict[str, int]:
    cells = {f"requests.{row}.{kind}": counts.get(kind, 0) for kind in APPLICANT_KINDS}
    cells[f"requests.{row}.total"] = sum(counts.get(kind, 0) for kind in APPLICANT_KINDS)
    return cells


def request_cells(records: YearRecords, fmt: Format) -> dict[str, int]:
    """Table 三 of the year from the organ's requests, in the layout of ``fmt``."""
    cells: dict[str, int] = {}
    cells |= _row_cells("new", records.new)
    cells |= _row_cells("carried_in", records.carried_in)
    cells |= _row_cells("carried_over", records.carried_over)
    outcomes: dict[str, Counter[str]] = {row.key: Counter() for row in layout_for(fmt).request_rows}
    for outcome, kind, count in records.concluded:
        outcomes[outcome_row(outcome, fmt)][kind] += count
        outcomes["total"][kind] += count
    for row, counts in outcomes.items():
        if row not in ("new", "carried_in", "carried_over"):
            cells |= _row_cells(row, counts)
    return cells


def appeal_cells(records: YearRecords, year: int) -> dict[str, int]:
    """Table 四 of ``year`` from the organ's appeals."""
    last = date(year, 12, 31)
    cells = {
        f"appeals.{kind}.{col}": 0 for kind in APPEAL_KINDS for col in (*APPEAL_RESULTS, "pending", "total")
    }
    for kind, result, decided_on in records.appeals:
        column = result if decided_on is not None and decided_on <= last else "pending"
        cells[f"appeals.{kind}.{column}"] += 1
        cells[f"appeals.{kind}.total"] += 1
    return cells


def _number(value: Decimal | None, money: bool = False) -> int | float | None:
    if value is None:
        return None
    if money and value != value.to_integral_value():
        return float(value)
    return int(value)


def active_cells(records: YearRecords, year: int, fmt: Format) -> dict[str, int | float | None]:
    """Table 二 of ``year``: documents from the register, the other figures as entered."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    docs = records.documents
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
    now, before = records.tallies, records.tallies_before
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


def year_figures(records: YearRecords, cells: dict[str, int | float | None]) -> YearFigures:
    """The figures the year's sentences quote."""
    by_category = Counter(category for category, _ in records.publications)
    by_channel = Counter(channel for _, channels in records.publications for channel in channels)
    return YearFigures(
        publications=len(records.publications),
        by_category=dict(by_category.most_common()),
        by_channel=dict(by_channel.most_common()),
        new=int(cells["requests.new.total"] or 0),
        carried_in=int(cells["requests.carried_in.total"] or 0),
        concluded=int(cells["requests.total.total"] or 0),
        carried_over=int(cells["requests.carried_over.total"] or 0),
        fee_notices=len(records.fee_notices),
        fee_noticed_yuan=sum(yuan or 0 for yuan in records.fee_notices),
        fee_paid=int(records.fees_paid[0]),
        fee_paid_yuan=int(records.fees_paid[1]),
        earlier_notices=int(records.fees_earlier[0]),
        earlier_yuan=int(records.fees_earlier[1]),
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


def year_report(records: YearRecords, *, agency: str, year: int) -> Report2021 | Report2019:
    """The canonical report of ``agency`` for ``year`` from its records: tables computed, sentences
    drafted.

    A year before 2021 gets the 2019 layout (2019 and 2020 reports used it).
    """
    fmt = expected_format(year) or Format.F2021
    cells: dict[str, int | float | None] = {}
    cells |= active_cells(records, year, fmt)
    cells |= request_cells(records, fmt)
    cells |= appeal_cells(records, year)
    sections = draft_sentences(year_figures(records, cells), year)
    return build_report(fmt, cells, agency=agency, year=year, sections=sections)
