"""The running text of a report: its title and the six sections, as the format prescribes them.

Readers find the sections by these headings (and the variants real reports print); writers print
the official ones. format-and-law.md §2.
"""

from __future__ import annotations

import re

# (section key, number, official heading, cores that identify it when the heading is numbered)
SECTION_HEADINGS = (
    ("overview", 1, "总体情况", ("总体情况", "基本情况", "概述")),
    ("active", 2, "主动公开政府信息情况", ("主动公开",)),
    ("requests", 3, "收到和处理政府信息公开申请情况", ("政府信息公开申请", "依申请公开")),
    ("appeals", 4, "政府信息公开行政复议、行政诉讼情况", ("行政复议",)),
    ("problems", 5, "存在的主要问题及改进情况", ("主要问题", "存在的问题", "问题及改进")),
    ("other", 6, "其他需要报告的事项", ("其他需要报告",)),
)
# The longer forms published reports use (format-and-law.md §2), which identify a section even
# without its numeral. An unnumbered line is a heading only when it is one of these or the
# official heading itself, compared without punctuation and conjunctions (「、」「和」「及」).
HEADING_VARIANTS = {
    "overview": ("政府信息公开工作总体情况",),
    "active": (),
    "requests": (),
    "appeals": (
        "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "政府信息公开工作被申请行政复议和提起行政诉讼情况",
    ),
    "problems": ("政府信息公开工作存在的主要问题及改进情况", "存在的主要问题和改进情况"),
    "other": (),
}

_NUMERALS = "一二三四五六七八九十"

# gongkai's own writers list a report's findings after it under this heading (Markdown:
# 「## 检查发现（共3条：…）」); a reader stops the report's text there.
FINDINGS_HEADING = "检查发现"
FINDINGS_HEADING_RE = re.compile(rf"^#{{0,6}}\s*{FINDINGS_HEADING}（共\d+条")
# The XLSX writer lists them on a sheet of their own, which the XLSX reader skips.
FINDINGS_SHEET = "检查结果"


def official_heading(key: str) -> str:
    """The numbered heading of a section as the format prints it.

    >>> official_heading("appeals")
    '四、政府信息公开行政复议、行政诉讼情况'
    """
    for section_key, number, heading, _ in SECTION_HEADINGS:
        if section_key == key:
            return f"{_NUMERALS[number - 1]}、{heading}"
    raise KeyError(key)


def report_title(agency: str | None, year: int | None) -> str:
    """The report's title: 「{organ}{year}年度政府信息公开工作年度报告」, with gaps left blank.

    >>> report_title("示例市科学技术局", 2024)
    '示例市科学技术局2024年度政府信息公开工作年度报告'
    """
    return f"{agency or ''}{year if year is not None else ''}年度政府信息公开工作年度报告"
