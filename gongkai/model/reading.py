"""What a reader learnt about a document besides the report: the types readers fill and checks read.

A :class:`Reading` carries the canonical report with its evidence — how the tables looked
(:class:`TableEvidence`), the title and headings found (:class:`SectionReading`), the source line
of every cell and the place of every line (「第2页表格1第5行」). The readers
(:mod:`gongkai.readers`) build it; the checks (:mod:`gongkai.checks`) judge it. The types live
here, in the model, so that neither of the two imports the other (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gongkai.model.layouts import Format
from gongkai.model.report import Finding, Report2019, Report2021


# Not frozen: a frozen dataclass sets its fields through object.__setattr__, which made making the
# paragraphs of a text (one a line) three times slower. Readers replace a paragraph, never change it.
@dataclass(slots=True)
class Paragraph:
    """A paragraph of running text and the source line it starts on (1-based)."""

    text: str
    line: int


@dataclass
class Heading:
    """A section heading as found."""

    key: str
    number: int
    text: str
    line: int
    numbered: bool


@dataclass
class SectionReading:
    """Title, headings in order, and each section's text."""

    title: str | None = None
    title_line: int | None = None
    agency: str | None = None
    year: int | None = None
    headings: list[Heading] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # section key → heading line
    paragraphs: list[Paragraph] = field(default_factory=list)  # the body text, with lines

    def line_of(self, fragment: str) -> int | None:
        """The source line of the paragraph that contains ``fragment``."""
        return next((p.line for p in self.paragraphs if fragment in p.text.replace("**", "")), None)


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
class FormatDecision:
    """Which layout the tables follow, and why."""

    format: Format
    reason: str
    mixed: bool = False


@dataclass
class Reading:
    """Everything a reader learnt about a document; ``report`` is the canonical part."""

    report: Report2021 | Report2019
    source: str
    decision: FormatDecision
    evidence: TableEvidence
    sections: SectionReading
    origins: dict[str, int] = field(default_factory=dict)  # full cell key → source line
    places: dict[int, str] = field(default_factory=dict)  # line → 「第2页表格1第5行」 (PDF, DOCX…)
    notices: list[Finding] = field(default_factory=list)  # READ-* findings
    raw_cells: dict[str, object] = field(default_factory=dict)  # every key read, both layouts
    cells: dict[str, object] = field(default_factory=dict)  # the report's cells, flat, every key
    # The report's own dates where the document gives them (gongkai.readers.dates): when its page
    # says it was published, and the date it was signed (落款、成文日期).
    published_on: date | None = None
    signed_on: date | None = None
