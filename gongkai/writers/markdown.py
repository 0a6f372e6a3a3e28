"""The report as Markdown, for a quick review in an editor, a diff or a code-hosting page.

``#`` for the title, ``##`` for the six section headings, a line per paragraph, and each table
as GitHub-style pipe tables. Markdown cannot merge cells, so a table is written as its grid of
positions: a merged cell's text in its top-left position, the positions it covers left blank.
That is the shape the project's text reader reads back cell for cell (a blank right of a header
belongs to it, a blank below a label continues it). Table 二 is one pipe table per block of
第二十条, its caption as the block's first row, so that each block renders with a heading row.

Findings, when there are any, are listed after the report under 「检查发现」. Markdown has no
place that a reader skips, so reading such a file back takes the list as part of section 六's
text (the tables read back the same). ``render`` checks the report when given no findings, so a
file meant to be read back again is written with ``findings=()``.
"""

from __future__ import annotations

from collections.abc import Iterator

from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import Finding, Severity
from gongkai.model.sections import FINDINGS_HEADING
from gongkai.writers.printed import PrintedReport, PrintedTable, Role

__all__ = ["write_markdown"]

_SEVERITY_WORD = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}


def write_markdown(printed: PrintedReport) -> str:
    """The report as Markdown (see the module docstring)."""
    lines = [f"# {_line(printed.title)}", ""]
    for section in printed.sections:
        lines += [f"## {_line(section.heading)}", ""]
        for paragraph in section.paragraphs:
            lines += [_line(paragraph), ""]
        if section.table is not None:
            for table in _pipe_tables(section.table):
                lines += [*table, ""]
    if printed.findings:
        lines += _findings(printed)
    return "\n".join(lines).rstrip("\n") + "\n"


def _line(text: str) -> str:
    """A text on one Markdown line. A tab would make the text reader take the line for a row of
    a tab-separated table; white space inside a paragraph counts for nothing in the report."""
    return " ".join(text.split())


def _cell(text: str) -> str:
    # Labels and numbers never hold a pipe; escaped anyway so that a row keeps its width.
    return _line(text).replace("|", "\\|")


def _pipe_tables(table: PrintedTable) -> Iterator[list[str]]:
    """The table's grid as pipe tables: table 二 one per block (from each caption row), tables
    三 and 四 whole."""
    grid = [["" if cell is None else cell.text for cell in row] for row in table.grid()]
    starts = [r for r, row in enumerate(table.rows()) if row and row[0].role is Role.CAPTION] or [0]
    for start, end in zip(starts, [*starts[1:], table.height], strict=True):
        rows = [" ".join(("|", " | ".join(_cell(t) for t in row), "|")) for row in grid[start:end]]
        separator = "|" + "---|" * table.width
        yield [rows[0], separator, *rows[1:]]


def _named(key: str, printed: PrintedReport) -> str:
    try:
        return cell_name(key, layout_for(printed.format))
    except (ValueError, KeyError, StopIteration):
        return key


def _findings(printed: PrintedReport) -> list[str]:
    """A numbered list: level, rule, the cells in words, the message, the place when known."""
    findings: tuple[Finding, ...] = printed.findings
    counts = {s: sum(1 for f in findings if f.severity is s) for s in _SEVERITY_WORD}
    summary = "，".join(f"{_SEVERITY_WORD[s]}{n}条" for s, n in counts.items() if n)
    lines = [f"## {FINDINGS_HEADING}（共{len(findings)}条：{summary}）", ""]
    for i, finding in enumerate(findings, start=1):
        cells = "、".join(_named(key, printed) for key in finding.cells)
        place = finding.place or (f"第{finding.line}行" if finding.line else "")
        text = f"{i}. **{_SEVERITY_WORD[finding.severity]}** `{finding.rule}` "
        text += f"{cells}：" if cells else ""
        text += finding.message + (f"（{place}）" if place else "")
        lines.append(_line(text))
    lines.append("")
    return lines
