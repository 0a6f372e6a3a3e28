"""Test writers: a report as PDF → Markdown converters print it, its tables come apart (issue 16).

Converters (marker, pdfplumber, markitdown …) rebuild a PDF's tables from where the text sits on
the page, and a tall cell or a wide caption throws them off. Three shapes, each drawn at random
from a ``seed`` so that a property test covers the variations:

* :func:`write_labels_apart` — a data row of table 二 or 三 whose label came apart from its
  numbers: the label on a row of its own with empty value cells, or as plain text lines that
  break the pipe table (the label wrapped over two lines now and then), then a row of numbers
  whose label cells are empty. Sometimes two or three rows' labels come first, then their
  numbers in the same order.
* :func:`write_appeals_run_together` — table 四 whose header words are run together (one cell
  per header row, or one line of text above the table), its row of 15 numbers intact.
* :func:`write_active_pieces` — table 二 printed as small tables: each 第二十条 caption a
  one-cell table, a text line, a bold line or a heading, and each block's header and rows one
  table, or one small table per row.

:func:`write_converted` has all three at once. Only shapes a reader can decide are written:
a row whose values are all blank never comes apart (its numbers would be an empty row), and
no row comes apart right after a blank row (two labels, one row of numbers: whose?).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from gongkai.model.layouts import REQUEST_BALANCE_NOTE
from gongkai.model.report import Report2019, Report2021
from support.textwriter import SECTION_TITLES, _appeal_header, _narrative, _Parts

Report = Report2021 | Report2019

__all__ = [
    "CONVERTED_WRITERS",
    "write_active_pieces",
    "write_appeals_run_together",
    "write_converted",
    "write_labels_apart",
]

# An item of a converted table: a pipe row, a line of text, or BREAK (the table ends; the next
# row starts a new one, as a converter starts a table anew after anything else on the page).
Item = list[str] | str | None
BREAK: Item = None


def render(items: list[Item]) -> list[str]:
    """Markdown lines: rows in a run make one pipe table (a separator after its first row)."""
    lines: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            rows = ["| " + " | ".join(row) + " |" for row in table]
            lines.extend([rows[0], "|" + "---|" * len(table[0]), *rows[1:], ""])
            table.clear()

    for item in items:
        if isinstance(item, list):
            table.append(item)
            continue
        flush()
        if isinstance(item, str):
            lines += [item, ""]
    flush()
    return lines


def _wrap(text: str, rng: random.Random) -> list[str]:
    """The text, now and then wrapped over two lines at a random place (a narrow label column)."""
    if len(text) < 6 or rng.random() < 0.6:
        return [text]
    cut = rng.randint(max(3, len(text) // 3), len(text) - 1)  # never right after 「2.」: a label wraps late
    return [text[:cut], text[cut:]]


def come_apart(rows: list[tuple[list[str], list[str]]], rng: random.Random) -> list[Item]:
    """Data rows (label cells, value cells), some with their labels come apart from their numbers."""
    items: list[Item] = []
    i = 0
    after_blank = False  # the last row written has labels and no value: a run must not follow it
    while i < len(rows):
        labels, values = rows[i]
        if after_blank or not any(values) or rng.random() < 0.55:
            items.append([*labels, *values])
            after_blank = not any(values)
            i += 1
            continue
        size = rng.randint(1, 3)
        run = [rows[i]]
        while len(run) < size and i + len(run) < len(rows) and any(rows[i + len(run)][1]):
            run.append(rows[i + len(run)])
        as_lines = rng.random() < 0.5
        for run_labels, run_values in run:
            blanks = [""] * len(run_values)
            if as_lines:  # each label cell a line of text, the row's own label maybe wrapped
                named = [c for c in run_labels if c]
                for text in named[:-1]:
                    items.append(text)
                items.extend(_wrap(named[-1], rng))
                continue
            pieces = _wrap(run_labels[-1], rng)
            items.append([*run_labels[:-1], pieces[0], *blanks])
            items.extend([*[""] * (len(run_labels) - 1), piece, *blanks] for piece in pieces[1:])
        items.extend([*[""] * len(run_labels), *run_values] for run_labels, run_values in run)
        after_blank = False
        i += len(run)
    return items


# --- table 二 -----------------------------------------------------------------------------------


def _active_rows(headers: list[str], rows: list[tuple[str, list[str]]]) -> list[tuple[list[str], list[str]]]:
    pad = [""] * (3 - len(headers))
    return [([label], [*values, *pad]) for label, values in rows]


def active_apart(parts: _Parts, rng: random.Random) -> list[Item]:
    """Table 二 as one pipe table per block, some rows' labels come apart."""
    items: list[Item] = []
    for caption, headers, rows in parts.active_blocks():
        items += [[caption, "", "", ""], ["信息内容", *headers, *[""] * (3 - len(headers))]]
        items += come_apart(_active_rows(headers, rows), rng)
        items.append(BREAK)
    return items


_CAPTION_STYLES = ("table", "line", "bold", "heading")


