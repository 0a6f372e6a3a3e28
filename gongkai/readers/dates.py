"""The dates a report document gives of itself: when it was published, and when it was signed.

- **Published** (公布日期): what the portal says — a web page's ``<meta name="PubDate">`` (the
  government site platforms' tag) or a similar tag, else the page's own line 「发布时间：2025-01-20」
  「发布日期：2025年1月20日」 near the top. Only a page says this; a report file does not know.
- **Signed** (落款日期, 成文日期): the date under the organ's name at the end of the report
  (「某某局 / 2025年1月20日」, also 「二〇二五年一月二十日」), or the portal's 「成文日期」. A report
  cannot have been published before it was signed, so a signature after the due date shows a
  late report even when the publication date is unknown.

A date is kept only when it is one a report of its year can bear: from 1 January after the
statistical year to the end of the third year after it (a date elsewhere is a date in the text,
not the report's own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from gongkai.model.reading import Paragraph

if TYPE_CHECKING:  # lxml is loaded only by the readers that parse markup, not for a text report
    from lxml import etree

# Meta tags that portals put the publication time in (names compared in lower case).
PUBLISHED_META = (
    "pubdate",  # 政府网站集约化平台: <meta name="PubDate" content="2025-01-20 16:52">
    "publishdate",
    "publish_date",
    "firstpublishedtime",
    "article:published_time",
    "dcterms.issued",
    "dc.date.issued",
)
HEAD_PARAGRAPHS = 30  # the portal's line of 发布时间 comes before or just after the title
TAIL_PARAGRAPHS = 15  # the signature: after the last section, before a page's footer of a few lines

_DIGITS = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_HAN_DIGIT = "〇零○ＯO一二三四五六七八九十"
_HAN = rf"([{_HAN_DIGIT}]{{4}})\s*年\s*([{_HAN_DIGIT}]{{1,3}})\s*月\s*([{_HAN_DIGIT}]{{1,3}})\s*日"
_DATE_RE = re.compile(rf"{_DIGITS}|{_HAN}")
_PUBLISHED_LINE_RE = re.compile(rf"(?:发布|公布|发表)(?:时间|日期)\s*[:：]?\s*(?:{_DIGITS}|{_HAN})")
_SIGNED_LINE_RE = re.compile(rf"成文(?:时间|日期)\s*[:：]?\s*(?:{_DIGITS}|{_HAN})")
# A signature line: the date alone, or after the organ's name (「某某局  2025年1月20日」).
_SIGNATURE_RE = re.compile(rf"^\s*(?:[\u4e00-\u9fff（）()]{{2,40}}\s*)?(?:{_DIGITS}|{_HAN})\s*$")
_HAN_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0}


@dataclass(frozen=True)
class ReportDates:
    """A report's own dates, where found (see the module's text)."""

    published: date | None = None
    signed: date | None = None


def _han_number(text: str) -> int | None:
    """「二〇二五」 → 2025 (digit by digit); 「十二」 → 12, 「二十」 → 20, 「三十一」 → 31."""
    if "十" not in text:
        return (
            int("".join(str(_HAN_VALUES[c]) for c in text)) if all(c in _HAN_VALUES for c in text) else None
        )
    tens, _, ones = text.partition("十")
    if any(c not in _HAN_VALUES for c in tens + ones) or len(tens) > 1 or len(ones) > 1:
        return None
    return (_HAN_VALUES[tens] if tens else 1) * 10 + (_HAN_VALUES[ones] if ones else 0)


def _date(groups: tuple[str | None, ...]) -> date | None:
    """The date of a match of :data:`_DATE_RE`'s groups (Arabic first, else Chinese numerals)."""
    parts = groups[:3] if groups[0] else groups[3:6]
    numbers = [int(p) if p and p.isdigit() else _han_number(p or "") for p in parts]
    if None in numbers:
        return None
    try:
        return date(*numbers)  # type: ignore[arg-type]
    except ValueError:  # 2月30日
        return None


def parse_date(text: str) -> date | None:
    """The first date written in ``text``.

    >>> parse_date("2025年1月20日"), parse_date("发布时间：2025-01-20 16:52")
    (datetime.date(2025, 1, 20), datetime.date(2025, 1, 20))
    >>> parse_date("二〇二五年一月二十日"), parse_date("2025年2月30日")
    (datetime.date(2025, 1, 20), None)
    """
    match = _DATE_RE.search(text)
    return None if match is None else _date(match.groups())


def meta_published(root: etree._Element) -> date | None:
    """The publication date an HTML page's meta tags give (:data:`PUBLISHED_META`)."""
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in PUBLISHED_META:
            found = parse_date(meta.get("content") or "")
            if found is not None:
                return found
    return None


def plausible(found: date | None, year: int | None) -> date | None:
    """``found`` if a report of ``year`` can bear it (the module's text), else None."""
    if found is None or year is None:
        return None
    return found if date(year + 1, 1, 1) <= found <= date(year + 3, 12, 31) else None


def report_dates(
    paragraphs: list[Paragraph], year: int | None, page_published: date | None, last_heading: int = 0
) -> ReportDates:
    """The publication and signature dates of a report of ``year`` whose running text is
    ``paragraphs`` (``page_published``: the date its page's meta tags give, if any; the signature
    is looked for after the line ``last_heading``, the last section's heading)."""
    published = plausible(page_published, year)
    signed = None
    for paragraph in paragraphs[:HEAD_PARAGRAPHS]:
        if "时间" not in paragraph.text and "日期" not in paragraph.text:
            continue  # neither line can be in it: cheaper than the two searches
        if published is None and (match := _PUBLISHED_LINE_RE.search(paragraph.text)):
            published = plausible(_date(match.groups()), year)
        if signed is None and (match := _SIGNED_LINE_RE.search(paragraph.text)):
            signed = plausible(_date(match.groups()), year)
    if signed is None:
        for paragraph in reversed(paragraphs[-TAIL_PARAGRAPHS:]):
            if paragraph.line <= last_heading:
                break
            if match := _SIGNATURE_RE.match(paragraph.text):
                signed = plausible(_date(match.groups()), year)
                break
    return ReportDates(published, signed)
