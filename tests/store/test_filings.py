"""Filings as applicants make them (issue 13 §3.7, §3.9), on SQLite and PostgreSQL: one filing split
into several 件 (一事一申请, 办法第四条), the applicant of the month's 按件 count matched the same way
from either side, and a command that says it succeeded only once the change is stored."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from support.commands import gk, ok  # noqa: F401 (the fixture)

from gongkai.casework.law import Channel
from gongkai.casework.requests import make_registration
from gongkai.store.casefiles import nth_in_month, register, register_filing
from gongkai.store.db import transaction
from gongkai.store.records import add_organ, work_calendar
from gongkai.store.tables import Request


def _filing(on: date, name: str, applicant_id: str = "", subject: str = "x"):
    return make_registration(
        channel=Channel.IN_PERSON,
        arrived=datetime.combine(on, datetime.min.time()),
        confirmed_on=None,
        applicant_kind="natural",
        applicant_name=name,
        subject=subject,
        applicant_id=applicant_id,
    )


def test_fee_measures_article_4_one_filing_split_into_several_requests(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor="t")
        rows = register_filing(
            s,
            organ,
            _filing(date(2026, 3, 2), "张三"),
            ["2025年项目立项批复", "", "2025年项目验收报告", "2025年项目经费决算"],
            work_calendar(s),
            actor="t",
        )
        assert [r.number for r in rows] == ["2026-0001", "2026-0002", "2026-0003"]
        assert {r.filing for r in rows} == {"2026-0001"}
        assert [r.subject for r in rows][1] == "2025年项目验收报告"
        # each 件 counts in the applicant's month for 按件计收
        assert [nth_in_month(s, r) for r in rows] == [1, 2, 3]


def test_fee_measures_article_4_the_same_applicant_is_found_from_either_side(store) -> None:
    """With an identity document on both, the document decides; when either lacks one, the name."""
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor="t")
        calendar = work_calendar(s)

        def filed(day: int, name: str, applicant_id: str = "") -> Request:
            return register(s, organ, _filing(date(2026, 3, day), name, applicant_id), calendar, actor="t")

        without_id = filed(2, "张三")
        with_id = filed(3, "张三", "身份证 110101199001011234")
        namesake = filed(4, "张三", "身份证 110101198001015678")  # another 张三: another applicant
        later_without = filed(5, "张三")
        assert nth_in_month(s, without_id) == 1
        assert nth_in_month(s, with_id) == 2  # counts the earlier filing without an ID (same name)
        assert nth_in_month(s, namesake) == 2  # not with_id (other document), but without_id (no document)
        assert nth_in_month(s, later_without) == 4  # every 张三 of the month, as each would count it


def test_a_command_prints_its_success_only_after_the_commit(gk, monkeypatch) -> None:  # noqa: F811
    ok(gk("organs", "add", "kj", "科技局"))
    import gongkai.cli.session as cli

    real = cli.transaction

    @contextlib.contextmanager
    def refused_at_commit(factory):
        with real(factory) as session:
            yield session
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(cli, "transaction", refused_at_commit)
    code, stdout, stderr = gk(
        "requests", "register", "--organ", "kj", "--channel", "in_person", "--arrived", "2026-03-02", "--kind", "natural",
        "--name", "张三", "--subject", "x",
    )  # fmt: skip
    assert code == 2 and "已登记" not in stdout and "数据库忙" in stderr
    monkeypatch.setattr(cli, "transaction", real)
    assert "2026-0001" not in ok(gk("requests", "list", "--organ", "kj"))
    split = ["requests", "register", "--organ", "kj", "--channel", "in_person", "--arrived", "2026-03-02"]
    split += ["--kind", "natural", "--name", "张三", "--subject", "立项批复", "--part", "验收报告"]
    stdout = ok(gk(*split))
    assert "一份申请拆分为 2 件：2026-0001、2026-0002" in stdout and "已登记 2026-0001" in stdout


def test_the_filing_number_is_kept(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor="t")
        register(s, organ, _filing(date(2026, 3, 2), "李四"), work_calendar(s), actor="t")
        assert s.scalars(select(Request.filing)).one() == ""
