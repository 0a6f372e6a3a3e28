"""Column headers of tables 三 and 四: which value column each position holds.

A header is a tree (申请人情况 → 法人或其他组织 → 商业企业…). Two kinds of grid reach us:

* positional grids (tab-separated text, HTML, DOCX): an empty header cell to the right of a
  label is part of that label's merged cell, so each column's deepest label is its leaf;
* Word's text export, which lists only the cells a row has: an empty cell under a label is
  the label's vertical continuation, and a group label is followed, one row down, by its
  children in order. :func:`sequential_leaves` rebuilds the leaf order from that.

Either way the layout says which labels are groups and which are leaves, so labels are
matched by name, never by position alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from gongkai.model.labels import core
from gongkai.model.layouts import HeaderNode
from gongkai.readers.document import GridCell

Header = tuple[tuple[str, ...], ...]  # a header's rows, as their cells' texts


def header_texts(rows: list[list[GridCell]]) -> Header:
    """A header's rows as their cells' texts, as the functions here take them."""
    return tuple([tuple([c.text for c in row]) for row in rows])  # lists: quicker than generators


def positional_leaves(rows: Header, root: HeaderNode) -> Mapping[int, str]:
    """Column index → leaf key for a grid whose cell positions are columns (do not modify the result)."""
    return MappingProxyType(_positional_leaves(rows, root))


@lru_cache(maxsize=1024)  # headers repeat from report to report
def _positional_leaves(rows: tuple[tuple[str, ...], ...], root: HeaderNode) -> dict[int, str]:
    spans: list[list[tuple[int, int, HeaderNode]]] = []
    for row in rows:
        row_spans: list[tuple[int, int, HeaderNode]] = []
        filled = [i for i, text in enumerate(row) if core(text)]
        for n, col in enumerate(filled):
            parent, parent_end = _covering(spans, col) or (root, len(row))
            node = parent.find(core(row[col])) or root.find(core(row[col]))
            if node is None:
                continue
            end = filled[n + 1] if n + 1 < len(filled) else len(row)
            row_spans.append((col, min(end, parent_end) if parent is not root else end, node))
        spans.append(row_spans)
    leaves: dict[int, str] = {}
    width = max((len(r) for r in rows), default=0)
    for col in range(width):
        for row_spans in reversed(spans):
            hit = next((node for start, end, node in row_spans if start <= col < end), None)
            if hit is not None:
                if not hit.children and hit.key:
                    leaves[col] = hit.key
                break
    return leaves


def _covering(spans: list[list[tuple[int, int, HeaderNode]]], col: int) -> tuple[HeaderNode, int] | None:
    for row_spans in reversed(spans):
        for start, end, node in row_spans:
            if start <= col < end and node.children:
                return node, end
    return None


def sequential_leaves(rows: Header, root: HeaderNode) -> tuple[str, ...]:
    """Leaf keys in column order for Word's text export (see module docstring)."""
    return _sequential_leaves(rows, root)


@lru_cache(maxsize=1024)
def _sequential_leaves(rows: tuple[tuple[str, ...], ...], root: HeaderNode) -> tuple[str, ...]:
    frontier: list[HeaderNode | None] = [root.find(core(t)) if core(t) else None for t in rows[0]]
    for row in rows[1:]:
        cells = [core(t) for t in row]
        pos = 0
        new: list[HeaderNode | None] = []
        for node in frontier:
            if node is not None and node.children:
                taken: set[int] = set()
                while pos < len(cells) and cells[pos]:
                    child = next(
                        (
                            i
                            for i, ch in enumerate(node.children)
                            if i not in taken and ch.label.matches(cells[pos])
                        ),
                        None,
                    )
                    if child is None:
                        break
                    taken.add(child)
                    new.append(node.children[child])
                    pos += 1
                if not taken:
                    new.append(node)
            else:
                if pos < len(cells) and not cells[pos]:
                    pos += 1  # the empty continuation of a vertically merged cell
                new.append(node)
        new.extend(root.find(c) if c else None for c in cells[pos:])
        frontier = new
    return tuple(n.key for n in frontier if n is not None and not n.children and n.key)
