"""The organ's year in the store, on SQLite and PostgreSQL (issue 5): organs, requests and their
steps, the audit trail, appeals, the register, and the year's tables computed from them."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from support.casefiles import registration

from gongkai.casework.law import APPLICANT_KINDS, OUTCOMES
from gongkai.casework.requests import (
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Delayed,
    Extended,
    FeeCancelled,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    Withdrawn,
)
from gongkai.checks import check_report
from gongkai.model.report import report_cells
from gongkai.store.annual import build_year
from gongkai.store.casefiles import due_requests, find_request, register, take_step
from gongkai.store.db import transaction
from gongkai.store.records import Refused, add_organ, find_organ, organ_tree, work_calendar
from gongkai.store.tables import Appeal, AuditEntry, Document, Publication, RequestEvent, Tally

ACTOR = "测试员"
SYSTEM_OUTCOMES = {"other.no_correction", "other.no_fee"}
ANSWERS = [o for o in OUTCOMES if o not in SYSTEM_OUTCOMES]


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

STEP_KINDS = (
    "correct_ask", "corrected", "correction_lapsed", "consult_start", "consult_end", "extend", "delay",
    "fee_notice", "fee_cancel", "fee_paid", "fee_lapsed", "answer", "withdraw",
)  # fmt: skip


def _event(kind: str, day: date, outcome: str, n: int):
    """One step of the given kind on ``day``; whether the law allows it is for the case to say."""
    return {
        "correct_ask": lambda: CorrectionRequested(on=day, respond_by=day + timedelta(days=10)),
        "corrected": lambda: Corrected(on=day),
        "correction_lapsed": lambda: CorrectionLapsed(on=day),
        "consult_start": lambda: ConsultationStarted(on=day, party_kind=("third_party", "organ")[n % 2]),
        "consult_end": lambda: ConsultationEnded(on=day),
        "extend": lambda: Extended(on=day, days=1 + n % 20, approver="主任"),
        "delay": lambda: Delayed(on=day, until=day + timedelta(days=90)),
        "fee_notice": lambda: FeeNoticed(
            on=day,
            received_on=day,
            method=("per_page", "per_request")[n % 2],
            quantity=31 + n,
            yuan=10 * (n + 1),
        ),
        "fee_cancel": lambda: FeeCancelled(on=day, reason="金额有误"),
        "fee_paid": lambda: FeePaid(on=day),
        "fee_lapsed": lambda: FeeLapsed(on=day),
        "answer": lambda: Answered(on=day, outcome=outcome),
        "withdraw": lambda: Withdrawn(on=day),
    }[kind]()


@st.composite
def request_histories(draw, first: date, last: date):
    received = draw(st.dates(first, last))
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(STEP_KINDS), st.integers(0, 40), st.sampled_from(OUTCOMES), st.integers(0, 30)
            ),
            max_size=7,
        )
    )
    return received, draw(st.sampled_from(APPLICANT_KINDS)), steps


@st.composite
def register_entries(draw, first: date, last: date):
    """Documents (issued, perhaps published later, perhaps repealed) and appeals (perhaps decided)."""
    docs = []
    for _ in range(draw(st.integers(0, 6))):
        issued = draw(st.dates(first, last))
        published = draw(st.none() | st.dates(issued, issued + timedelta(days=400)))
        repealed = draw(st.none() | st.dates(issued, issued + timedelta(days=900)))
        docs.append((draw(st.sampled_from(["rules", "normative"])), issued, published, repealed))
    appeals = []
    for _ in range(draw(st.integers(0, 4))):
        filed = draw(st.dates(first, last))
        decided = draw(st.none() | st.dates(filed, filed + timedelta(days=500)))
        appeals.append(
            (
                draw(st.sampled_from(["review", "suit_direct", "suit_after_review"])),
                filed,
                decided,
                draw(st.sampled_from(["upheld", "corrected", "other"])),
            )
        )
    return docs, appeals


def _play_history(s, organ, calendar, history) -> None:
    """Register the request and try each step: a step the law refuses stores nothing, the rest go in."""
    received, kind, steps = history
    row = register(s, organ, registration(received, kind), calendar, actor=ACTOR)
    day = received
    for step_kind, gap, outcome, n in steps:
        day += timedelta(days=gap)
        with contextlib.suppress(Refused):
            take_step(s, row, _event(step_kind, day, outcome, n), calendar, actor=ACTOR)


ERAS = {
    # years built, and the span requests and register entries are drawn from
    "2019 layout into 2021": ((2020, 2021), date(2019, 11, 1), date(2021, 10, 31)),
    "2021 layout": ((2025, 2026), date(2024, 11, 1), date(2026, 9, 30)),
    # requests received under the 2008 条例 and answered under the revision's layout
    "2008 条例 into 2019 layout": ((2019, 2020), date(2019, 3, 1), date(2020, 6, 30)),
    # steps into 2027, whose holidays nobody has entered: deadlines 待定, tables still whole
    "into a year nobody entered": ((2025, 2026), date(2025, 10, 1), date(2026, 12, 31)),
}


@pytest.mark.property
@pytest.mark.parametrize("era", list(ERAS))
def test_any_sequence_of_steps_gives_tables_that_pass_every_check(store, era: str) -> None:
    """Random histories (each step of any kind, refused or taken) and random register entries, in
    either layout and across the change of layout: the year's tables pass every check, and each year's
    上年结转 equals the last year's 结转下年度, column by column."""
    years, first, last = ERAS[era]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        histories=st.lists(request_histories(first, last), min_size=1, max_size=20),
        entries=register_entries(first, last),
    )
    def check(histories, entries) -> None:
        docs, appeals = entries
        with transaction(store) as s:
            organ = add_organ(s, uuid.uuid4().hex[:10], "某某区科学技术局", actor=ACTOR)
            calendar = work_calendar(s)
            for history in histories:
                _play_history(s, organ, calendar, history)
            for kind, issued, published, repealed in docs:
                s.add(
                    Document(
                        organ_id=organ.id,
                        kind=kind,
                        title="文件",
                        issued_on=issued,
                        published_on=published,
                        repealed_on=repealed,
                    )
                )
            for n, (kind, filed, decided, result) in enumerate(appeals):
                s.add(
                    Appeal(
                        organ_id=organ.id,
                        number=f"案{n}",
                        kind=kind,
                        filed_on=filed,
                        result=result if decided else None,
                        decided_on=decided,
                    )
                )
            reports = {year: build_year(s, organ, year) for year in years}
        for year, report in reports.items():
            findings = [f for f in check_report(report) if not f.rule.startswith("SEC-")]
            assert findings == [], (year, [(f.rule, f.message) for f in findings])
        before, after = (report_cells(reports[y]) for y in years)
        for kind in (*APPLICANT_KINDS, "total"):
            assert after[f"requests.carried_in.{kind}"] == before[f"requests.carried_over.{kind}"]

    check()


