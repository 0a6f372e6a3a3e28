"""A report as a government portal page (for tests): navigation and scripts around it, the three
tables with the official merged cells (rowspan/colspan), ``<br>`` inside wrapped labels."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from gongkai.model.layouts import G_RESULTS, REQUEST_BALANCE_NOTE
from support.textwriter import SECTION_TITLES, _narrative, _Parts

Report = Any


def _td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    return f"<td{spans}>{escape(text).replace('|', '<br>')}</td>"


def _active(parts: _Parts) -> str:
    rows = []
    for caption, headers, data in parts.active_blocks():
        width = 3
        rows.append(f"<tr>{_td(caption, colspan=width + 1)}</tr>")
        extra = width - len(headers)
        cells = [_td(h) for h in headers]
        if extra:  # the last column spans what the block does not use
            cells[-1] = _td(headers[-1], colspan=extra + 1)
        rows.append(f"<tr>{_td('信息内容')}{''.join(cells)}</tr>")
        for label, values in data:
            vals = [_td(v) for v in values]
            if extra:
                vals[-1] = _td(values[-1], colspan=extra + 1)
            rows.append(f"<tr>{_td(label)}{''.join(vals)}</tr>")
    return "<table border=1>" + "".join(rows) + "</table>"


def _requests(parts: _Parts) -> str:
    rows = [
        f"<tr>{_td(REQUEST_BALANCE_NOTE.official, rowspan=3, colspan=3)}{_td('申请人情况', colspan=7)}</tr>",
        f"<tr>{_td('自然人', rowspan=2)}{_td('法人或其他组织', colspan=5)}{_td('总计', rowspan=2)}</tr>",
        "<tr>"
        + "".join(_td(t) for t in ("商业|企业", "科研|机构", "社会公益|组织", "法律服务|机构", "其他"))
        + "</tr>",
    ]
    labels = parts.request_labels()
    group_sizes: dict[int, int] = {}
    for i, (_, cells) in enumerate(labels):
        if len(cells) == 3 and cells[1]:
            size = 1
            while i + size < len(labels) and len(labels[i + size][1]) == 3 and not labels[i + size][1][1]:
                size += 1
            group_sizes[i] = size
    results = sum(1 for _, cells in labels if len(cells) >= 2 and cells[0] in ("", G_RESULTS.official))
    for i, (key, cells) in enumerate(labels):
        values = "".join(_td(v) for v in parts.request_values(key))
        if len(cells) == 1:
            head = _td(cells[0], colspan=3)
        elif len(cells) == 2:
            head = (_td(cells[0], rowspan=results) if cells[0] else "") + _td(cells[1], colspan=2)
        else:
            head = (_td(cells[1], rowspan=group_sizes[i]) if cells[1] else "") + _td(cells[2])
        rows.append(f"<tr>{head}{values}</tr>")
    return "<table border=1>" + "".join(rows) + "</table>"


def _appeals(parts: _Parts) -> str:
    leaves = "".join(_td(t) for t in ("结果|维持", "结果|纠正", "其他|结果", "尚未|审结", "总计"))
    rows = [
        f"<tr>{_td('行政复议', colspan=5)}{_td('行政诉讼', colspan=10)}</tr>",
        "<tr>"
        + "".join(_td(t, rowspan=2) for t in ("结果|维持", "结果|纠正", "其他|结果", "尚未|审结", "总计"))
        + f"{_td('未经复议直接起诉', colspan=5)}{_td('复议后起诉', colspan=5)}</tr>",
        f"<tr>{leaves}{leaves}</tr>",
        "<tr>" + "".join(_td(v) for v in parts.appeal_values()) + "</tr>",
    ]
    return "<table border=1>" + "".join(rows) + "</table>"


def write_html(report: Report | Mapping[str, Any]) -> str:
    """The report inside a portal page, tables with merged cells as the official layout has them."""
    parts = _Parts(report)
    narrative = _narrative(parts)
    tables = {2: _active, 3: _requests, 4: _appeals}
    body = [f"<h1>{escape(parts.agency)}{parts.year}年度政府信息公开工作年度报告</h1>"]
    for number, title in enumerate(SECTION_TITLES, start=1):
        body.append(f"<p><strong>{title}</strong></p>")
        body += [f"<p>{escape(p)}</p>" for p in narrative[number]]
        if number in tables:
            body.append(tables[number](parts))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开</title>"
        "<script>var nav = '<table><tr><td>行政复议</td></tr></table>';</script></head><body>"
        "<nav><a href='/'>首页</a> | <a>政务公开</a> | <a>互动交流</a></nav>"
        f"<div class='article'>{''.join(body)}</div>"
        "<footer>主办单位：示例市人民政府办公室 | 网站标识码 0000000000</footer></body></html>"
    )
