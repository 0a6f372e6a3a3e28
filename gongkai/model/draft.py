"""A new year's draft report: what carries over from last year's report, everything else empty.

What carries over, and only that (everything else is the new year's work and stays ``null``):

* 表三 「二、上年结转政府信息公开申请数量」 = last year's 「四、结转下年度继续办理」, column by
  column (the 勾稽 identity of table 三 links the two years);
* 表二 (2021 layout) 「现行有效件数」 of 规章 and 行政规范性文件: last year's figure, as the count
  to start from; it must be changed by the year's 制发 and 废止, which the draft says;
* 表二 (2019 layout, only for a 2019 or 2020 draft) 「上一年项目数量」 = last year's 上一年项目数量
  plus its 本年增/减, and 「对外公开总数量」 = last year's, to start from.

A draft across the change of layout (a 2021 draft from a 2020 report) carries table 三 only:
the 2019 counts of table 二 measure other things.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.model.layouts import REQUEST_COLUMNS, Format, cell_name, expected_format, layout_for
from gongkai.model.report import Cell, Report2019, Report2021, build_report, report_cells

Report = Report2021 | Report2019


@dataclass(frozen=True)
class Carried:
    """One prefilled cell of a draft, and where its value came from, in words."""

    key: str
    value: Cell
    source: str  # 「2023年表三“四、结转下年度继续办理”行“自然人”列」
    # For a starting figure the officer must still update with the year's work: how.
    adjust: str = ""


def draft_report(last: Report, year: int) -> tuple[Report, list[Carried]]:
    """The draft of ``year``'s report of last year's organ, and the cells it prefilled.

    Raises ValueError when ``year`` does not follow ``last.year`` (a draft is made from the
    report of the year before) or has no known layout.
    """
    if last.year is not None and year != last.year + 1:
        raise ValueError(
            f"草稿应由上一年度的报告生成：{last.year}年的报告只能生成{last.year + 1}年的草稿，不能生成{year}年的"
        )
    fmt = expected_format(year)
    if fmt is None:
        raise ValueError(f"{year}年没有适用的报告格式（2019年起才有统一格式）")
    cells = report_cells(last)
    source_year = f"{last.year}年" if last.year is not None else "上一年"
    carried: list[Carried] = []

    def carry(key: str, value: Cell, from_key: str, adjust: str = "") -> None:
        if value is not None:
            carried.append(
                Carried(key, value, source_year + cell_name(from_key, layout_for(last.format)), adjust)
            )

    for column in REQUEST_COLUMNS:
        from_key = f"requests.carried_over.{column.key}"
        carry(f"requests.carried_in.{column.key}", cells.get(from_key), from_key)
    if fmt == last.format == Format.F2021:
        for row in ("rules", "normative"):
            key = f"active.{row}.in_force"
            carry(key, cells.get(key), key, adjust="上年末数，请加本年制发件数、减本年废止件数")
    elif fmt == last.format == Format.F2019:
        for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
            previous, change = cells.get(f"active.{row}.previous"), cells.get(f"active.{row}.change")
            if previous is not None and change is not None:
                carry(f"active.{row}.previous", previous + change, f"active.{row}.previous")
                carried[-1] = Carried(carried[-1].key, carried[-1].value, carried[-1].source + "加本年增/减")
        for row in ("rules", "normative"):
            key = f"active.{row}.total"
            carry(key, cells.get(key), key, adjust="上年总数，请加本年新公开数量")
    draft = build_report(fmt, {c.key: c.value for c in carried}, agency=last.agency, year=year)
    return draft, carried
