"""Written notices from the command line (issue 13 §4), on SQLite and PostgreSQL: the organ's
settings, a notice issued with its 文号 and written as DOCX, delivered, shown again; an organ's
template set from a file (refused with its line when it does not render) and reset."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from support.commands import gk, ok  # noqa: F401 (the fixture)


def test_a_notice_issued_delivered_and_shown_from_the_command_line(gk, tmp_path: Path) -> None:  # noqa: F811
    ok(gk("organs", "add", "xq", "某某区人民政府", "--region"))
    ok(gk("organs", "add", "kj", "某某区科学技术局", "--parent", "xq"))
    ok(
        gk(
            "requests",
            "register",
            "--organ",
            "kj",
            "--channel",
            "in_person",
            "--arrived",
            "2026-07-01T10:00",
            "--kind",
            "natural",
            "--name",
            "张三",
            "--subject",
            "某路段拓宽工程的立项批复",
        )
    )
    ok(
        gk(
            "extend",
            "--organ",
            "kj",
            "2026-0001",
            "--approver",
            "办公室主任",
            "--days",
            "15",
            "--on",
            "2026-07-10",
        )
    )
    assert "待告知：第2步——政府信息公开申请延期答复告知书" in ok(
        gk("notice", "list", "--organ", "kj", "2026-0001")
    )
    shown = ok(
        gk("notice", "settings", "--organ", "kj", "--short-name", "区科技局", "--court", "某某区人民法院")
    )
    assert (
        "行政复议机关：某某区人民政府" in shown
        and "文号（政府信息公开申请答复书）：{机关简称}依申复〔{年}〕{号}号" in shown
    )
    code, _, stderr = gk("notice", "issue", "--organ", "kj", "2026-0001", "--on", "2026-07-10")
    assert code == 2 and "请填写延期的理由" in stderr  # the extension recorded no reason
    target = tmp_path / "notice.docx"
    issued = ok(
        gk(
            "notice",
            "issue",
            "--organ",
            "kj",
            "2026-0001",
            "--on",
            "2026-07-10",
            "--set",
            "延期理由=需调取档案核查",
            "--to",
            "docx",
            "-o",
            target,
        )
    )
    assert "已签发 区科技局依申告〔2026〕1号" in issued
    paragraphs = [p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert paragraphs[1] == "区科技局依申告〔2026〕1号" and paragraphs[-1] == "2026年7月10日"
    assert any("答复期限延长15个工作日" in p for p in paragraphs)
    code, _, stderr = gk(
        "notice", "deliver", "--organ", "kj", "区科技局依申告〔2026〕1号", "--channel", "fax"
    )
    assert code == 2 and "送达方式应为 当面、邮寄、电子邮件、网上 之一" in stderr
    ok(
        gk(
            "notice",
            "deliver",
            "--organ",
            "kj",
            "区科技局依申告〔2026〕1号",
            "--channel",
            "post",
            "--on",
            "2026-07-13",
        )
    )
    assert "邮寄 2026-07-13" in ok(gk("notice", "list", "--organ", "kj", "2026-0001"))
    assert "因需调取档案核查" in ok(gk("notice", "show", "--organ", "kj", "区科技局依申告〔2026〕1号"))


def test_an_organs_template_from_a_file(gk, tmp_path: Path) -> None:  # noqa: F811
    ok(gk("organs", "add", "kj", "某某区科学技术局"))
    broken = tmp_path / "broken.j2"
    broken.write_text("{{ 称谓 }}：\n请于{{ 补正截至 }}前补正。\n", encoding="utf-8")
    code, _, stderr = gk("notice", "template", "set", "--organ", "kj", "correction", broken)
    assert code == 2 and "告知书模板「补正告知书」第2行：没有名为「补正截至」的变量" in stderr
    good = tmp_path / "good.j2"
    good.write_text("请于{{ 补正期限 }}前补正：{{ 补正事项 }}。\n", encoding="utf-8")
    ok(gk("notice", "template", "set", "--organ", "kj", "correction", good))
    assert "补正告知书（本机关文本）" in ok(gk("notice", "template", "list", "--organ", "kj"))
    assert (
        ok(gk("notice", "template", "show", "--organ", "kj", "correction")).strip()
        == good.read_text().strip()
    )
    assert "已恢复默认文本" in ok(gk("notice", "template", "reset", "--organ", "kj", "correction"))
    assert "一次性告知" in ok(gk("notice", "template", "show", "--organ", "kj", "correction"))
