"""A table header → the value columns it names, for tables 三 and 四."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from gongkai.model.labels import core
from gongkai.model.layouts import APPEAL_HEADER, REQUEST_HEADER, HeaderNode
from gongkai.readers.document import Grid, GridCell
from gongkai.readers.headers import Header, header_texts, positional_leaves, sequential_leaves
from gongkai.readers.tables import Notice

COLUMN_NAMES = {n.key: n.label.official for n in REQUEST_HEADER.walk() + APPEAL_HEADER.walk() if n.key}


def _leaves_in_layout_order(header: tuple[tuple[str, ...], ...], root: HeaderNode) -> dict[int, str] | None:
    """Columns by the layout's order, when the header's lowest labels are exactly its leaves.

    A group label whose merged cell is not known (a table printed without rules centres 「行政
    诉讼」 over ten columns it does not touch) leaves repeated leaves such as 「结果维持」
    without a parent. When the deepest label of each column, left to right, names the
    layout's leaves in their order, the columns are the layout's columns.
    """
    leaves = [n for n in root.walk() if n.key and not n.children]
    width = max(len(r) for r in header)
    deepest: list[tuple[int, str]] = []
    for col in range(width):
        for row in reversed(header):
            if col < len(row) and core(row[col]):
                deepest.append((col, core(row[col])))
                break
    found = [(col, text) for col, text in deepest if any(n.label.matches(text) for n in leaves)]
    if len(found) != len(leaves) or not all(
        n.label.matches(text) for n, (_, text) in zip(leaves, found, strict=True)
    ):
        return None
    return {col: n.key for n, (col, _) in zip(leaves, found, strict=True) if n.key}


@lru_cache(maxsize=1024)  # headers repeat from report to report
def _named_columns(
    header: tuple[tuple[str, ...], ...], root: HeaderNode, default: tuple[str, ...], positional: bool
) -> tuple[tuple[str, ...], Mapping[int, str] | None]:
    """The keys of the columns a header (its rows' texts) names, in order, and their positions."""
    if not positional:
        return sequential_leaves(header, root), None
    positions: Mapping[int, str] = positional_leaves(header, root)
    keys = tuple(dict.fromkeys(positions[c] for c in sorted(positions)))
    if len(keys) != len(default):
        by_order = _leaves_in_layout_order(header, root)
        if by_order is not None:
            positions, keys = MappingProxyType(by_order), default
    return keys, positions


def header_columns(
    grid: Grid,
    header_rows: list[list[GridCell]],
    root: HeaderNode,
    default: tuple[str, ...],
    notices: list[Notice],
    table_name: str,
    texts: Header | None = None,
) -> tuple[list[str], Mapping[int, str] | None, Notice | None]:
    """The value columns the header names, in order (and their positions in a positional grid).

    A header that names only some columns yields those: their cells are placed by name, the
    missing columns stay empty, and LAY-T3-SHAPE / LAY-T4-SHAPE say what is missing. Only a
    table with no recognisable header is read in the layout's column order. The READ-HEADER
    notice about missing columns is returned too, so that the caller can name the cells left
    empty once it knows the rows. Notices go to ``notices``; ``texts`` are the header rows'
    texts (:func:`~gongkai.readers.headers.header_texts`), when the caller has them.
    """
    if header_rows:
        if texts is None:
            texts = header_texts(header_rows)
        named, positions = _named_columns(texts, root, default, grid.positional)
        keys = list(named)
        if keys:
            notice = None
            if len(keys) != len(default):
                missing = "、".join(COLUMN_NAMES.get(k, k) for k in default if k not in keys)
                notice = Notice(
                    "READ-HEADER",
                    f"{table_name}表头缺少：{missing}；这些列的数值无法对应，按未填写处理",
                    header_rows[0][0].line,
                )
                notices.append(notice)
            return keys, positions, notice
    line = header_rows[0][0].line if header_rows and header_rows[0] else None
    notices.append(Notice("READ-HEADER", f"{table_name}没有可识别的表头，按格式的列序读取", line))
    return list(default), None, None
