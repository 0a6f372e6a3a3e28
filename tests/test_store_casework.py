"""The organ's year in the store, on SQLite and PostgreSQL (issue 5): organs, requests and their
steps, the audit trail, appeals, the register, and the year's tables computed from them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gongkai.casework.annual import build_year
from gongkai.casework.law import APPLICANT_KINDS, OUTCOMES, Channel
from gongkai.casework.requests import (
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Extended,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    Withdrawn,
    make_registration,
)
from gongkai.checks import check_report
from gongkai.model.report import report_cells
from gongkai.store.casefiles import due_requests, find_request, register, take_step
from gongkai.store.db import transaction
from gongkai.store.records import Refused, add_organ, find_organ, organ_tree, work_calendar
from gongkai.store.tables import Appeal, AuditEntry, Document, Publication, RequestEvent, Tally

ACTOR = "测试员"
SYSTEM_OUTCOMES = {"other.no_correction", "other.no_fee"}
ANSWERS = [o for o in OUTCOMES if o not in SYSTEM_OUTCOMES]


def registration(on: date, kind: str = "natural", channel: Channel = Channel.IN_PERSON):
    return make_registration(
        channel=channel,
        arrived=datetime.combine(on, datetime.min.time()),
        confirmed_on=on if channel.needs_confirmation else None,
        applicant_kind=kind,
        applicant_name="张三",
        subject="2025年道路养护资金的使用情况",
    )


def test_organs_form_a_tree_and_codes_are_unique(store) -> None:
    with transaction(store) as s:
        add_organ(s, "xq", "某某区人民政府", kind="region", actor=ACTOR)
        add_organ(s, "xq-kj", "某某区科学技术局", parent="xq", actor=ACTOR)
        add_organ(s, "xq-ban", "某某区人民政府办公室", parent="xq", actor=ACTOR)
    with transaction(store) as s:
        assert [(depth, o.code) for depth, o in organ_tree(s)] == [(0, "xq"), (1, "xq-ban"), (1, "xq-kj")]
        with pytest.raises(Refused, match="已被使用"):
            add_organ(s, "xq-kj", "重复", actor=ACTOR)
        with pytest.raises(Refused, match="不能设下级"):
            add_organ(s, "x", "下级", parent="xq-kj", actor=ACTOR)


def test_a_request_is_numbered_stepped_and_audited(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor=ACTOR)
        calendar = work_calendar(s)
        row = register(s, organ, registration(date(2026, 3, 2)), calendar, actor=ACTOR)
        assert row.number == "2026-0001" and row.answer_due == date(2026, 3, 30)
        second = register(s, organ, registration(date(2026, 3, 3), "commercial"), calendar, actor=ACTOR)
        assert second.number == "2026-0002"
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        row = find_request(s, organ, "2026-0001")
        take_step(
            s, row, Extended(on=date(2026, 3, 20), days=10, approver="主任"), work_calendar(s), actor="李四"
        )
        assert row.answer_due == date(2026, 4, 14)  # +30 working days, 清明 4–6 April skipped
        with pytest.raises(Refused, match="只允许延长一次"):
            take_step(
                s,
                row,
                Extended(on=date(2026, 3, 21), days=5, approver="主任"),
                work_calendar(s),
                actor="李四",
            )
    with transaction(store) as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "request").order_by(AuditEntry.id)
        ).all()
        assert [(e.entity_id, e.action, e.actor) for e in entries] == [
            ("2026-0001", "registered", ACTOR),
            ("2026-0002", "registered", ACTOR),
            ("2026-0001", "延长答复期限", "李四"),
        ]
        assert entries[-1].before["answer_due"] == "2026-03-30"
        assert entries[-1].after["answer_due"] == "2026-04-14"
        assert s.scalars(select(RequestEvent.type).order_by(RequestEvent.id)).all() == [
            "registered",
            "registered",
            "extended",
        ]


def test_a_refused_step_stores_nothing(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "科技局", actor=ACTOR)
        register(s, organ, registration(date(2026, 3, 2)), work_calendar(s), actor=ACTOR)
    with pytest.raises(Refused), transaction(store) as s:
        row = find_request(s, find_organ(s, "kj"), "2026-0001")
        take_step(s, row, Corrected(on=date(2026, 3, 3)), work_calendar(s), actor=ACTOR)
    with transaction(store) as s:
        row = find_request(s, find_organ(s, "kj"), "2026-0001")
        assert row.event_count == 1 and row.status == "办理中"


def test_overdue_and_due_soon_lists(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "科技局", actor=ACTOR)
        calendar = work_calendar(s)
        for day in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 20)):
            register(s, organ, registration(day), calendar, actor=ACTOR)
        today = date(
            2026, 3, 25
        )  # the first is due 2026-03-06 (春节 skipped, two 调休 Saturdays counted), the second 03-30
        overdue = due_requests(s, organ, calendar, today)
        assert [(d.number, d.answer_due, d.working_days_left) for d in overdue] == [
            ("2026-0001", date(2026, 3, 6), -13)
        ]
        soon = due_requests(s, organ, calendar, today, within=5)
        assert [d.number for d in soon] == ["2026-0001", "2026-0002"]
        assert soon[1].working_days_left == 3


def _add_register(s, organ) -> None:
    docs = [
        ("normative", date(2024, 5, 1), None),
        ("normative", date(2025, 3, 1), date(2025, 9, 1)),
        ("normative", date(2025, 6, 1), None),
        ("rules", date(2025, 7, 1), None),
        ("normative", date(2026, 1, 5), None),
    ]
    for kind, issued, repealed in docs:
        s.add(
            Document(
                organ_id=organ.id,
                kind=kind,
                title="文件",
                issued_on=issued,
                published_on=issued,
                repealed_on=repealed,
            )
        )
    s.add(
        Document(
            organ_id=organ.id, kind="normative", title="录错", issued_on=date(2025, 2, 1), withdrawn=True
        )
    )
    for key, value in {
        "licensing.decisions": 120,
        "penalty.decisions": 7,
        "coercion.decisions": 0,
        "fees.amount": Decimal("12.35"),
    }.items():
        s.add(Tally(organ_id=organ.id, year=2025, key=key, value=value))
    s.add(
        Publication(
            organ_id=organ.id,
            title="通知",
            category="政策文件及解读",
            published_on=date(2025, 4, 1),
            channels=["门户网站", "政务微信"],
            first_review="甲",
            second_review="乙",
            final_review="丙",
            secrecy_review="丁",
        )
    )
    s.add(
        Appeal(
            organ_id=organ.id,
            number="复2025-1",
            kind="review",
            filed_on=date(2025, 3, 1),
            result="upheld",
            decided_on=date(2025, 5, 1),
        )
    )
    s.add(Appeal(organ_id=organ.id, number="复2025-2", kind="review", filed_on=date(2025, 11, 1)))
    s.add(
        Appeal(
            organ_id=organ.id,
            number="诉2024-9",
            kind="suit_direct",
            filed_on=date(2024, 10, 1),
            result="corrected",
            decided_on=date(2025, 2, 1),
        )
    )
    s.add(
        Appeal(
            organ_id=organ.id,
            number="诉2024-1",
            kind="suit_direct",
            filed_on=date(2024, 1, 1),
            result="upheld",
            decided_on=date(2024, 6, 1),
        )
    )


def test_the_year_is_built_from_the_records(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor=ACTOR)
        calendar = work_calendar(s)
        _add_register(s, organ)
        a = register(s, organ, registration(date(2024, 12, 20)), calendar, actor=ACTOR)
        b = register(s, organ, registration(date(2025, 3, 2), "commercial"), calendar, actor=ACTOR)
        c = register(s, organ, registration(date(2025, 12, 10), "legal"), calendar, actor=ACTOR)
        d = register(s, organ, registration(date(2025, 4, 7)), calendar, actor=ACTOR)
        take_step(s, a, Answered(on=date(2025, 1, 10), outcome="partial"), calendar, actor=ACTOR)
        take_step(
            s,
            b,
            FeeNoticed(
                on=date(2025, 3, 10),
                received_on=date(2025, 3, 11),
                method="per_page",
                quantity=150,
                yuan=1700,
            ),
            calendar,
            actor=ACTOR,
        )
        take_step(s, b, FeeLapsed(on=date(2025, 4, 30)), calendar, actor=ACTOR)
        take_step(s, d, Answered(on=date(2025, 4, 20), outcome="withheld.third_party"), calendar, actor=ACTOR)
        del c  # still open on 31 December
        report = build_year(s, organ, 2025)
    cells = report_cells(report)
    assert report.format == "2021" and report.agency == "某某区科学技术局" and report.year == 2025
    assert (cells["requests.new.total"], cells["requests.carried_in.total"]) == (3, 1)
    assert (cells["requests.carried_in.natural"], cells["requests.partial.natural"]) == (1, 1)
    assert cells["requests.other.no_fee.commercial"] == 1
    assert cells["requests.withheld.third_party.natural"] == 1
    assert (cells["requests.total.total"], cells["requests.carried_over.legal"]) == (3, 1)
    assert [cells[f"active.normative.{k}"] for k in ("issued", "repealed", "in_force")] == [2, 1, 2]
    assert [cells[f"active.rules.{k}"] for k in ("issued", "repealed", "in_force")] == [1, 0, 1]
    assert (cells["active.licensing.decisions"], cells["active.fees.amount"]) == (120, 12.35)
    assert [cells[f"appeals.review.{k}"] for k in ("upheld", "corrected", "other", "pending", "total")] == [
        1,
        0,
        0,
        1,
        2,
    ]
    assert [
        cells[f"appeals.suit_direct.{k}"] for k in ("upheld", "corrected", "other", "pending", "total")
    ] == [0, 1, 0, 0, 1]
    assert "新收政府信息公开申请3件" in report.sections.overview
    assert "政策文件及解读1条" in report.sections.overview and "政务微信1条" in report.sections.overview
    assert report.sections.other == "2025年发出收费通知1件，金额共1700元；未收取信息处理费。"
    table_findings = [f for f in check_report(report) if not f.rule.startswith("SEC-")]
    assert table_findings == []


def test_a_2020_year_gets_the_2019_layout(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "科技局", actor=ACTOR)
        calendar = work_calendar(s)
        row = register(s, organ, registration(date(2020, 3, 2)), calendar, actor=ACTOR)
        take_step(s, row, Withdrawn(on=date(2020, 3, 5)), calendar, actor=ACTOR)
        for key, value in {"licensing.items": 40, "licensing.decisions": 9}.items():
            s.add(Tally(organ_id=organ.id, year=2020, key=key, value=value))
        s.add(Tally(organ_id=organ.id, year=2019, key="licensing.items", value=43))
        report = build_year(s, organ, 2020)
    cells = report_cells(report)
    assert report.format == "2019"
    assert cells["requests.other.natural"] == 1
    assert [cells[f"active.licensing.{k}"] for k in ("previous", "change", "decisions")] == [43, -3, 9]
    assert cells["active.penalty.previous"] is None


# --- any sequence of steps gives tables that pass every check -------------------------------------

PLANS = ("answer", "correct", "lapse", "consult", "extend", "fee_paid", "fee_lapsed", "withdraw", "open")


@st.composite
def request_plans(draw):
    received = draw(st.dates(date(2025, 1, 2), date(2026, 9, 30)))
    return (
        received,
        draw(st.sampled_from(APPLICANT_KINDS)),
        draw(st.sampled_from(PLANS)),
        draw(st.sampled_from(ANSWERS)),
        draw(st.integers(1, 6)),  # calendar days between steps
    )


def _play(s, organ, calendar, plan) -> None:
    received, kind, how, outcome, gap = plan
    row = register(s, organ, registration(received, kind), calendar, actor=ACTOR)
    day = received + timedelta(days=gap)

    def step(event) -> None:
        take_step(s, row, event, calendar, actor=ACTOR)

    if how == "open":
        return
    if how == "withdraw":
        return step(Withdrawn(on=day))
    if how in ("correct", "lapse"):
        step(CorrectionRequested(on=day, respond_by=day + timedelta(days=10)))
        if how == "lapse":
            return step(CorrectionLapsed(on=day + timedelta(days=11)))
        day += timedelta(days=gap)
        step(Corrected(on=day))
    if how == "consult":
        step(ConsultationStarted(on=day, party_kind="third_party"))
        day += timedelta(days=gap)
        step(ConsultationEnded(on=day))
    if how == "extend":
        step(Extended(on=day, days=gap, approver="主任"))
    if how.startswith("fee"):
        step(FeeNoticed(on=day, received_on=day, method="per_request", quantity=11, yuan=100))
        if how == "fee_lapsed":
            due = calendar.add_working_days(day, 20)
            return step(FeeLapsed(on=due + timedelta(days=1)))
        day += timedelta(days=gap)
        step(FeePaid(on=day))
    step(Answered(on=day + timedelta(days=gap), outcome=outcome))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(request_plans(), min_size=1, max_size=25))
def test_any_sequence_of_steps_gives_tables_that_pass_every_check(store, plans) -> None:
    with transaction(store) as s:
        organ = add_organ(s, uuid.uuid4().hex[:10], "某某区科学技术局", actor=ACTOR)
        calendar = work_calendar(s)
        for plan in plans:
            _play(s, organ, calendar, plan)
        reports = {year: build_year(s, organ, year) for year in (2025, 2026)}
    for year, report in reports.items():
        findings = [f for f in check_report(report) if not f.rule.startswith("SEC-")]
        assert findings == [], (year, [(f.rule, f.message) for f in findings])
    last, this = report_cells(reports[2025]), report_cells(reports[2026])
    for kind in (*APPLICANT_KINDS, "total"):
        assert this[f"requests.carried_in.{kind}"] == last[f"requests.carried_over.{kind}"]
    assert last["requests.new.total"] + this["requests.new.total"] == len(plans)
    # the tables count every request once: received in 2025 or 2026, concluded or still open
    open_at_end = this["requests.carried_over.total"]
    assert last["requests.total.total"] + this["requests.total.total"] + open_at_end == len(plans)


def test_the_migrations_make_exactly_the_tables_of_the_models(store) -> None:
    """Alembic's autogenerate finds nothing to add: a change to the tables needs its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from gongkai.store.tables import Base

    with store.kw["bind"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