def test_the_migrations_make_exactly_the_tables_of_the_models(store) -> None:
    """Alembic's autogenerate finds nothing to add: a change to the tables needs its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from gongkai.store.tables import Base

    with store.kw["bind"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        # autogenerate leaves primary keys alone: a model keyed otherwise than its table would
        # take two rows for one (or one for two) without a word
        inspector = inspect(connection)
        keys = {
            name: inspector.get_pk_constraint(name)["constrained_columns"] for name in Base.metadata.tables
        }
    assert keys == {
        name: [c.name for c in table.primary_key.columns] for name, table in Base.metadata.tables.items()
    }


def test_clerks_registering_at_once_get_distinct_numbers(store) -> None:
    """Six clerks register at the same moment, each holding its transaction a while: every one
    succeeds, and the numbers run 0001–0006 (SQLite takes the write lock at BEGIN, PostgreSQL locks
    the organ's row)."""
    import threading
    import time

    with transaction(store) as s:
        add_organ(s, "kj", "科技局", actor=ACTOR)
    numbers: list[str] = []
    errors: list[str] = []

    def clerk() -> None:
        try:
            with transaction(store) as s:
                row = register(
                    s, find_organ(s, "kj"), registration(date(2026, 3, 2)), work_calendar(s), actor=ACTOR
                )
                time.sleep(0.2)
                numbers.append(row.number)
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=clerk) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"2026-{n:04d}" for n in range(1, 7)]
