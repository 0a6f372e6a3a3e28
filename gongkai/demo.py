"""Demo data for a first look at the web platform (``make run``): a district with several organs, a
year of requests taken through their steps, appeals, the proactive register, and the seed reports
(../shared/seeds, when beside the project) filed as published under organs of their own.

Everything is made up except the seed reports; the random choices are seeded, so every demo is the
same. Accounts share one password, printed by ``gongkai demo``: for a local look only.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gongkai import clock
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
from gongkai.model.report import report_to_json
from gongkai.store.accounts import Role, add_user
from gongkai.store.casefiles import register, take_step
from gongkai.store.records import Refused, add_organ, now, work_calendar
from gongkai.store.register import add_appeal, add_document, add_publication, decide_appeal, set_tally
from gongkai.store.reports import move, open_workspace, report_of, save_sections, summarise
from gongkai.store.tables import Organ, ReportRecord

DEMO_PASSWORD = "gongkai-demo-2026"
REGION = ("demo-qu", "示范区人民政府")
ORGANS = (
    ("demo-kj", "示范区科学技术局"),
    ("demo-jy", "示范区教育局"),
    ("demo-zj", "示范区住房和城乡建设局"),
)
CATEGORIES = ("政策文件及解读", "重大决策预公开", "规划计划", "部门预决算", "专项资金")
CHANNELS = ("门户网站", "政务新媒体", "政府公报")
SYSTEM_OUTCOMES = {"other.no_correction", "other.no_fee"}
APPLICANT_NAMES = {
    "natural": ("张三", "李四", "王五", "赵六", "孙七"),
    "commercial": ("某某科技有限公司", "某某建设集团有限公司"),
    "research": ("某某研究院",),
    "nonprofit": ("某某公益基金会",),
    "legal": ("某某律师事务所",),
    "other_org": ("某某业主委员会", "某某行业协会"),
}


@dataclass(frozen=True)
class DemoAccount:
    """A demo login and what it is for."""

    login: str
    role: str
    organ: str | None
    name: str


ACCOUNTS = (
    DemoAccount("jingban", "clerk", "demo-kj", "经办人 王晓"),
    DemoAccount("shenhe", "reviewer", "demo-kj", "审核人 李明"),
    DemoAccount("shenqian", "approver", "demo-kj", "审签人 张华"),
    DemoAccount("jiandu", "supervisor", REGION[0], "政务公开办 陈静"),
    DemoAccount("admin", "admin", None, "管理员"),
)


def has_demo(session: Session) -> bool:
    """Whether the demo has been made in this database already."""
    return session.scalar(select(func.count()).select_from(Organ).where(Organ.code == REGION[0])) > 0


def make_demo(session: Session, *, year: int, seeds: Path | None = None) -> list[str]:
    """Make the demo data; returns what was made, line by line, for the console."""
    actor = "demo"
    rng = random.Random(2026)
    add_organ(session, *REGION, kind="region", actor=actor)
    organs = [add_organ(session, code, name, parent=REGION[0], actor=actor) for code, name in ORGANS]
    for account in ACCOUNTS:
        add_user(
            session,
            account.login,
            account.name,
            account.role,
            DEMO_PASSWORD,
            organ=account.organ,
            actor=actor,
        )
    calendar = work_calendar(session)
    made = []
    for organ in organs:
        count = 0
        for received in _arrivals(rng, date(year - 1, 11, 1), min(date(year, 12, 31), clock.today()), 90):
            row = register(session, organ, _registration(rng, received), calendar, actor=actor)
            _play(session, row, calendar, rng, received)
            count += 1
        for n in range(rng.randint(2, 6)):
            issued = date(year, 1, 1) + timedelta(days=rng.randrange(300))
            add_document(
                session,
                organ,
                kind=rng.choice(["normative", "normative", "rules"]),
                title=f"{organ.name}管理办法（示例{n + 1}）",
                doc_number=f"示规〔{year}〕{n + 1}号",
                issued_on=issued,
                published_on=issued + timedelta(days=3),
                actor=actor,
            )
        for tally_year in (year - 1, year):  # last year's for its published report
            for key, value in (
                ("licensing.decisions", rng.randint(50, 800)),
                ("penalty.decisions", rng.randint(0, 60)),
                ("coercion.decisions", rng.randint(0, 5)),
                ("fees.amount", Decimal(rng.randint(0, 5000)) / 100),
            ):
                set_tally(session, organ, tally_year, key, Decimal(value), actor=actor)
        for n in range(rng.randint(20, 60)):
            add_publication(
                session,
                organ,
                title=f"{organ.name}信息公开事项（示例{n + 1}）",
                category=rng.choice(CATEGORIES),
                published_on=date(year, 1, 1) + timedelta(days=rng.randrange(330)),
                channels=rng.sample(CHANNELS, rng.randint(1, 2)),
                sign_offs={
                    "first_review": "初审人",
                    "second_review": "复审人",
                    "final_review": "终审人",
                    "secrecy_review": "保密审查人",
                },
                actor=actor,
            )
        for n in range(rng.randint(0, 3)):
            filed = date(year, 1, 1) + timedelta(days=rng.randrange(300))
            appeal = add_appeal(
                session,
                organ,
                number=f"示复〔{year}〕{organ.code}-{n + 1}号",
                kind=rng.choice(["review", "suit_direct", "suit_after_review"]),
                filed_on=filed,
                actor=actor,
            )
            decided = filed + timedelta(days=rng.randint(30, 120))
            if decided <= clock.today() and rng.random() < 0.7:
                decide_appeal(
                    session,
                    appeal,
                    rng.choice(["upheld", "upheld", "corrected", "other"]),
                    decided,
                    actor=actor,
                )
        made.append(f"{organ.name}：{count} 件申请及其办理经过、主动公开登记、复议诉讼")
    for organ in organs:
        made += _publish_last_year(session, organ, year - 1, actor)
    made += list(_file_seeds(session, seeds, actor))
    return made


# The text a clerk writes around the computed tables (the sentences quoting figures are drafted).
_SECTION_TEXT = {
    "active": "本机关按照政府信息公开目录主动公开政府信息，具体情况见下表。",
    "requests": "本年度依申请公开工作依法按期办理，具体情况见下表。",
    "appeals": "本年度因政府信息公开引起的行政复议、行政诉讼情况见下表。",
    "problems": "存在的主要问题是信息更新不够及时、解读形式较为单一。下一步将加强发布前审核，丰富解读形式，改进发布流程。",
}
_OVERVIEW_ASPECTS = (
    "（三）政府信息管理：落实公开前保密审查。（四）政府信息公开平台建设：完善门户网站政府信息公开专栏。"
    "（五）监督保障：开展政府信息公开工作社会评议。"
)


def _publish_last_year(session: Session, organ: Organ, year: int, actor: str) -> list[str]:
    """Last year's report of a demo organ, computed from its records and taken through the review
    (提交审核, 审核通过, 审签发布) as its staff would, so that the console, the portal and the
    side-by-side view have reports to show. Nothing is filed when its checks find an error."""
    row = open_workspace(session, organ, year, actor=actor)
    drafted = report_of(row).sections
    overview = ((drafted.overview if drafted else None) or "") + _OVERVIEW_ASPECTS
    save_sections(session, row, {**_SECTION_TEXT, "overview": overview}, actor=actor)
    try:
        for name, role in (("submit", Role.CLERK), ("approve", Role.REVIEWER), ("publish", Role.APPROVER)):
            move(session, row, name, role, actor=actor)
    except Refused as exc:  # a finding the demo's text does not answer: left as a draft, said why
        return [f"{organ.name} {year} 年度报告留作草稿：{exc}"]
    return [f"{organ.name} {year} 年度报告：由办理记录生成，经审核、审签发布"]


def _arrivals(rng: random.Random, first: date, last: date, count: int) -> Iterator[date]:
    days = (last - first).days
    yield from sorted(first + timedelta(days=rng.randrange(days + 1)) for _ in range(count))


def _registration(rng: random.Random, received: date):
    kind = rng.choices(APPLICANT_KINDS, weights=[70, 12, 3, 3, 6, 6])[0]
    return make_registration(
        channel=Channel.IN_PERSON if rng.random() < 0.3 else Channel.ONLINE,
        arrived=datetime.combine(received, datetime.min.time()) + timedelta(hours=9),
        confirmed_on=received,
        applicant_kind=kind,
        applicant_name=rng.choice(APPLICANT_NAMES[kind]),
        subject=rng.choice(
            [
                "某项目的立项批复",
                "某年度部门预算",
                "某道路改造工程的规划许可",
                "某企业的行政处罚决定书",
                "某专项资金的分配结果",
            ]
        ),
    )


def _play(session: Session, row, calendar, rng: random.Random, received: date) -> None:
    """A plausible course for a request: most answered in time, some corrected, consulted, extended,
    charged or withdrawn; the last few still open. Refused steps are simply not taken."""
    day = received
    steps = []
    roll = rng.random()
    if roll < 0.1:
        steps += [CorrectionRequested(on=day + timedelta(days=2), respond_by=day + timedelta(days=17))]
        steps += (
            [Corrected(on=day + timedelta(days=8))]
            if rng.random() < 0.6
            else [CorrectionLapsed(on=day + timedelta(days=18))]
        )
    elif roll < 0.18:
        steps += [
            ConsultationStarted(on=day + timedelta(days=3), party_kind="third_party", party="某公司"),
            ConsultationEnded(on=day + timedelta(days=12)),
        ]
    elif roll < 0.24:
        steps += [Extended(on=day + timedelta(days=20), days=15, approver="办公室主任")]
    elif roll < 0.27:
        steps += [
            FeeNoticed(
                on=day + timedelta(days=5),
                received_on=day + timedelta(days=6),
                method="per_page",
                quantity=150,
                yuan=1700,
            )
        ]
        steps += (
            [FeePaid(on=day + timedelta(days=10))]
            if rng.random() < 0.5
            else [FeeLapsed(on=day + timedelta(days=40))]
        )
    elif roll < 0.3:
        steps += [Withdrawn(on=day + timedelta(days=4))]
    outcome = (
        rng.choices([o for o in OUTCOMES if o not in SYSTEM_OUTCOMES], weights=None)[0]
        if rng.random() < 0.4
        else "granted"
    )
    steps.append(Answered(on=day + timedelta(days=rng.randint(12, 35)), outcome=outcome))
    for step in steps:
        if step.on > clock.today():
            return
        try:
            take_step(session, row, step, calendar, actor="demo")
        except Refused:
            continue


def _file_seeds(session: Session, seeds: Path | None, actor: str) -> Iterator[str]:
    """Each seed report filed as published under an organ of its own (region 样本报告)."""
    if seeds is None or not seeds.is_dir():
        return
    from gongkai.readers import read_bytes

    add_organ(session, "seeds", "样本报告", kind="region", actor=actor)
    for n, path in enumerate(sorted(seeds.glob("*.txt")), start=1):
        report = read_bytes(path.read_bytes(), path.name).report
        organ = add_organ(session, f"seed-{n}", report.agency or path.stem, parent="seeds", actor=actor)
        row = ReportRecord(
            organ_id=organ.id,
            year=report.year or 0,
            status="published",
            source="uploaded",
            source_name=path.name,
            body=report_to_json(report),
            updated_at=now(),
            published_at=now(),
        )
        session.add(row)
        summarise(session, row, report)
        yield f"样本报告：{organ.name} {report.year} 年度（{path.name}）"
