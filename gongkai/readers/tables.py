"""What the table reader gives the assembler: cells placed on the layout, notices, evidence.

The reader itself, from grids to these, is :mod:`gongkai.readers.grids`
(:func:`~gongkai.readers.grids.read_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.model.layouts import Format, Row
from gongkai.readers.document import GridCell
from gongkai.readers.values import CellValue


@dataclass(slots=True)
class ReadCell:
    """A cell placed on the layout: its full key, the value read, where it came from."""

    key: str
    value: CellValue
    line: int


@dataclass
class Notice:
    """Something the reader had to assume or could not place; becomes a READ-* finding."""

    rule: str
    message: str
    line: int | None = None
    cells: list[str] = field(default_factory=list)
    info: bool = False  # only says what the spec prescribes (a dash read as null, 万元 → 元)


@dataclass
class TableEvidence:
    """What the tables looked like, for the layout checks (LAY-*) and format detection."""

    tables: set[str] = field(default_factory=set)
    active_blocks: list[int] = field(default_factory=list)
    active_rows: list[str] = field(default_factory=list)
    active_headers: dict[int, list[str]] = field(default_factory=dict)
    # item, header, line, and whether it is a known variant (Block.extra_columns)
    active_extra: list[tuple[int, str, int, bool]] = field(default_factory=list)
    fee_header: str | None = None
    procurement_unit: str | None = None
    request_rows: list[tuple[str, int]] = field(default_factory=list)  # key, line
    request_columns: list[str] = field(default_factory=list)
    appeal_columns: list[str] = field(default_factory=list)
    balance_note: bool = False
    partial_note: bool = False
    fingerprints: dict[Format, list[tuple[str, int]]] = field(
        default_factory=lambda: {Format.F2019: [], Format.F2021: []}
    )


@dataclass
class TableReading:
    """The result of reading a document's grids."""

    cells: dict[str, ReadCell] = field(default_factory=dict)
    evidence: TableEvidence = field(default_factory=TableEvidence)
    notices: list[Notice] = field(default_factory=list)
    # Table-三 rows with fewer values than columns, placed in order until the identities decide.
    short_rows: list[tuple[Row, list[str], list[GridCell], Notice]] = field(default_factory=list)


__all__ = ["Notice", "ReadCell", "TableEvidence", "TableReading"]
