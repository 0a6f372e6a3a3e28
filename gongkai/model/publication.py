"""When an annual report is due, by the organ that publishes it (《政府信息公开条例》第四十九条).

- 县级以上人民政府部门 (a department: 某某局、某某委员会…): by 31 January of the next year.
- 县级以上地方人民政府 (a government: 某某市人民政府…): its 工作主管部门 publishes it by 31 March.
- 乡镇人民政府、街道办事处: the 条例 sets no date (local rules often do, but not the law).

One place for the dates: the check SEC-DEADLINE and the corpus's coverage (which reports came late)
both ask here.
"""

from __future__ import annotations

from datetime import date

DEPARTMENT_DUE = (1, 31)  # month, day of the year after the report's
GOVERNMENT_DUE = (3, 31)
GOVERNMENT_ENDING = "人民政府"  # not a township's: a people's government's (store.coverage asks in SQL too)
# A township-level organ: 「…乡人民政府」「…镇政府」「…街道办事处」, not any name containing 乡/镇/街道
# (杭州市住房和城乡建设局, 镇江市人民政府, 乡宁县人民政府).
# As endings, not a pattern searched from every position: a province's coverage asks for each of
# its 14,000 organs on every page.
TOWNSHIP_ENDINGS = ("乡政府", "镇政府", "乡人民政府", "镇人民政府", "街道", "街道办事处")


def report_due(year: int, agency: str | None) -> date | None:
    """The last day ``agency``'s report of ``year`` may be published; None where the 条例 sets none
    (a township or a sub-district office). An organ not named is taken for a department.

    >>> report_due(2024, "某市科学技术局"), report_due(2024, "某市人民政府")
    (datetime.date(2025, 1, 31), datetime.date(2025, 3, 31))
    >>> report_due(2024, "某县某某镇人民政府") is None
    True
    """
    name = (agency or "").strip()
    if name.endswith(TOWNSHIP_ENDINGS):
        return None
    month, day = GOVERNMENT_DUE if name.endswith(GOVERNMENT_ENDING) else DEPARTMENT_DUE
    return date(year + 1, month, day)