def active_pieces(parts: _Parts, rng: random.Random) -> list[Item]:
    """Table 二 as small tables: the captions on their own, the rows in one or several tables."""
    items: list[Item] = []
    for caption, headers, rows in parts.active_blocks():
        style = rng.choice(_CAPTION_STYLES)
        if style == "table":
            items += [BREAK, [caption], BREAK]
        else:
            items.append({"line": caption, "bold": f"**{caption}**", "heading": f"### {caption}"}[style])
        header = ["信息内容", *headers]
        if rng.random() < 0.5:
            items += [header, *([label, *values] for label, values in rows), BREAK]
        else:  # one small table per row, the header its own
            items += [header, BREAK]
            for label, values in rows:
                items += [[label, *values], BREAK]
    return items


# --- table 三 -----------------------------------------------------------------------------------

_REQUEST_HEADER = [
    [REQUEST_BALANCE_NOTE.official, "", "", "申请人情况", "", "", "", "", "", ""],
    ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
]


def requests_apart(parts: _Parts, rng: random.Random) -> list[Item]:
    """Table 三, some rows' labels come apart from their numbers."""
    rows = [
        ([*labels, *[""] * (3 - len(labels))], parts.request_values(key))
        for key, labels in parts.request_labels()
    ]
    return [*_REQUEST_HEADER, *come_apart(rows, rng), BREAK]


def requests_whole(parts: _Parts) -> list[Item]:
    """Table 三 as write_markdown prints it."""
    rows = [
        [*labels, *[""] * (3 - len(labels)), *parts.request_values(key)]
        for key, labels in parts.request_labels()
    ]
    return [*_REQUEST_HEADER, *rows, BREAK]


# --- table 四 -----------------------------------------------------------------------------------


def appeals_whole(parts: _Parts) -> list[Item]:
    """Table 四 as write_markdown prints it."""
    header = [[c.replace(" ", "") for c in row] for row in _appeal_header()]
    return [*header, parts.appeal_values(), BREAK]


def appeals_run_together(parts: _Parts, rng: random.Random) -> list[Item]:
    """Table 四 whose header words run together, its 15 numbers intact."""
    header = [[c.replace(" ", "") for c in row] for row in _appeal_header()]
    values = parts.appeal_values()
    blank = [""] * 14
    shape = rng.choice(("cell", "rows", "line"))
    if shape == "cell":  # the whole header in its first cell
        return [["".join("".join(row) for row in header), *blank], values, BREAK]
    if shape == "rows":  # each header row's words in its first cell
        return [*(["".join(row), *blank] for row in header), values, BREAK]
    # the header as a line of text above a table holding only the numbers
    return ["".join("".join(row) for row in header), values, BREAK]


# --- the document -------------------------------------------------------------------------------


def _document(parts: _Parts, tables: Mapping[int, list[Item]]) -> str:
    narrative = _narrative(parts)
    lines = [f"# {parts.agency}{parts.year}年度政府信息公开工作年度报告", ""]
    for number, title in enumerate(SECTION_TITLES, start=1):
        lines += [f"## {title}", ""]
        for paragraph in narrative[number]:
            lines += [paragraph, ""]
        if number in tables:
            lines += render(tables[number])
    return "\n".join(lines) + "\n"


def write_labels_apart(report: Report | Mapping[str, Any], seed: int = 0) -> str:
    """Markdown whose tables 二 and 三 have some rows' labels apart from their numbers."""
    parts, rng = _Parts(report), random.Random(seed)
    tables = {2: active_apart(parts, rng), 3: requests_apart(parts, rng), 4: appeals_whole(parts)}
    return _document(parts, tables)


def write_appeals_run_together(report: Report | Mapping[str, Any], seed: int = 0) -> str:
    """Markdown whose table 四 header has its words run together."""
    parts, rng = _Parts(report), random.Random(seed)
    tables = {
        2: _whole_active(parts),
        3: requests_whole(parts),
        4: appeals_run_together(parts, rng),
    }
    return _document(parts, tables)


def _whole_active(parts: _Parts) -> list[Item]:
    items: list[Item] = []
    for caption, headers, rows in parts.active_blocks():
        pad = [""] * (3 - len(headers))
        items += [[caption, "", "", ""], ["信息内容", *headers, *pad]]
        items += [[label, *values, *pad] for label, values in rows]
        items.append(BREAK)
    return items


def write_active_pieces(report: Report | Mapping[str, Any], seed: int = 0) -> str:
    """Markdown whose table 二 is printed as small tables."""
    parts, rng = _Parts(report), random.Random(seed)
    tables = {2: active_pieces(parts, rng), 3: requests_whole(parts), 4: appeals_whole(parts)}
    return _document(parts, tables)


def write_converted(report: Report | Mapping[str, Any], seed: int = 0) -> str:
    """Markdown with all three shapes: 二 in small tables, labels apart in 三, 四's header run together."""
    parts, rng = _Parts(report), random.Random(seed)
    tables = {
        2: active_pieces(parts, rng),
        3: requests_apart(parts, rng),
        4: appeals_run_together(parts, rng),
    }
    return _document(parts, tables)


CONVERTED_WRITERS: dict[str, Callable[[Report | Mapping[str, Any], int], str]] = {
    "labels_apart": write_labels_apart,
    "appeals_run_together": write_appeals_run_together,
    "active_pieces": write_active_pieces,
    "converted": write_converted,
}
