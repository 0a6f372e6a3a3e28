"""Written notices in the store (issue 13 §4), on SQLite and PostgreSQL: issued for a request's step
with a 文号 from the organ's pattern, numbered per series and year without duplicates (also when
clerks issue at once), kept as JSON and printed again identically, delivered, audited; the organ's
own templates and settings; the applicant's delivered notices by tracking code."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from conftest import on_day
from sqlalchemy import select
from support.casefiles import registration

from gongkai.casework.requests import CorrectionRequested, Extended
from gongkai.store.casefiles import find_request, register, take_step
from gongkai.store.db import transaction
from gongkai.store.notices import (
    NoticeProblems,
    delivered_notices,
    draft_letter,
    find_notice,
    issue_notice,
    letter_of,
    notice_settings,
    notices_of,
    record_delivery,
    reset_template,
    sample_letter,
    save_settings,
    save_template,
    steps_without_notice,
    template_set,
)
from gongkai.store.portal import confirm_submission, file_submission
from gongkai.store.records import Refused, add_organ, find_organ, work_calendar
from gongkai.store.tables import AuditEntry
from gongkai.writers.letter import letter_to_docx

ACTOR = "经办人甲"


@pytest.fixture
def organ_with_request(store):
    """科技局 under its region, with one request that asked for a correction (step 2)."""
    with transaction(store) as s:
        add_organ(s, "xq", "某某区人民政府", kind="region", actor=ACTOR)
        organ = add_organ(s, "kj", "某某区科学技术局", parent="xq", actor=ACTOR)
        calendar = work_calendar(s)
        row = register(s, organ, registration(date(2026, 3, 2)), calendar, actor=ACTOR)
        take_step(
            s,
            row,
            CorrectionRequested(on=date(2026, 3, 4), respond_by=date(2026, 3, 18), what="请写明项目名称"),
            calendar,
            actor=ACTOR,
        )
    return store


def _issue(s, number: str = "2026-0001", step: int = 2, on: date = date(2026, 3, 4), **extras: str):
    organ = find_organ(s, "kj")
    row = find_request(s, organ, number)
    return issue_notice(s, organ, row, step, work_calendar(s), issued_on=on, extras=extras, actor=ACTOR)


def test_a_notice_is_issued_numbered_kept_and_printed_again_identically(organ_with_request) -> None:
    store = organ_with_request
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        row = find_request(s, organ, "2026-0001")
        assert [(step, kind.key) for step, kind in steps_without_notice(s, row, _case(s, row))] == [
            (2, "correction")
        ]
        save_settings(s, organ, {"short_name": "区科技局", "contact": "李四 010-12345678"}, actor=ACTOR)
        notice = _issue(s)
        assert notice.number == "区科技局依申告〔2026〕1号" and notice.kind == "correction"
    with transaction(store) as s:
        notice = find_notice(s, find_organ(s, "kj"), "区科技局依申告〔2026〕1号")
        letter = letter_of(notice)
        assert letter.number == notice.number and letter.recipient == "张三"
        assert "一次性告知你需要补正的事项：请写明项目名称。" in letter.text()
        assert letter.note == "联系人及电话：李四 010-12345678"
        first = letter_to_docx(letter)
        # the organ changes its template afterwards: the notice sent stays as it was sent
        save_template(
            s, find_organ(s, "kj"), "correction", "{{ 称谓 }}：另一种写法。", work_calendar(s), actor=ACTOR
        )
    with transaction(store) as s:
        again = letter_of(find_notice(s, find_organ(s, "kj"), "区科技局依申告〔2026〕1号"))
        assert again == letter and "另一种写法" not in again.text()
        assert _document_xml(letter_to_docx(again)) == _document_xml(first)
        audit = s.scalars(select(AuditEntry).where(AuditEntry.entity == "notice")).all()
        assert [(a.action, a.actor, a.entity_id) for a in audit] == [
            ("issued", ACTOR, "区科技局依申告〔2026〕1号")
        ]


def _case(s, row):
    from gongkai.store.casefiles import load_case

    return load_case(s, row, work_calendar(s))


def _document_xml(data: bytes) -> bytes:
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_numbers_run_per_series_and_year_and_a_step_gets_one_notice(organ_with_request) -> None:
    store = organ_with_request
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        calendar = work_calendar(s)
        for day in (3, 4):
            row = register(s, organ, registration(date(2026, 3, day)), calendar, actor=ACTOR)
            take_step(
                s,
                row,
                Extended(on=date(2026, 3, 20), days=10, approver="主任", reason="需调取档案"),
                calendar,
                actor=ACTOR,
            )
    with transaction(store) as s:
        assert _issue(s).number == "某某区科学技术局依申告〔2026〕1号"  # no short name set: the full name
        assert _issue(s, "2026-0002", on=date(2026, 3, 20)).number == "某某区科学技术局依申告〔2026〕2号"
        save_settings(
            s, find_organ(s, "kj"), {"number_patterns": {"extension": "科技延〔{年}〕{号}号"}}, actor=ACTOR
        )
        assert _issue(s, "2026-0003", on=date(2026, 3, 20)).number == "科技延〔2026〕1号"
        with pytest.raises(NoticeProblems, match="第2步的告知书已于 2026-03-04 签发"):
            _issue(s)
        with pytest.raises(NoticeProblems, match="第1步不需要书面告知"):
            _issue(s, step=1)
        with pytest.raises(NoticeProblems) as caught:
            save_settings(s, find_organ(s, "kj"), {"number_patterns": {"answer": "依申复{号}"}}, actor=ACTOR)
        assert caught.value.problems == {"number_answer": "文号格式须含 {年}：文号按年度编号"}


def test_issuing_checks_the_date_and_the_clerks_lines(organ_with_request) -> None:
    with transaction(organ_with_request) as s:
        with pytest.raises(NoticeProblems, match="不能早于这一步的日期 2026-03-04"):
            _issue(s, on=date(2026, 3, 3))
        with pytest.raises(Refused, match="晚于今天"):
            _issue(s, on=date(2027, 1, 4))
        with pytest.raises(NoticeProblems) as caught:
            _issue(s, 补正事项=" ")
        assert caught.value.problems == {"extra:补正事项": "请填写需要补正的事项"}
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "notice")).all() == []


def test_clerks_issuing_at_once_get_distinct_numbers(organ_with_request) -> None:
    """Four clerks issue at the same moment, each for its own request: four numbers, 1 to 4."""
    store = organ_with_request
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        calendar = work_calendar(s)
        for day in (3, 4, 5):
            row = register(s, organ, registration(date(2026, 3, day)), calendar, actor=ACTOR)
            take_step(
                s,
                row,
                Extended(on=date(2026, 3, 20), days=5, approver="主任", reason="档案"),
                calendar,
                actor=ACTOR,
            )
    numbers, failures = [], []
    start = threading.Barrier(4)

    def clerk(number: str, step: int, on: date) -> None:
        try:
            start.wait()
            with transaction(store) as s:
                numbers.append(_issue(s, number, step, on).number)
        except Exception as exc:  # collected and shown by the assertion below
            failures.append(repr(exc))

    jobs = [("2026-0001", 2, date(2026, 3, 4))] + [(f"2026-000{n}", 2, date(2026, 3, 20)) for n in (2, 3, 4)]
    threads = [threading.Thread(target=clerk, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert sorted(numbers) == [f"某某区科学技术局依申告〔2026〕{n}号" for n in (1, 2, 3, 4)]


def test_delivery_is_recorded_and_audited_and_only_the_applicants_delivered_notices_are_public(
    organ_with_request,
) -> None:
    store = organ_with_request
    with on_day(date(2026, 3, 5)), transaction(store) as s:  # filed and confirmed that day
        organ = find_organ(s, "kj")
        item = file_submission(
            s,
            organ,
            {
                "applicant_kind": "natural",
                "applicant_name": "周八",
                "applicant_id": "身份证 1",
                "applicant_contact": "13800000000",
                "subject": "某项目的批复",
            },
        )
        code = item.tracking_code
        row = confirm_submission(s, item, organ, date(2026, 3, 5), work_calendar(s), actor=ACTOR)
    with transaction(store) as s:
        row = find_request(s, find_organ(s, "kj"), row.number)
        take_step(
            s,
            row,
            CorrectionRequested(on=date(2026, 3, 6), respond_by=date(2026, 3, 20), what="请写明项目名称"),
            work_calendar(s),
            actor=ACTOR,
        )
        notice = _issue(s, row.number, 2, date(2026, 3, 6))
        other = _issue(s)  # another applicant's notice, delivered too
        record_delivery(s, other, "post", date(2026, 3, 9), actor=ACTOR)
    with transaction(store) as s:
        assert delivered_notices(s, code) == []  # issued, not yet delivered
        notice = find_notice(s, find_organ(s, "kj"), notice.id)
        with pytest.raises(NoticeProblems) as caught:
            record_delivery(s, notice, "pigeon", date(2026, 3, 5), actor=ACTOR)
        assert set(caught.value.problems) == {"channel", "delivered_on"}
        record_delivery(s, notice, "online", date(2026, 3, 6), actor=ACTOR)
        record_delivery(s, notice, "email", date(2026, 3, 7), actor="经办人乙")  # corrected
    with transaction(store) as s:
        shown = delivered_notices(s, code)
        assert [(n.number, n.delivery_channel, n.delivered_on) for n in shown] == [
            ("某某区科学技术局依申告〔2026〕1号", "email", date(2026, 3, 7))
        ]
        assert delivered_notices(s, "no-such-code") == []
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "delivered").order_by(AuditEntry.id)
        ).all()
        assert [(e.actor, e.before, e.after) for e in entries][-2:] == [
            (ACTOR, None, {"channel": "online", "delivered_on": "2026-03-06"}),
            (
                "经办人乙",
                {"channel": "online", "delivered_on": "2026-03-06"},
                {"channel": "email", "delivered_on": "2026-03-07"},
            ),
        ]
        assert [n.step for n in notices_of(s, find_request(s, find_organ(s, "kj"), row.number))] == [2]


def test_an_organs_template_replaces_the_default_until_reset(organ_with_request) -> None:
    store = organ_with_request
    text = "{{ 称谓 }}的申请（{{ 申请编号 }}）需补正：{{ 补正事项 }}。\n请于{{ 补正期限 }}前补正。"
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        with pytest.raises(Refused, match="「补正告知书」第2行：没有名为「期限」的变量"):
            save_template(s, organ, "correction", "第一行\n{{ 期限 }}", work_calendar(s), actor=ACTOR)
        assert template_set(s, organ).is_default("correction")
        save_template(s, organ, "correction", text, work_calendar(s), actor=ACTOR)
        preview = sample_letter(s, organ, "correction", work_calendar(s))
        assert preview.paragraphs == (
            "你的申请（2026-0001）需补正：请写明所需信息的项目名称。",
            "请于2026年3月18日前补正。",
        )
        row = find_request(s, organ, "2026-0001")
        draft = draft_letter(s, organ, row, 2, work_calendar(s), issued_on=date(2026, 3, 4), extras={})
        assert draft.number == "某某区科学技术局依申告〔2026〕×号"  # a preview takes no number
        assert draft.paragraphs[0] == "你的申请（2026-0001）需补正：请写明项目名称。"
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        assert reset_template(s, organ, "correction", actor=ACTOR) is True
        assert reset_template(s, organ, "correction", actor=ACTOR) is False
        assert template_set(s, organ).is_default("correction")
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "notice_template")).all()
        assert actions == ["update", "reset"]


def test_the_review_organ_defaults_to_the_region_and_the_organ_may_set_its_own(organ_with_request) -> None:
    with transaction(organ_with_request) as s:
        organ = find_organ(s, "kj")
        assert notice_settings(s, organ).review_organ == "某某区人民政府"
        save_settings(s, organ, {"review_organ": "某某市人民政府", "court": "某某区人民法院"}, actor=ACTOR)
        answer = sample_letter(s, organ, "remedy", work_calendar(s))
        assert answer.paragraphs[-1] == (
            "如对本答复不服，可以自收到本答复之日起60日内向某某市人民政府申请行政复议，"
            "或者自收到本答复之日起6个月内向某某区人民法院提起行政诉讼。"
        )
        with pytest.raises(NoticeProblems) as caught:
            save_settings(s, organ, {"short_name": "字" * 31}, actor=ACTOR)
        assert caught.value.problems == {"short_name": "不超过 30 字"}
