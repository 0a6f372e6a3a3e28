"""A small writer, for tests only: a canonical report → a complete report text.

Three text shapes, the ones the text reader meets in real reports (seeds in ../shared/seeds):

* :func:`write_word_text` — Word's text export, one cell per line (seeds 000, 001, 004): every
  cell a line starting with a tab, rows separated by blank lines, merged cells left out,
  header words wrapped (「\\t商业」「企业」).
* :func:`write_tab_text` — one row per line, tab-separated, empty fields for merged cells,
  Markdown ``#`` headings (seeds 002, 003), including the PDF exports' slightly shifted rows.
* :func:`write_markdown` — Markdown headings and pipe tables (``| a | b |``), a positional grid.

The narrative of sections 一 to 六 is written from the tables so that it agrees with them
(the number of requests, whether there were appeals, the 信息处理费). It is not meant to be
good prose, only the kind of text real reports contain and the checks accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from gongkai.model.layouts import (
    G_RESULTS,
    REQUEST_BALANCE_NOTE,
    REQUEST_COLUMNS,
    ROW_OTHER_SINGLE,
    Layout,
    Row,
    layout_for,
)
from gongkai.model.report import Report2019, Report2021, report_cells, report_from_json

Report = Report2021 | Report2019

__all__ = ["WRITERS", "write_markdown", "write_tab_text", "write_word_text"]

# Headings of the six sections, in order.
SECTION_TITLES = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
# Header text of a table-二 column where the official label does not state the unit.
_ACTIVE_HEADER_TEXT = {"procurement.amount": "采购总金额（元）"}
_PROCUREMENT_COLUMNS = ("projects", "amount")


# --- values ---------------------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A cell's text: blank for ``None``, digits for integers, a plain decimal for money.

    >>> [format_value(v) for v in (None, 0, -7, 12, 0.35, 3.0, 100.5)]
    ['', '0', '-7', '12', '0.35', '3', '100.5']
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # pragma: no cover - never a cell value
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(float(value))).normalize(), "f")


def _n(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _count(value: float) -> str:
    return format_value(int(value)) if float(value).is_integer() else format_value(value)


# --- the report's structure ------------------------------------------------------------------


class _Parts:
    """What every writer needs from a report: its layout, cells and table-三 rows."""

    def __init__(self, report: Report | Mapping[str, Any]) -> None:
        if isinstance(report, Mapping):
            report = report_from_json(report)
        self.report: Report = report
        self.layout: Layout = layout_for(report.format)
        self.cells: dict[str, Any] = report_cells(report)
        self.agency = report.agency or "某某县民政局"
        self.year = report.year if report.year is not None else (2024 if report.format == "2021" else 2020)
        single_other = "requests.other.natural" in self.cells
        rows: list[Row] = []
        for row in self.layout.request_rows:
            if single_other and row.key.startswith("other."):
                if ROW_OTHER_SINGLE not in rows:
                    rows.append(ROW_OTHER_SINGLE)
                continue
            rows.append(row)
        self.request_rows = rows

    def value(self, key: str) -> Any:
        return self.cells.get(key)

    def text(self, key: str) -> str:
        return format_value(self.cells.get(key))

    def request_values(self, row_key: str) -> list[str]:
        return [self.text(f"requests.{row_key}.{c.key}") for c in REQUEST_COLUMNS]

    def appeal_values(self) -> list[str]:
        return [self.text(f"appeals.{k}") for k in self.layout.appeal_keys]

    def request_labels(self) -> list[tuple[str, list[str]]]:
        """Row key → label cells as the official table prints them, "" for a merged cell."""
        out: list[tuple[str, list[str]]] = []
        previous_group = None
        for row in self.request_rows:
            label = row.label.official
            if row.key in ("new", "carried_in", "carried_over"):
                cells = [label]
            elif row.key == "granted":
                cells = [G_RESULTS.official, label]
            elif row.key == "total" or row.group is G_RESULTS:
                cells = ["", label]
            else:
                assert row.group is not None
                cells = ["", row.group.official if row.group is not previous_group else "", label]
            out.append((row.key, cells))
            previous_group = row.group
        return out

    def active_blocks(self) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
        """(caption, column headers, [(row label, values)]) for each block of table 二."""
        out = []
        for block in self.layout.active_blocks:
            headers = []
            for col in block.columns:
                keys = {f"{row.key}.{col.key}" for row in block.rows}
                special = next((_ACTIVE_HEADER_TEXT[k] for k in keys if k in _ACTIVE_HEADER_TEXT), None)
                headers.append(special or col.label.official)
            rows = [
                (row.label.official, [self.text(f"active.{row.key}.{col.key}") for col in block.columns])
                for row in block.rows
            ]
            out.append((block.caption, headers, rows))
        return out


# --- the narrative ---------------------------------------------------------------------------


def _narrative(parts: _Parts) -> dict[int, list[str]]:
    """Paragraphs of each section (1 to 6), consistent with the tables."""
    year, agency = parts.year, parts.agency
    new_total = parts.value("requests.new.total")
    carried_in = parts.value("requests.carried_in.total")
    published = 20 + int(
        _n(parts.value("active.normative.issued")) + _n(parts.value("active.normative.made"))
    )
    if new_total:
        asked = f"本年共收到政府信息公开申请{_count(new_total)}件"
        if carried_in:
            asked += f"，另有上年结转申请{_count(carried_in)}件"
        asked += "，均在法定期限内依法予以答复。"
    else:
        asked = "本年度未收到政府信息公开申请。"
    overview = [
        f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
        "不公开为例外，扎实做好政府信息公开各项工作。"
        f"本报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。",
        "（一）主动公开",
        f"全年通过政府门户网站信息公开专栏主动公开政府信息{published}条，及时发布政策文件、工作动态和通知公告，"
        "做好政策解读。",
        "（二）依申请公开",
        f"畅通依申请公开受理渠道，规范答复流程。{asked}",
        "（三）政府信息管理",
        "严格落实政府信息公开保密审查和“三审三校”制度，由专人负责信息的发布和更新，确保公开信息准确规范。",
        "（四）政府信息公开平台建设",
        "依托政府门户网站和政务新媒体平台，及时更新公开内容，方便公众查阅和获取政府信息。",
        "（五）监督保障",
        "将政府信息公开工作纳入年度工作考核，主动接受社会评议和群众监督，"
        "本年度未发生政府信息公开工作责任追究情况。",
    ]
    review = _n(parts.value("appeals.review.total"))
    suits = _n(parts.value("appeals.suit_direct.total")) + _n(parts.value("appeals.suit_after_review.total"))
    appeal_cells = [parts.value(f"appeals.{k}") for k in parts.layout.appeal_keys]
    if any(appeal_cells):
        appeals = [
            f"本年度因政府信息公开被申请行政复议{_count(review)}件，提起行政诉讼{_count(suits)}件，具体情况见下表。"
        ]
    else:
        appeals = ["本年度未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。"]
    problems = [
        f"{year}年，我单位政府信息公开工作取得了一定成效，但仍存在一些不足：一是主动公开内容的深度和广度还不够；"
        "二是政策解读形式较为单一，图文、视频等解读较少。",
        f"{year + 1}年，我单位将从以下方面加以改进：一是加强业务培训，提升工作人员的业务能力；"
        "二是丰富政策解读形式，提高政府信息公开的实效。",
    ]
    if parts.report.format == "2021":
        no_fee = _n(parts.value("requests.other.no_fee.total"))
        if no_fee > 0:
            notified = int(no_fee) * 60
            other = [f"本年度发出收费通知{_count(no_fee)}件，金额{notified}元，实际收取0元。"]
        else:
            other = ["本年度未发出收费通知，未收取信息处理费。"]
    else:
        other = ["本年度未收取信息处理费，无其他需要报告的事项。"]
    return {1: overview, 2: [], 3: [], 4: appeals, 5: problems, 6: other}


# --- one cell per line (Word's text export) ----------------------------------------------------


def _word_row(cells: list[str]) -> list[str]:
    return [f"\t{c}" for c in cells] + [""]


def _word_active(parts: _Parts) -> list[str]:
    lines: list[str] = []
    for caption, headers, rows in parts.active_blocks():
        lines += _word_row([caption])
        lines += _word_row(["信息内容", *headers])
        for label, values in rows:
            lines += _word_row([label, *values])
    return lines


def _word_requests(parts: _Parts) -> list[str]:
    lines = _word_row([REQUEST_BALANCE_NOTE.official, "申请人情况"])
    lines += _word_row(["", "自然人", "法人或其他组织", "总计"])
    # 「商业」「企业」: the header words wrap onto a line of their own, as in seed 000.
    lines += [
        "\t",
        "\t",
        "\t商业",
        "企业",
        "\t科研",
        "机构",
        "\t社会公益组织",
        "\t法律服务机构",
        "\t其他",
        "\t",
        "",
    ]
    for key, labels in parts.request_labels():
        lines += _word_row([*labels, *parts.request_values(key)])
    return lines


_WORD_APPEAL_COLUMNS = ["\t结果", "维持", "\t结果", "纠正", "\t其他", "结果", "\t尚未", "审结", "\t总计"]


def _word_appeals(parts: _Parts) -> list[str]:
    lines = _word_row(["行政复议", "行政诉讼"])
    lines += ["\t结果维持", *_WORD_APPEAL_COLUMNS[2:], "\t未经复议直接起诉", "\t复议后起诉", ""]
    lines += ["\t"] * 5 + _WORD_APPEAL_COLUMNS * 2 + [""]
    lines += _word_row(parts.appeal_values())
    return lines


def write_word_text(report: Report | Mapping[str, Any]) -> str:
    """The report as Word's text export: one cell per line (seeds 000, 001, 004)."""
    parts = _Parts(report)
    narrative = _narrative(parts)
    tables: dict[int, Callable[[_Parts], list[str]]] = {2: _word_active, 3: _word_requests, 4: _word_appeals}
    lines = ["", f"{parts.agency}{parts.year}年度", "", "政府信息公开工作年度报告"]
    for number, title in enumerate(SECTION_TITLES, start=1):
        lines += [title, ""]
        for paragraph in narrative[number]:
            lines += [paragraph, ""]
        if number in tables:
            lines += tables[number](parts)
            lines += [""]  # a table ends with a blank line: a text line right after a cell continues it
    return "\n".join(lines) + "\n"


