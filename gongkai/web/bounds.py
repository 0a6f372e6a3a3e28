"""Whole numbers in addresses, bounded to what the database holds (issue 14).

A path or query number is handed to the database as it is: one beyond its integer column (2^31 − 1 on
PostgreSQL, 2^63 − 1 on SQLite) made the driver fail and the page a 500. Every route takes its
numbers through these types; a number out of range in the path is a page that does not exist (404,
``app.py``), in the query a refusal naming the parameter (422)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT_MAX = 2**31 - 1  # PostgreSQL's integer, the narrowest column a number from an address meets

PathInt = Annotated[int, Path(ge=0, le=INT_MAX)]
QueryInt = Annotated[int, Query(ge=0, le=INT_MAX)]
OptionalQueryInt = Annotated[int | None, Query(ge=0, le=INT_MAX)]


def bounded_int(text: str) -> int | None:
    """``text`` as a whole number in range, or None (not digits, or beyond :data:`INT_MAX`).

    >>> bounded_int("2025"), bounded_int("9223372036854775808"), bounded_int("-1")
    (2025, None, None)
    """
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= INT_MAX else None
