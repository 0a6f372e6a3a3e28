"""The proactive register, appeals and 台账 import (issue 5), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from gongkai.store.db import transaction
from gongkai.store.ledger import LedgerProblems, import_ledger
from gongkai.store.records import Refused, add_organ, find_organ
from gongkai.store.register import (
    add_appeal,
    add_document,
    add_publication,
    decide_appeal,
    find_appeal,
    find_document,
    parse_tally,
    repeal_document,
    set_tally,
)
from gongkai.store.tables import AuditEntry, Document, Publication, Tally

ACTOR = "测试员"
SIGNED = {"first_review": "甲", "second_review": "乙", "final_review": "丙", "secrecy_review": "丁"}


@pytest.fixture
def organ_code(store) -> str:
    with transaction(store) as s:
        add_organ(s, "kj", "某某区科学技术局", actor=ACTOR)
    return "kj"


def test_documents_are_repealed_not_deleted_and_audited(store, organ_code: str) -> None:
    with transaction(store) as s:
        organ = find_organ(s, organ_code)
        add_document(
            s,
            organ,
            kind="normative",
            title="某某管理办法",
            doc_number="某科规〔2025〕1号",
            issued_on=date(2025, 3, 1),
            actor=ACTOR,
        )
        with pytest.raises(Refused, match="早于印发日期"):
            add_document(
                s,
                organ,
                kind="rules",
                title="x",
                issued_on=date(2025, 3, 1),
                published_on=date(2025, 2, 1),
                actor=ACTOR,
            )
    with transaction(store) as s:
        doc = find_document(s, find_organ(s, organ_code), "某科规〔2025〕1号")
        repeal_document(s, doc, date(2025, 12, 1), actor="李四")
        with pytest.raises(Refused, match="已于 2025-12-01 废止"):
            repeal_document(s, doc, date(2025, 12, 2), actor="李四")
    with transaction(store) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "repeal")).one()
        assert entry.before["repealed_on"] is None and entry.after["repealed_on"] == "2025-12-01"
        assert s.scalar(select(func.count()).select_from(Document)) == 1


def test_tallies_are_checked_and_corrections_keep_the_old_value(store, organ_code: str) -> None:
    assert parse_tally("fees.amount", "12.35") == Decimal("12.35")
    assert parse_tally("fees.amount", "4166.241619") == Decimal("4166.241619")  # as a real report prints it
    for key, text, message in [
        ("licensing.decisions", "3.5", "应为整数"),
        ("licensing.decisions", "-1", "负数"),
        ("licensing.decisions", "三", "不是数字"),
        ("licence", "1", "未知的统计项"),
        ("fees.amount", "1.1234567", "最多 6 位小数"),
    ]:
        with pytest.raises(Refused, match=message):
            parse_tally(key, text)
    with transaction(store) as s:
        organ = find_organ(s, organ_code)
        set_tally(s, organ, 2025, "licensing.decisions", Decimal(120), actor=ACTOR)
        set_tally(s, organ, 2025, "licensing.decisions", Decimal(121), actor="李四")
    with transaction(store) as s:
        assert s.scalars(select(Tally.value)).all() == [Decimal(121)]
        last = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "tally").order_by(AuditEntry.id.desc())
        ).first()
        assert (last.before, last.after, last.actor) == ({"value": "120"}, {"value": "121"}, "李四")


def test_publications_need_every_sign_off(store, organ_code: str) -> None:
    with transaction(store) as s:
        organ = find_organ(s, organ_code)
        with pytest.raises(Refused, match="缺少终审、保密审查签字"):
            add_publication(
                s,
                organ,
                title="通知",
                category="政策文件及解读",
                published_on=date(2025, 4, 1),
                channels=["门户网站"],
                sign_offs={"first_review": "甲", "second_review": "乙"},
                actor=ACTOR,
            )
        add_publication(
            s,
            organ,
            title="通知",
            category="政策文件及解读",
            published_on=date(2025, 4, 1),
            channels=["门户网站"],
            sign_offs=SIGNED,
            actor=ACTOR,
        )


def test_appeals_are_entered_and_decided_once(store, organ_code: str) -> None:
    with transaction(store) as s:
        organ = find_organ(s, organ_code)
        add_appeal(s, organ, number="某复〔2025〕3号", kind="review", filed_on=date(2025, 5, 6), actor=ACTOR)
        with pytest.raises(Refused, match="已登记"):
            add_appeal(
                s, organ, number="某复〔2025〕3号", kind="review", filed_on=date(2025, 5, 6), actor=ACTOR
            )
        with pytest.raises(Refused, match="案件类别"):
            add_appeal(s, organ, number="x", kind="petition", filed_on=date(2025, 5, 6), actor=ACTOR)
    with transaction(store) as s:
        appeal = find_appeal(s, find_organ(s, organ_code), "某复〔2025〕3号")
        with pytest.raises(Refused, match="早于立案日期"):
            decide_appeal(s, appeal, "upheld", date(2025, 5, 1), actor=ACTOR)
        decide_appeal(s, appeal, "corrected", date(2025, 7, 1), actor=ACTOR)
        with pytest.raises(Refused, match="已于 2025-07-01 审结"):
            decide_appeal(s, appeal, "upheld", date(2025, 8, 1), actor=ACTOR)


def _xlsx(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_clean_excel_ledger_is_imported(store, organ_code: str, tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "台账.xlsx",
        [
            ["某某区科学技术局规范性文件台账"],
            ["序号", "文件名称", "文号", "类别", "印发日期", "公开日期", "废止日期"],
            [1, "某某管理办法", "某科规〔2025〕1号", "行政规范性文件", date(2025, 3, 1), "2025/3/5", None],
            [
                2,
                "某某实施细则",
                "某科规〔2024〕2号",
                "规范性文件",
                "2024年6月1日",
                "2024-06-03",
                "2025-09-30",
            ],
            [None, None, None, None, None, None, None],
            [3, "某某规定", "区政府令第1号", "规章", "2025.7.1", "", ""],
        ],
    )
    with transaction(store) as s:
        assert import_ledger(s, find_organ(s, organ_code), path, "documents", actor=ACTOR) == 3
    with transaction(store) as s:
        docs = s.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.kind, d.issued_on, d.repealed_on) for d in docs] == [
            ("normative", date(2025, 3, 1), None),
            ("normative", date(2024, 6, 1), date(2025, 9, 30)),
            ("rules", date(2025, 7, 1), None),
        ]


def test_a_ledger_with_bad_rows_imports_nothing_and_names_each_row(
    store, organ_code: str, tmp_path: Path
) -> None:
    path = tmp_path / "公开台账.csv"
    rows = [
        "标题,公开目录,发布日期,发布渠道,初审,复审,终审,保密审查",
        "通知一,政策文件及解读,2025-03-01,门户网站、政务微信,甲,乙,丙,丁",
        "通知二,部门预决算,2025-02-30,门户网站,甲,乙,丙,丁",
        "通知三,规划计划,2025-04-01,,甲,乙,,丁",
        ",规划计划,2025-04-01,门户网站,甲,乙,丙,丁",
        "通知五,重大决策预公开,2025-05-01,门户网站,甲,乙,丙,丁",
    ]
    path.write_bytes("\n".join(rows).encode("gb18030"))  # as Excel saves CSV on a Chinese Windows
    with pytest.raises(LedgerProblems) as caught, transaction(store) as s:
        import_ledger(s, find_organ(s, organ_code), path, "publications", actor=ACTOR)
    assert caught.value.problems == [
        (3, "「2025-02-30」不是日期（应如 2025-03-01）"),
        (4, "缺少发布渠道；缺少终审签字（三审三校和保密审查）"),
        (5, "标题为空"),
    ]
    assert "第 3 行" in str(caught.value)
    with transaction(store) as s:
        assert s.scalar(select(func.count()).select_from(Publication)) == 0


def test_a_ledger_without_its_header_says_which_columns_it_needs(
    store, organ_code: str, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "x.xlsx", [["名称", "日期"], ["a", "2025-01-01"]])
    with (
        pytest.raises(Refused, match="找不到表头（需要这些列：类别、标题、印发日期）"),
        transaction(store) as s,
    ):
        import_ledger(s, find_organ(s, organ_code), path, "documents", actor=ACTOR)
