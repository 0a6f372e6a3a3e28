"""An organ's whole year run from the command line (issue 5), on SQLite and PostgreSQL: organs,
requests and their steps, appeals, the register and a 台账, the year's report built, checked and
rendered; refusals are one line and store nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA, on_day
from support.commands import gk, ok  # noqa: F401 (the fixture)

from gongkai.checks import check_report
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_bytes

NOTICES = DATA / "notices"


def test_deadline_prints_the_date_and_the_rule(gk) -> None:  # noqa: F811
    code, stdout, stderr = gk("deadline", "--from", "2025-09-26", "--for", "answer")
    assert (code, stdout.strip()) == (0, "2025-10-30")
    assert "条例第三十三条第二款" in stderr
    code, stdout, stderr = gk("deadline", "--from", "2025-10-01", "--days", "20")
    assert (code, stdout.strip()) == (0, "2025-11-04")
    code, stdout, stderr = gk("deadline", "--from", "2026-12-15", "--days", "20")
    assert code == 2 and stdout == "" and "2027 年的节假日和调休安排尚未录入" in stderr
    assert gk("deadline", "--from", "2026-13-01", "--days", "2")[0] == 2


def test_a_year_entered_from_the_notice_lets_deadlines_cross_into_it(gk, tmp_path: Path) -> None:  # noqa: F811
    """A request whose answer date falls in 2027 has none until 2027 is entered; entering it (from a
    fictional notice of our own) gives the date, and the request can then fall overdue."""
    with on_day(date(2026, 12, 6)):
        _year_entered_later(gk, tmp_path)


def _year_entered_later(gk, tmp_path: Path) -> None:  # noqa: F811
    ok(gk("organs", "add", "kj", "科技局"))
    ok(
        gk(
            "requests",
            "register",
            "--organ",
            "kj",
            "--channel",
            "in_person",
            "--arrived",
            "2026-12-01",
            "--kind",
            "natural",
            "--name",
            "张三",
            "--subject",
            "x",
        )
    )
    # a consultation from 2 December is taken to last its 15 working days: the answer moves into 2027
    ok(gk("consult", "start", "--organ", "kj", "2026-0001", "--party", "某公司", "--on", "2026-12-02"))
    assert "2027 年的节假日和调休安排尚未录入" in ok(gk("requests", "show", "--organ", "kj", "2026-0001"))
    partial = tmp_path / "元旦.txt"
    partial.write_text(
        "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n",
        encoding="utf-8",
    )
    code, _, stderr = gk("calendar", "import", partial)
    assert code == 2 and "缺少春节、清明节、劳动节、端午节、中秋节、国庆节" in stderr
    imported = ok(gk("calendar", "import", NOTICES / "2027-fictional.txt"))
    assert "已导入 2027 年：放假 32 天，调休上班 4 天；重新计算了 1 件在办申请的期限" in imported
    # From Tue 2026-12-15: 12 working days to Thu 2026-12-31, then 8 from Mon 2027-01-04 (1–3 off).
    assert ok(gk("deadline", "--from", "2026-12-15", "--days", "20")).strip() == "2027-01-13"
    assert "2027-01-01  放假  元旦" in ok(gk("calendar", "show", "2027"))
    # 2026-12-01 + 20 + 15 working days: 22 in December, 13 in January (from the 4th) = 2027-01-20
    code, stdout, _ = gk("overdue", "--organ", "kj", "--today", "2027-01-25")
    assert code == 1 and "2026-0001" in stdout and "2027-01-20" in stdout


def test_a_year_the_package_knows_is_replaced_only_on_purpose(gk) -> None:  # noqa: F811
    code, _, stderr = gk("calendar", "add", "2025", "--partial")
    assert code == 2 and "已由 chinese-calendar 提供" in stderr
    assert ok(gk("deadline", "--from", "2025-09-26", "--days", "20")).strip() == "2025-10-30"


def test_organs_are_added_under_a_region_and_renamed_with_their_problems_named(gk) -> None:  # noqa: F811
    ok(gk("organs", "add", "xq", "某某区人民政府", "--region"))
    ok(gk("organs", "add", "kj", "某某区科学技术局", "--parent", "xq"))
    code, _, stderr = gk("organs", "add", "kj", "", "--parent", "kj")
    assert code == 2
    assert all(part in stderr for part in ("「kj」已被使用", "名称不能为空", "是机关，不是地区"))
    assert gk("organs", "rename", "kj", " ")[0] == 2
    assert "已更名" in ok(gk("organs", "rename", "kj", "某某区科学技术和工业信息化局"))
    assert "  kj  某某区科学技术和工业信息化局" in ok(gk("organs", "list"))


def test_an_organs_whole_year(gk, tmp_path: Path) -> None:  # noqa: F811
    ok(gk("organs", "add", "xq", "某某区人民政府", "--region"))
    ok(gk("organs", "add", "kj", "某某区科学技术局", "--parent", "xq"))
    org = ("--organ", "kj")
    register = ("requests", "register", *org, "--subject", "某项目的立项批复")
    # 2024: one request carried into 2025
    ok(
        gk(
            *register,
            "--channel",
            "in_person",
            "--arrived",
            "2024-12-27",
            "--kind",
            "natural",
            "--name",
            "张三",
        )
    )
    # 2025
    ok(
        gk(
            *register,
            "--channel",
            "online",
            "--arrived",
            "2025-03-01T22:10",
            "--confirmed",
            "2025-03-03",
            "--kind",
            "commercial",
            "--name",
            "某公司",
        )
    )
    ok(
        gk(
            *register,
            "--channel",
            "post_signed",
            "--arrived",
            "2025-04-01",
            "--kind",
            "natural",
            "--name",
            "李四",
        )
    )
    ok(
        gk(
            *register,
            "--channel",
            "in_person",
            "--arrived",
            "2025-05-06",
            "--kind",
            "research",
            "--name",
            "某研究所",
        )
    )
    ok(
        gk(
            *register,
            "--channel",
            "fax",
            "--arrived",
            "2025-12-22",
            "--confirmed",
            "2025-12-22",
            "--kind",
            "legal",
            "--name",
            "某律所",
        )
    )
    ok(gk("answer", *org, "2024-0001", "--outcome", "granted", "--on", "2025-01-08"))
    ok(gk("consult", "start", *org, "2025-0001", "--party", "某公司", "--on", "2025-03-05"))
    ok(gk("consult", "end", *org, "2025-0001", "--on", "2025-03-12"))
    ok(gk("extend", *org, "2025-0001", "--approver", "办公室主任", "--days", "10", "--on", "2025-03-28"))
    ok(gk("answer", *org, "2025-0001", "--outcome", "withheld.third_party", "--on", "2025-04-20"))
    ok(gk("correct", "ask", *org, "2025-0002", "--respond-by", "2025-04-20", "--on", "2025-04-03"))
    ok(gk("correct", "lapsed", *org, "2025-0002", "--on", "2025-04-21"))
    fee = ok(gk("fee", "notice", *org, "2025-0003", "--pages", "150", "--on", "2025-05-09"))
    assert "1700 元" in fee and "70 页 × 10 元 + 50 页 × 20 元" in fee
    ok(gk("fee", "paid", *org, "2025-0003", "--on", "2025-05-15"))
    ok(gk("answer", *org, "2025-0003", "--outcome", "partial", "--on", "2025-05-20"))
    ok(
        gk(
            "appeal",
            "add",
            *org,
            "某复〔2025〕1号",
            "--kind",
            "review",
            "--filed",
            "2025-06-01",
            "--request",
            "2025-0001",
        )
    )
    ok(gk("appeal", "decide", *org, "某复〔2025〕1号", "--result", "upheld", "--on", "2025-08-01"))
    ok(gk("appeal", "add", *org, "某行初〔2025〕9号", "--kind", "suit_direct", "--filed", "2025-11-03"))
    ok(
        gk(
            "register",
            "document",
            *org,
            "--kind",
            "normative",
            "--title",
            "某某管理办法",
            "--issued",
            "2025-02-10",
            "--doc-number",
            "某科规〔2025〕1号",
        )
    )
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "类别,文件名称,文号,印发日期,废止日期\n行政规范性文件,旧办法,某科规〔2020〕3号,2020-05-01,2025-02-10\n",
        encoding="utf-8",
    )
    ok(gk("import", *org, "documents", ledger))
    for key, value in (
        ("licensing.decisions", "36"),
        ("penalty.decisions", "4"),
        ("coercion.decisions", "0"),
        ("fees.amount", "0"),
    ):
        ok(gk("register", "tally", *org, "--year", "2025", "--key", key, "--value", value))
    ok(
        gk(
            "register", "publish", *org, "--title", "关于印发某某管理办法的通知", "--category", "政策文件及解读",
            "--channel", "门户网站", "--first-review", "甲", "--second-review", "乙", "--final-review", "丙",
            "--secrecy-review", "丁", "--on", "2025-02-12",
        )
    )  # fmt: skip

    # an appeal and a document entered by mistake are withdrawn: kept, audited, not counted
    ok(gk("appeal", "add", *org, "误登记", "--kind", "review", "--filed", "2025-07-01"))
    ok(gk("appeal", "withdraw", *org, "误登记"))
    assert "已撤销登记" in ok(gk("appeal", "list", *org))
    ok(
        gk(
            "register",
            "document",
            *org,
            "--kind",
            "rules",
            "--title",
            "录错的规章",
            "--issued",
            "2025-03-01",
            "--doc-number",
            "错号",
        )
    )
    ok(gk("register", "withdraw", *org, "错号"))
    assert gk("register", "withdraw", *org, "错号")[0] == 2
    built = tmp_path / "2025.json"
    ok(gk("report", "build", *org, "--year", "2025", "-o", built))
    report = report_from_json(json.loads(built.read_text(encoding="utf-8")))
    cells = report_cells(report)
    assert (cells["requests.new.total"], cells["requests.carried_in.natural"]) == (4, 1)
    assert cells["requests.withheld.third_party.commercial"] == 1
    assert cells["requests.other.no_correction.natural"] == 1
    assert cells["requests.partial.research"] == 1 and cells["requests.granted.natural"] == 1
    assert cells["requests.carried_over.legal"] == 1 and cells["requests.total.total"] == 4
    assert [cells[f"active.normative.{k}"] for k in ("issued", "repealed", "in_force")] == [1, 1, 1]
    assert (cells["appeals.review.upheld"], cells["appeals.suit_direct.pending"]) == (1, 1)
    assert (cells["appeals.review.total"], cells["active.rules.issued"]) == (1, 0)  # the withdrawn ones
    assert "发出收费通知1件，金额共1700元；实际收取信息处理费1700元" in report.sections.other
    assert [f.rule for f in check_report(report) if not f.rule.startswith("SEC-")] == []

    # The computed report renders, and reads back as the same tables.
    page = tmp_path / "2025.html"
    code, _, _ = gk("render", built, "--to", "html", "-o", page)
    assert code == 0
    assert report_cells(read_bytes(page.read_bytes(), str(page)).report) == cells

    # Lists, and the history of one request with who recorded each step.
    assert "2025-0004" in ok(gk("requests", "list", *org, "--open"))
    shown = ok(gk("requests", "show", *org, "2025-0003"))
    assert "发出收费通知" in shown and "王五 记录" in shown


def _one_request(gk) -> None:  # noqa: F811
    """科技局 (kj) with one request, 2026-0001, received in person on 2026-03-02."""
    ok(gk("organs", "add", "kj", "科技局"))
    register = ("requests", "register", "--organ", "kj", "--channel", "in_person", "--arrived", "2026-03-02")
    ok(gk(*register, "--kind", "natural", "--name", "张三", "--subject", "x"))


def test_refusals_are_one_line_and_store_nothing(gk) -> None:  # noqa: F811
    _one_request(gk)
    cases = [
        (
            ("answer", "--organ", "kj", "2026-0001", "--outcome", "approved", "--on", "2026-03-05"),
            "办理结果应为表三的一行",
        ),
        (
            ("answer", "--organ", "nope", "2026-0001", "--outcome", "granted"),
            "没有代码为「nope」的机关（已有：kj）",
        ),
        (("answer", "--organ", "kj", "2026-0009", "--outcome", "granted"), "没有编号为「2026-0009」的申请"),
        (
            ("extend", "--organ", "kj", "2026-0001", "--approver", "主任", "--on", "2026-04-30"),
            "已于 2026-03-30 届满",
        ),
        (("correct", "received", "--organ", "kj", "2026-0001", "--on", "2026-03-03"), "没有待补正的告知"),
        (("fee", "notice", "--organ", "kj", "2026-0001", "--pages", "40", "--per-request"), "只能用一种"),
        (
            (
                "requests",
                "register",
                "--organ",
                "kj",
                "--channel",
                "online",
                "--arrived",
                "2026-03-02",
                "--kind",
                "natural",
                "--name",
                "a",
                "--subject",
                "x",
            ),
            "双方确认之日",
        ),
        (
            (
                "requests",
                "register",
                "--organ",
                "kj",
                "--channel",
                "in_person",
                "--kind",
                "person",
                "--name",
                "a",
                "--subject",
                "x",
            ),
            "申请人类别应为",
        ),
    ]
    for args, message in cases:
        code, stdout, stderr = gk(*args)
        assert code == 2, (args, stdout, stderr)
        assert message in stderr, (args, stderr)
        assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    shown = ok(gk("requests", "show", "--organ", "kj", "2026-0001"))
    assert shown.count("登记申请") == 1 and "办理中" in shown


def test_a_ledger_with_bad_rows_lists_them_and_imports_nothing(gk, tmp_path: Path) -> None:  # noqa: F811
    ok(gk("organs", "add", "kj", "科技局"))
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "类别,文件名称,印发日期\n规章,甲,2025-01-01\n通知,乙,2025-01-02\n规章,丙,2025年13月1日\n",
        encoding="utf-8",
    )
    code, _, stderr = gk("import", "--organ", "kj", "documents", ledger)
    assert code == 2
    assert "2 行有问题，未导入任何一行" in stderr
    assert "第 3 行：类别应为「规章」或「行政规范性文件」，而不是「通知」" in stderr
    assert "第 4 行：「2025年13月1日」不是日期" in stderr
    code, built, stderr = gk("report", "build", "--organ", "kj", "--year", "2025", "--json")
    assert code == 0 and json.loads(built)["active"]["rules"]["issued"] == 0
    # the figures nobody entered are named, with the key to enter them under
    assert "“行政许可”行“本年处理决定数量”列  ← 统计项 licensing.decisions" in stderr


def test_per_request_fees_count_the_applicants_requests_of_the_calendar_month(gk) -> None:  # noqa: F811
    """按件计收: requests are ranked by receipt within the calendar month, whatever the order they
    were registered in; another applicant's and last month's do not count; a free request gets
    no fee notice."""
    ok(gk("organs", "add", "kj", "科技局"))
    base = (
        "requests",
        "register",
        "--organ",
        "kj",
        "--channel",
        "in_person",
        "--kind",
        "natural",
        "--subject",
        "x",
    )
    zhang = ("--name", "张三", "--id-doc", "110101199001011234")
    ok(gk(*base, "--arrived", "2026-03-12", *zhang))  # 2026-0001: registered first, received last
    ok(gk(*base, "--arrived", "2026-02-27", *zhang))  # 2026-0002: February
    for day in range(2, 12):  # 2026-0003 … 2026-0012: ten March requests
        ok(gk(*base, "--arrived", f"2026-03-{day:02d}", *zhang))
    ok(gk(*base, "--arrived", "2026-03-03", "--name", "李四", "--id-doc", "110101199202022345"))
    code, _, stderr = gk("fee", "notice", "--organ", "kj", "2026-0012", "--per-request", "--on", "2026-03-13")
    assert code == 2 and "按标准不收费（0 元），无需发出收费通知" in stderr
    eleventh = ok(gk("fee", "notice", "--organ", "kj", "2026-0001", "--per-request", "--on", "2026-03-13"))
    assert "收费 100 元" in eleventh and "本月第 11 件" in eleventh and "第四条" in eleventh


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("answer", "--organ", "kj", "2026-0001", "--outcome", "granted", "--on", "2026-02-30"),
            "不是 YYYY-MM-DD",
        ),
        (
            ("delay", "--organ", "kj", "2026-0001", "--until", "2026-02-30", "--on", "2026-03-03"),
            "--until「2026-02-30」",
        ),
        (
            ("correct", "ask", "--organ", "kj", "2026-0001", "--respond-by", "xx", "--on", "2026-03-03"),
            "--respond-by「xx」",
        ),
        (
            ("extend", "--organ", "kj", "2026-0001", "--approver", "  ", "--on", "2026-03-03"),
            "批准人不能为空",
        ),
        (
            (
                "consult",
                "start",
                "--organ",
                "kj",
                "2026-0001",
                "--party",
                "x",
                "--letter-received",
                "2026-13-01",
            ),
            "--letter-received",
        ),
        (
            (
                "register",
                "tally",
                "--organ",
                "kj",
                "--year",
                "2025",
                "--key",
                "fees.amount",
                "--value",
                "NaN",
            ),
            "不是合理的数值",
        ),
        (("register", "repeal", "--organ", "kj", "99999999999999999999999"), "没有编号或文号为"),
        (("deadline", "--from", "9999-12-31", "--days", "1"), "date value out of range"),
        (
            ("appeal", "add", "--organ", "kj", " ", "--kind", "review", "--filed", "2026-03-01"),
            "案号不能为空",
        ),
        (
            ("appeal", "add", "--organ", "kj", "A1", "--kind", "review", "--filed", "2099-03-01"),
            "立案日期 2099-03-01 晚于今天",
        ),
        (("organs", "add", "k2", "名" * 201), "也不能超过 200 字"),
        (
            (
                "register",
                "publish",
                "--organ",
                "kj",
                "--title",
                "t",
                "--category",
                "c",
                "--channel",
                " ",
                "--first-review",
                "a",
                "--second-review",
                "b",
                "--final-review",
                "c",
                "--secrecy-review",
                "d",
                "--on",
                "2026-03-01",
            ),
            "缺少发布渠道",
        ),
    ],
)
def test_bad_values_are_one_line_never_a_traceback(gk, args: tuple[str, ...], message: str) -> None:  # noqa: F811
    _one_request(gk)
    code, stdout, stderr = gk(*args)
    assert code == 2, (stdout, stderr)
    assert message in stderr and "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
