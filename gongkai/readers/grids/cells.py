"""A value stored on the layout with the notices it calls for, and the layouts' fingerprints."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from gongkai.model.labels import fold
from gongkai.model.layouts import LAYOUTS, SINGLE_OTHER_FINGERPRINT, CellKind, Format, cell_name
from gongkai.readers.document import UNCERTAIN_BELOW, GridCell
from gongkai.readers.tables import Notice, TableEvidence, TableReading
from gongkai.readers.values import CellValue, read_value


@lru_cache(maxsize=4096)  # labels repeat from report to report
def fingerprints_in(text: str) -> tuple[tuple[Format, str], ...]:
    """The printed texts in ``text`` that only one layout uses, with that layout."""
    folded = fold(text)
    return tuple(
        (fmt, printed)
        for fmt, layout in LAYOUTS.items()
        for printed in layout.fingerprints
        if printed in folded
    )


def note_fingerprints(ev: TableEvidence, text: str, line: int, single_other: bool = False) -> None:
    """Record the printed texts in ``text`` that only one layout (2019 or 2021) uses."""
    for fmt, printed in fingerprints_in(text):
        ev.fingerprints[fmt].append((printed, line))
    if single_other:
        ev.fingerprints[Format.F2019].append((SINGLE_OTHER_FINGERPRINT, line))


def store_cell(
    reading: TableReading, key: str, value: CellValue, line: int, confidence: float | None = None
) -> None:
    """Keep the first value read for ``key``, with the notices it calls for: a duplicate, an
    uncertain OCR reading or a lost minus sign, what reading the value assumed."""
    cells = reading.cells
    if confidence is None and value.note is None and key not in cells:
        cells[key] = value  # the usual cell: nothing to say of it
        reading.lines[key] = line
        return
    if key in cells:
        reading.notices.append(
            Notice("READ-DUPLICATE", f"{cell_name(key)}出现了两次，保留第一次读到的值", line, [key])
        )
        return
    cells[key] = value
    reading.lines[key] = line
    if confidence is not None and confidence < UNCERTAIN_BELOW:
        reading.notices.append(
            Notice(
                "READ-OCR",
                f"{cell_name(key)}：识别为「{value.text}」，但识别把握不大（置信度{confidence:.2f}），请对照原件核对",
                line,
                [key],
            )
        )
    elif confidence is not None and _unsigned_change(key, value):
        # a minus sign is a short dash that scan noise erases while the digits stay clear, and no
        # identity of the tables would notice the lost sign: the officer is asked to look
        reading.notices.append(
            Notice(
                "READ-OCR",
                f"{cell_name(key)}：扫描件中识别为「{value.text}」，没有正负号；减号在扫描中容易丢失，请对照原件核对",
                line,
                [key],
            )
        )
    if value.note and not (value.value is None and value.numeric and value.text.strip() in ("", "无")):
        reading.notices.append(
            Notice("READ-VALUE", f"{cell_name(key)}：{value.note}", line, [key], info=value.numeric)
        )


@lru_cache(maxsize=1024)  # rows and headers repeat from report to report
def cell_keys(table: str, row: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The full keys of a row's cells: 「requests.granted.natural」…; ``row`` "" for none."""
    prefix = f"{table}.{row}." if row else f"{table}."
    return tuple(prefix + column for column in columns)


def store_counts(reading: TableReading, keys: Iterable[str], cells: Iterable[GridCell | None]) -> None:
    """:func:`store_cell` for a row's cells read as counts, each under its full key (None: no
    cell for that key)."""
    stored, lines = reading.cells, reading.lines
    for key, cell in zip(keys, cells, strict=True):
        if cell is None:
            continue
        value = read_value(cell.text)
        if value.note is None and cell.confidence is None and key not in stored:
            stored[key] = value  # the usual cell: nothing to say of it
            lines[key] = cell.line
        else:
            store_cell(reading, key, value, cell.line, cell.confidence)


_SIGNED_KEYS = frozenset(
    f"active.{key}"
    for layout in LAYOUTS.values()
    for key, kind in layout.active_kinds.items()
    if kind is CellKind.SIGNED
)


def _unsigned_change(key: str, value: CellValue) -> bool:
    """A 2019 本年增/减 above zero written without its 「+」: from a scan, it may have lost a 「-」."""
    text = value.text.strip()
    return (
        key in _SIGNED_KEYS
        and isinstance(value.value, int | float)
        and value.value > 0
        and not text.startswith("+")
    )
