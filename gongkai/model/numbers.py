"""Numbers as people write them (issue 13): money in Decimal, counts as integers.

A report's cells travel as JSON numbers, so a sum of money arrives as a Python ``float`` — the
shortest decimal text that round-trips, which for every figure a report states (at most 15
significant digits: 9 digits of 万元 and 6 decimals) is exactly what was written. Arithmetic on
those floats is where the noise comes from (``12.34 - 12.74 == -0.3999999999999986``), and
``str(Decimal("99.000000"))`` or ``float(Decimal(99))`` is where a count gains its ``.0``. So
every sum, difference and printed figure goes through here: the value as written, in Decimal.
"""

from __future__ import annotations

from decimal import Decimal

Number = int | float | Decimal


def exact(value: Number) -> Decimal:
    """A cell's value as the decimal that was written (a float by its shortest round-trip text).

    >>> exact(12.74) - exact(12.34), exact(3), exact(Decimal("4166.241619"))
    (Decimal('0.40'), Decimal('3'), Decimal('4166.241619'))
    """
    if isinstance(value, bool):  # never a cell value; True would count as 1
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def plain(value: Number) -> str:
    """A number as people write it: no exponent, no trailing zeros, no ``.0`` on a whole number.

    >>> [plain(v) for v in (0, -7, 99.0, Decimal("99.000000"), 0.4, Decimal("4166.241619"), 1e16)]
    ['0', '-7', '99', '99', '0.4', '4166.241619', '10000000000000000']
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = format(exact(value).normalize(), "f")
    return "0" if text == "-0" else text


def signed(value: Number) -> str:
    """A difference with its sign: ``+0.4``, ``-3``, ``0``.

    >>> signed(exact(12.74) - exact(12.34)), signed(-3), signed(0.0)
    ('+0.4', '-3', '0')
    """
    text = plain(value)
    return text if text.startswith("-") or text == "0" else "+" + text


def json_number(value: Decimal) -> int | float:
    """A Decimal as a report cell (JSON has no decimal type): an int when whole, else the float
    whose shortest text is the decimal's (exact up to 15 significant digits).

    >>> json_number(Decimal("99.000000")), json_number(Decimal("0.40"))
    (99, 0.4)
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value)