# --- tab-separated rows (PDF export) -----------------------------------------------------------


def pdf_label(text: str) -> str:
    """A label as the PDF exports of seeds 002/003 print it: 「(一) 予以公开」「1. 属于国家秘密」.

    >>> pdf_label("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    '(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)'
    >>> pdf_label("1.属于国家秘密")
    '1. 属于国家秘密'
    """
    text = re.sub(r"^（([一二三四五六七八九十])）", r"(\1) ", text)
    text = re.sub(r"^(\d)\.", r"\1. ", text)
    return text.replace("（", " (").replace("）", ")").replace("，", ", ")


def _tab_active(parts: _Parts) -> list[str]:
    lines: list[str] = []
    for caption, headers, rows in parts.active_blocks():
        lines.append("\t".join([caption, "", "", ""]))
        lines.append("\t".join(["信息内容", *headers] + [""] * (3 - len(headers))))
        for label, values in rows:
            lines.append("\t".join([label, *values] + [""] * (3 - len(values))))
    return lines


def _tab_request_row(fmt: str, key: str, labels: list[str], values: list[str]) -> list[str]:
    labels = [pdf_label(c) for c in labels]
    # The rows that the PDF exports of seeds 003 (2021) and 002 (2019) print shifted.
    if (fmt, key) in (("2021", "other.other"), ("2021", "total"), ("2019", "rejected.reconfirm")):
        return [labels[-1], "", *values, ""]
    if fmt == "2019" and key in ("other", "total"):
        return [labels[-1], *values, "", ""]
    if len(labels) == 3:
        return [*labels, *values]
    return [*labels, *[""] * (2 - len(labels)), *values, ""]


