"""Reading one numeric cell: full-width digits, thousands separators, signs, units, dashes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from gongkai.model.labels import strip_marks
from gongkai.model.layouts import CellKind

# Written in a numeric cell, these mean "not stated" (report-json.md): null.
NULL_MARKS = frozenset({"-", "--", "—", "——", "–", "−", "/", "无", "空", "－", "\\", "×", "*"})
# ASCII digits only (after NFKC, full-width digits are ASCII); at most 15 of them before the point.
_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-−]?)(?P<num>[0-9]{1,3}(?:[,，][0-9]{3}){1,4}(?:\.[0-9]{1,6})?|[0-9]{1,15}(?:\.[0-9]{1,6})?|\.[0-9]{1,6})"
    r"(?P<unit>万元|元|万|件|个|项|条|人次|次)?$"
)
_INNER_SPACE_RE = re.compile(r"[0-9][\s\u3000]+[0-9]")


@dataclass(frozen=True, slots=True)
class CellValue:
    """A cell as read: its value, and a note when the reader had to assume something."""

    value: int | float | None
    note: str | None = None
    text: str = ""
    numeric: bool = True  # False when the text was not a number at all


# A zero written as a Chinese numeral (「〇」, its look-alike 「○」, 「零」) is the number 0 when it
# stands alone in a cell; OCR reads a printed 「0」 as these too.
_LONE_ZEROS = frozenset({"〇", "○", "零"})


_SPACES_RE = re.compile(r"[\s\u3000]+")


def _clean(text: str) -> str:
    text = _SPACES_RE.sub("", unicodedata.normalize("NFKC", strip_marks(text)))
    return "0" if text in _LONE_ZEROS else text


@lru_cache(maxsize=65536)
def is_number_text(text: str) -> bool:
    """True when a cell's text is a number (not blank, not a dash).

    >>> [is_number_text(t) for t in ("12", "—", "", "若干", "〇")]
    [True, False, False, False, True]
    """
    return bool(text) and bool(_NUMBER_RE.match(_clean(text)))


@lru_cache(maxsize=65536)
def is_value_text(text: str) -> bool:
    """True when a cell's text is a number, a null mark or blank (not a label).

    >>> [is_value_text(t) for t in ("12", "—", "", "１，２３４", "+1036", "规章")]
    [True, True, True, True, True, False]
    """
    cleaned = _clean(text)
    return not cleaned or cleaned in NULL_MARKS or bool(_NUMBER_RE.match(cleaned))


@lru_cache(maxsize=65536)
def read_value(
    text: str, kind: CellKind = CellKind.COUNT, unit: str | None = None, header_unit: str | None = None
) -> CellValue:
    """Read a cell's text as the canonical value of a cell of ``kind`` (money in ``unit``).

    A bare number under a header that prints its unit (「采购总金额（万元）」) is in that unit.

    >>> read_value("１，２３４").value, read_value("—").value, read_value("-7", CellKind.SIGNED).value
    (1234, None, -7)
    >>> read_value("23.4万元", CellKind.MONEY, "元").value
    234000
    """
    cleaned = _clean(text)
    if not cleaned:
        return CellValue(None, text=text)
    if _INNER_SPACE_RE.search(unicodedata.normalize("NFKC", text)):  # 「3 5」: 35? 3 and 5? Not guessed.
        return CellValue(
            None, f"「{text.strip()}」数字中间有空格，无法确定数值，按未填写（null）处理", text, numeric=False
        )
    if cleaned in NULL_MARKS:
        return CellValue(None, f"「{text.strip()}」按未填写（null）处理", text)
    match = _NUMBER_RE.match(cleaned)
    if not match:
        return CellValue(None, f"「{text.strip()}」不是数字，按未填写（null）处理", text, numeric=False)
    try:
        number = Decimal(match["num"].replace(",", "").replace("，", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        return CellValue(None, f"「{text.strip()}」不是数字", text, numeric=False)
    if match["sign"] in ("-", "−"):
        number = -number
    note = None
    written_unit = match["unit"] or (header_unit if kind is CellKind.MONEY else None)
    if written_unit in ("万", "万元", "元") and kind is not CellKind.MONEY:
        return CellValue(
            None, f"「{text.strip()}」带金额单位，但这是件数单元格，按未填写（null）处理", text, numeric=False
        )
    if kind is CellKind.MONEY and written_unit in ("万元", "万", "元") and unit:
        written = "万元" if written_unit in ("万元", "万") else "元"
        if written != unit:
            factor = Decimal(10000) if written == "万元" else Decimal("0.0001")
            number *= factor
            shown = text.strip() if match["unit"] else f"{text.strip()}（表头单位{written}）"
            note = f"「{shown}」换算为{unit}：{_plain(number)}"
    return CellValue(_plain(number), note, text)


def _plain(number: Decimal) -> int | float:
    """An integer when the number is whole, else a float (JSON has no decimal type)."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)
