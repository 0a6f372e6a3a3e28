"""Document → canonical report: decide the layout, place the cells, keep where each came from."""

from __future__ import annotations

import re

from gongkai.model.layouts import SINGLE_OTHER_FINGERPRINT, Format, expected_format, layout_for
from gongkai.model.reading import FormatDecision, Reading, TableEvidence
from gongkai.model.report import Finding, Sections, Severity, build_report
from gongkai.readers.chinese import simplify_document
from gongkai.readers.dates import report_dates
from gongkai.readers.document import Document, UnreadableDocument, clean_document
from gongkai.readers.grids import headless_appeals, read_tables, table_grids
from gongkai.readers.sections import read_sections

# 2021 layout, with （六）其他处理 printed as one row: the single row is kept (report-json.md).
_OTHER_SUB_ROWS = ("requests.other.no_correction.", "requests.other.no_fee.", "requests.other.other.")
_OTHER_SINGLE_ROW = tuple(
    f"requests.other.{c}"
    for c in ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total")
)


def decide_format(evidence: TableEvidence, year: int | None) -> FormatDecision:
    """The layout, from the table headers' fingerprints (format-and-law.md §7), else the year."""
    n2021 = len(evidence.fingerprints[Format.F2021])
    n2019 = len([p for p, _ in evidence.fingerprints[Format.F2019] if p != SINGLE_OTHER_FINGERPRINT])
    if n2021 == n2019 == 0 and evidence.fingerprints[Format.F2019]:
        n2019 = 1
    by_year = expected_format(year) if year else None
    if n2021 == n2019 == 0:
        fmt = by_year or Format.F2021
        return FormatDecision(fmt, f"表头中没有格式特征，按统计年度推定为{fmt.value}年格式")
    if n2021 == n2019:
        fmt = by_year or Format.F2021
    else:
        fmt = Format.F2021 if n2021 > n2019 else Format.F2019
    seen = [p for p, _ in evidence.fingerprints[fmt]]
    reason = f"表头含{fmt.notice}格式特征：{'、'.join(dict.fromkeys(seen))}"
    return FormatDecision(fmt, reason, mixed=n2021 > 0 and n2019 > 0)


# Table-三 row labels followed by their seven values run together, as a crawler's text of a
# page gives a table: 「一、本年新收政府信息公开申请数量15130000154二、上年结转…」.
_GLUED_ROW_RE = re.compile(
    r"(本年新收政府信息公开申请数量|上年结转政府信息公开申请数量|予以公开|属于国家秘密"
    r"|本机关不掌握相关政府信息|重复申请|（七）总计|结转下年度继续办理)\s*((?:\d\s?){7,})"
)
MIN_GLUED_ROWS = 2


def glued_table_rows(doc: Document) -> list[tuple[str, str]]:
    """Table rows found only in the running text, their cells glued (label, digits), in order.

    Empty unless at least two rows of table 三 are there: a text that names the rows and runs
    their numbers together holds the tables, but not in a form whose numbers can be told apart.
    """
    found: dict[str, str] = {}
    for para in doc.paragraphs:
        if "申请" not in para.text and "总计" not in para.text:
            continue
        for match in _GLUED_ROW_RE.finditer(para.text):
            found.setdefault(match[1], match[2].strip())
    return list(found.items()) if len(found) >= MIN_GLUED_ROWS else []


def document_to_reading(doc: Document) -> Reading:
    """Read a document's tables and text into a :class:`Reading`."""
    simplify_document(clean_document(doc))
    tables = read_tables(table_grids(doc.blocks), headless_appeals(doc.blocks))
    if not tables.cells:
        glued = glued_table_rows(doc)
        if glued:
            label, digits = glued[0]
            raise UnreadableDocument(
                f"找到了统计表的行名（如“{label}”），但表格的单元格之间没有分隔，数字连在一起"
                f"（如“{label}{digits}”），无法分辨各个数值；请改用年度报告的 HTML、DOCX 或 PDF 原件"
            )
        missing = "统计表（表二、表三、表四）"
        raise UnreadableDocument(f"没有找到年度报告的{missing}，不像是政府信息公开工作年度报告")
    paragraphs = doc.paragraphs
    sections = read_sections(paragraphs)
    decision = decide_format(tables.evidence, sections.year)
    layout = layout_for(decision.format)
    wanted = layout.cell_key_set
    single_other = (
        decision.format is Format.F2021
        and any(k in tables.cells for k in _OTHER_SINGLE_ROW)  # (the table reader's only columns)
        and not any(k.startswith(_OTHER_SUB_ROWS) for k in tables.cells)
    )
    if single_other:
        wanted = {k for k in wanted if not k.startswith(_OTHER_SUB_ROWS)} | set(_OTHER_SINGLE_ROW)
    notices = [
        Finding(
            rule=n.rule,
            severity=Severity.INFO if n.info else Severity.WARNING,
            cells=n.cells,
            message=n.message,
            line=n.line,
        )
        for n in tables.notices
    ]
    notices += [
        Finding(
            rule=n.rule,
            severity=Severity.INFO if n.info else Severity.WARNING,
            message=n.message,
            line=n.line,
        )
        for n in doc.notices
    ]
    dropped = sorted(k for k in tables.cells if k not in wanted)
    if dropped:
        notices.append(
            Finding(
                rule="READ-OTHER-LAYOUT",
                severity=Severity.WARNING,
                cells=dropped,
                message=f"按{decision.format.value}年格式读取，另一格式的{len(dropped)}个单元格未能放入：{dropped[0]}等",
                line=tables.lines[dropped[0]],
            )
        )
    # Every cell of the layout, in its order: the value read, or None where the tables have none.
    values = {k: v.value for k, v in tables.cells.items()}
    if single_other:
        cells = {k: values.get(k) for k in layout.cell_keys if k in wanted}
        cells.update({k: values.get(k) for k in sorted(wanted - set(cells))})
    else:
        cells = {k: values.get(k) for k in layout.cell_keys}
    report = build_report(
        decision.format,
        cells,
        agency=sections.agency,
        year=sections.year,
        sections=Sections(**{k: sections.texts.get(k) for k in Sections.model_fields}),
    )
    dates = report_dates(paragraphs, sections.year, doc.published, max(sections.lines.values(), default=0))
    return Reading(
        report=report,
        source=doc.name,
        decision=decision,
        evidence=tables.evidence,
        sections=sections,
        origins=dict(tables.lines),
        places=doc.places,
        notices=notices,
        raw_cells=values,
        cells=cells,
        published_on=dates.published,
        signed_on=dates.signed,
    )
