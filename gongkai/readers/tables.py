"""What the table reader gives the assembler: cells placed on the layout, notices, evidence.

The reader itself, from grids to these, is :mod:`gongkai.readers.grids`
(:func:`~gongkai.readers.grids.read_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.model.layouts import Row
from gongkai.model.reading import TableEvidence
from gongkai.readers.document import GridCell
from gongkai.readers.values import CellValue


@dataclass
class Notice:
    """Something the reader had to assume or could not place; becomes a READ-* finding."""

    rule: str
    message: str
    line: int | None = None
    cells: list[str] = field(default_factory=list)
    info: bool = False  # only says what the spec prescribes (a dash read as null, 万元 → 元)


@dataclass
class TableReading:
    """The result of reading a document's grids."""

    # A cell placed on the layout: full key → the value read, and → the source line it came from.
    # Two plain dicts rather than an object a cell: a report has some 200 of them.
    cells: dict[str, CellValue] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    evidence: TableEvidence = field(default_factory=TableEvidence)
    notices: list[Notice] = field(default_factory=list)
    # Table-三 rows with fewer values than columns, placed in order until the identities decide.
    short_rows: list[tuple[Row, list[str], list[GridCell], Notice]] = field(default_factory=list)


__all__ = ["Notice", "TableEvidence", "TableReading"]