def _tab_requests(parts: _Parts) -> list[str]:
    note = REQUEST_BALANCE_NOTE.official.replace("（", "(").replace("）", ")")
    lines = [
        "\t".join([note, "", "申请人情况", "", "", "", "", "", "总计", ""]),
        "\t".join(["", "", "自然人", "法人或其他组织", "", "", "", "", "", ""]),
        "\t".join(["", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "", ""]),
    ]
    for key, labels in parts.request_labels():
        lines.append("\t".join(_tab_request_row(parts.report.format, key, labels, parts.request_values(key))))
    return lines


_APPEAL_LEAVES = ["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"]


def _appeal_header() -> list[list[str]]:
    return [
        ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9,
        [*_APPEAL_LEAVES, "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        [""] * 5 + _APPEAL_LEAVES * 2,
    ]


def _tab_appeals(parts: _Parts) -> list[str]:
    return ["\t".join(row) for row in [*_appeal_header(), parts.appeal_values()]]


def write_tab_text(report: Report | Mapping[str, Any]) -> str:
    """The report as tab-separated rows under Markdown headings (seeds 002, 003)."""
    parts = _Parts(report)
    narrative = _narrative(parts)
    tables: dict[int, Callable[[_Parts], list[str]]] = {2: _tab_active, 3: _tab_requests, 4: _tab_appeals}
    lines = ["", "", f"# {parts.agency} {parts.year} 年度政府信息公开工作年度报告", ""]
    for number, title in enumerate(SECTION_TITLES, start=1):
        lines += [f"## {title}", ""]
        for paragraph in narrative[number]:
            lines += [paragraph, ""]
        if number in tables:
            lines += [*tables[number](parts), ""]
    return "\n".join(lines) + "\n"


# --- Markdown pipe tables -----------------------------------------------------------------------


def _pipe_table(rows: list[list[str]]) -> list[str]:
    """A pipe table; the separator line follows the first row."""
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    return [lines[0], "|" + "---|" * len(rows[0]), *lines[1:]]


def _md_active(parts: _Parts) -> list[str]:
    lines: list[str] = []
    for caption, headers, rows in parts.active_blocks():
        table = [[caption, "", "", ""], ["信息内容", *headers] + [""] * (3 - len(headers))]
        table += [[label, *values] + [""] * (3 - len(values)) for label, values in rows]
        lines += [*_pipe_table(table), ""]
    return lines


def _md_requests(parts: _Parts) -> list[str]:
    table = [
        [REQUEST_BALANCE_NOTE.official, "", "", "申请人情况", "", "", "", "", "", ""],
        ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    for key, labels in parts.request_labels():
        table.append([*labels, *[""] * (3 - len(labels)), *parts.request_values(key)])
    return [*_pipe_table(table), ""]


def _md_appeals(parts: _Parts) -> list[str]:
    header = [[c.replace(" ", "") for c in row] for row in _appeal_header()]
    return [*_pipe_table([*header, parts.appeal_values()]), ""]


def write_markdown(report: Report | Mapping[str, Any]) -> str:
    """The report as Markdown: ``#`` headings and pipe tables."""
    parts = _Parts(report)
    narrative = _narrative(parts)
    tables: dict[int, Callable[[_Parts], list[str]]] = {2: _md_active, 3: _md_requests, 4: _md_appeals}
    lines = [f"# {parts.agency}{parts.year}年度政府信息公开工作年度报告", ""]
    for number, title in enumerate(SECTION_TITLES, start=1):
        lines += [f"## {title}", ""]
        for paragraph in narrative[number]:
            lines += [paragraph, ""]
        if number in tables:
            lines += tables[number](parts)
    return "\n".join(lines) + "\n"


WRITERS: dict[str, Callable[[Report | Mapping[str, Any]], str]] = {
    "word": write_word_text,
    "tab": write_tab_text,
    "markdown": write_markdown,
}
