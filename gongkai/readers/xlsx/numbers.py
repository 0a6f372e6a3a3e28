"""A cell's value as the text a spreadsheet shows: numbers, their formats, dates, escapes.

See the reader's module docstring (**Values**) for what is applied of a number format and why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from gongkai.readers.values import is_value_text

# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NumberFormat:
    """What a number format does to the number it prints (see the module docstring)."""

    prefix: str = ""
    suffix: str = ""
    percent: int = 0  # each 「%」 multiplies by 100
    thousands: int = 0  # each 「,」 after the last digit divides by 1,000
    shift: int = 0  # digits after a literal point (「0!.0000」): divides by 10**shift


_PLAIN = _NumberFormat()
_DROPPED_LITERALS = str.maketrans("", "", " \u3000+-()$¥￥€£")  # sign and currency: not what a cell says


@lru_cache(maxsize=1024)
def _number_format(code: str | None) -> _NumberFormat:
    """Parse the first section of a number format code (only what :class:`_NumberFormat` keeps)."""
    if not code or code.lower() in ("general", "@"):
        return _PLAIN
    tokens: list[tuple[str, str]] = []  # (kind, text): lit, digit, point, comma, percent
    i = 0
    while i < len(code):
        ch = code[i]
        if ch == ";":
            break
        if ch == '"':
            end = code.find('"', i + 1)
            end = len(code) if end < 0 else end
            tokens.append(("lit", code[i + 1 : end]))
            i = end + 1
            continue
        if ch in "\\!":
            tokens.append(("lit", code[i + 1 : i + 2]))
            i += 2
            continue
        if ch in "_*":  # padding and fill: spacing only
            i += 2
            continue
        if ch == "[":  # colour, condition, locale or currency ([$¥-804])
            end = code.find("]", i)
            i = len(code) if end < 0 else end + 1
            continue
        if ch in "Ee" and code[i + 1 : i + 2] in ("+", "-"):
            return _PLAIN  # scientific notation: shown as a plain number
        kind = {"0": "digit", "#": "digit", "?": "digit", ".": "point", ",": "comma", "%": "percent"}.get(ch)
        tokens.append((kind, ch) if kind else ("lit", ch))
        i += 1
    digits = [n for n, (kind, _) in enumerate(tokens) if kind == "digit"]
    if not digits:
        return _PLAIN
    first, last = digits[0], digits[-1]

    def literal(part: list[tuple[str, str]]) -> str:
        return "".join(t for k, t in part if k in ("lit", "percent")).translate(_DROPPED_LITERALS)

    middle = tokens[first:last]
    shift = 0
    if not any(k == "point" for k, _ in middle):
        dot = next((n for n, (k, t) in enumerate(middle) if k == "lit" and t == "."), None)
        if dot is not None:
            shift = sum(1 for k, _ in middle[dot:] if k == "digit") + 1  # the last digit too
    return _NumberFormat(
        prefix=literal(tokens[:first]),
        suffix=literal(tokens[last + 1 :]),
        percent=sum(1 for k, _ in tokens if k == "percent"),
        thousands=sum(1 for k, _ in tokens[last + 1 :] if k == "comma"),
        shift=shift,
    )


def number_text(value: int | float, number_format: str | None = "General") -> str:
    """A numeric cell's text as a spreadsheet prints it (see the module docstring).

    >>> [number_text(v) for v in (12, 12.0, 1.5, 1.5000000000000002, 0.1 + 0.2, -7, 1e-7)]
    ['12', '12', '1.5', '1.5', '0.3', '-7', '0.0000001']
    >>> number_text(0.355, "0.0%"), number_text(0.35, '0.00"万元"'), number_text(251000, '0!.0000"万元"')
    ('35.5%', '0.35万元', '25.1万元')
    >>> number_text(12345, '#,##0,"千元"'), number_text(-3, "#,##0;[Red](#,##0)"), number_text(0, '0;-0;"-"')
    ('12.345千元', '-3', '0')
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "#NUM!"
    fmt = _number_format(number_format)
    number = Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))
    if fmt.percent:
        number *= Decimal(100) ** fmt.percent
    if fmt.thousands or fmt.shift:
        number = number.scaleb(-3 * fmt.thousands - fmt.shift)
    if number == 0:
        number = Decimal(0)  # no 「-0」
    digits = format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    return f"{fmt.prefix}{digits}{fmt.suffix}"


_VALUE_CHARS = 24  # longer text is never a number or a dash (and is not worth caching as one)
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _clean(text: str) -> str:
    """A string cell's text, line breaks kept: Excel's 「_x000D_」 escapes undone, CRs dropped."""
    if "_x" in text:
        text = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\r", "").replace("\xa0", " ").strip()


def cell_text(cell: Any) -> tuple[str, bool]:
    """A cell's text and whether it is a value (a number, a dash) rather than a label."""
    value = cell.value
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int | float):
        try:
            number_format = cell.number_format
        except IndexError:  # a style the stylesheet lacks
            number_format = None
        return number_text(value, number_format), True
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")), False
    if isinstance(value, date | time):
        return value.isoformat(), False
    if isinstance(value, timedelta):
        return str(value), False
    text = _clean(str(value))
    return text, len(text) <= _VALUE_CHARS and is_value_text(text)


def one_line(text: str) -> str:
    """A table cell's text: the lines of a wrapped label joined, spaces collapsed."""
    return " ".join("".join(line.strip() for line in text.split("\n")).split())
