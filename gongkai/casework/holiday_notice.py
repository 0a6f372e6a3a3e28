"""Read the State Council's yearly notice of holidays (国务院办公厅关于N年部分节假日安排的通知).

Each numbered item of the notice names a holiday, its block of days off and the weekend days worked
instead, in wording that has kept the same shape for years::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

:func:`read_notice` turns the text into a :class:`~gongkai.casework.workdays.YearArrangement`.
Anything it cannot place is an error naming the item, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from gongkai.casework.workdays import YearArrangement

_YEAR_RE = re.compile(r"关于\s*(\d{4})\s*年\s*(?:部分)?节假日")
_ITEM_RE = re.compile(r"^\s*[一二三四五六七八九十]{1,2}\s*[、.．]\s*(?P<name>[^：:]{1,20})[：:](?P<body>.*)$")
_DATE_RE = re.compile(r"(?:(?P<year>\d{4})\s*年\s*)?(?:(?P<month>\d{1,2})\s*月\s*)?(?P<day>\d{1,2})\s*日")
_BRACKETS_RE = re.compile(r"[（(][^（）()]*[）)]")


class NoticeError(ValueError):
    """The notice text could not be read; the message names the item."""


@dataclass(frozen=True)
class NoticeReading:
    """The arrangement of the notice's year and the days it sets in a neighbouring year.

    A notice for 2023 may give 「2022年12月31日至2023年1月2日」: 31 December belongs to 2022 and is
    kept in ``other_years`` (date → holiday name, or ``None`` for a working day).
    """

    arrangement: YearArrangement
    other_years: dict[date, str | None]


def _dates(text: str, year: int, item: str) -> list[date]:
    """The dates written in ``text``; a date without its month takes the previous one's."""
    found: list[date] = []
    month: int | None = None
    current_year = year
    for m in _DATE_RE.finditer(text):
        if m.group("year"):
            current_year = int(m.group("year"))
        if m.group("month"):
            month = int(m.group("month"))
        if month is None:
            raise NoticeError(f"「{item}」：日期「{m.group(0)}」没有月份")
        try:
            found.append(date(current_year, month, int(m.group("day"))))
        except ValueError as exc:
            raise NoticeError(f"「{item}」：「{m.group(0)}」不是有效日期") from exc
    return found


def read_notice(text: str, year: int | None = None) -> NoticeReading:
    """Read the notice's items into the year's holidays and 调休 working days.

    ``year`` is taken from the title (「关于2027年部分节假日安排的通知」) when not given.
    """
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    if year is None:
        m = _YEAR_RE.search(text)
        if not m:
            raise NoticeError("通知里找不到年份（如「关于2027年部分节假日安排的通知」），请用 --year 指明")
        year = int(m.group(1))
    holidays: dict[date, str] = {}
    workdays: set[date] = set()
    items = 0
    # Items may be run together on one line in a copied web page: break before each 「N、X：」.
    lines = re.sub(
        r"(?<=[。\s])(?=[一二三四五六七八九十]{1,2}、[^：:。\s]{1,20}[：:])", "\n", text
    ).splitlines()
    for line in lines:
        m = _ITEM_RE.match(line)
        if not m or ("放假" not in m.group("body") and "上班" not in m.group("body")):
            continue
        items += 1
        name = m.group("name").strip()
        item = f"{name}：{m.group('body').strip()}"
        body = _BRACKETS_RE.sub("", m.group("body"))
        for sentence in filter(None, (s.strip() for s in re.split(r"[。；;]", body))):
            days = _dates(sentence, year, item)
            if "放假" in sentence:
                if not days:
                    raise NoticeError(f"「{item}」：放假的句子里没有日期")
                first, last = days[0], days[-1] if "至" in sentence else days[0]
                if last < first or (last - first).days > 15:
                    raise NoticeError(f"「{item}」：放假起止日期不合理（{first} 至 {last}）")
                stated = re.search(r"共\s*(\d{1,2})\s*天|放假\s*(\d{1,2})\s*天", sentence)
                length = (last - first).days + 1
                if stated and int(stated.group(1) or stated.group(2)) != length:
                    raise NoticeError(
                        f"「{item}」：{first} 至 {last} 共 {length} 天，通知写的是「{stated.group(0)}」"
                    )
                for offset in range(length):
                    holidays[first + timedelta(days=offset)] = name
            elif "上班" in sentence:
                if not days:
                    raise NoticeError(f"「{item}」：上班的句子里没有日期")
                workdays.update(days)
    if not items:
        raise NoticeError("通知里没有找到「一、元旦：……放假」这样的条目")
    other: dict[date, str | None] = {d: n for d, n in holidays.items() if d.year != year}
    other.update({d: None for d in workdays if d.year != year})
    arrangement = YearArrangement(
        year,
        {d: n for d, n in holidays.items() if d.year == year},
        frozenset(d for d in workdays if d.year == year),
        source=f"国务院办公厅关于{year}年部分节假日安排的通知",
    )
    return NoticeReading(arrangement, other)
