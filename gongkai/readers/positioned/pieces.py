"""Text on a page as pieces with boxes, the rules drawn there, and the printed lines they make."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from gongkai.readers.document import DocumentNotice


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text on one line and its box (x0, top, x1, bottom), y downwards."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float | None = None  # OCR only

    @property
    def middle(self) -> float:
        """The vertical centre."""
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        """The horizontal centre."""
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line drawn on the page, as a box (a thin rectangle or a segment)."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Page:
    """One page: its text pieces and its rules, in one coordinate system.

    ``notices`` are what the reader found wrong with the page (damaged content); one without a
    line is given the line the page starts at by :func:`~gongkai.readers.positioned.pages.pages_to_document`.
    """

    number: int
    pieces: list[Piece] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    notices: list[DocumentNotice] = field(default_factory=list)


def chars_to_pieces(chars: Iterable[tuple[str, float, float, float, float]]) -> list[Piece]:
    """Characters ``(text, x0, top, x1, bottom)`` in content order, grouped into runs.

    Neighbours on one line with no gap wider than about a third of a character are one run;
    white space and line breaks end a run (and are dropped).
    """
    pieces: list[Piece] = []
    chars_of_run: list[str] = []
    box = [0.0, 0.0, 0.0, 0.0]
    for ch, x0, top, x1, bottom in chars:
        if not ch or ch.isspace() or ch in "\ufffe\x02":
            if chars_of_run:
                pieces.append(Piece("".join(chars_of_run), *box))
                chars_of_run = []
            continue
        if chars_of_run:
            size = box[3] - box[1]
            same_line = abs((top + bottom) / 2 - (box[1] + box[3]) / 2) < 0.5 * size
            if same_line and -0.5 * size <= x0 - box[2] <= 0.35 * size:
                chars_of_run.append(ch)
                box = [box[0], min(box[1], top), max(box[2], x1), max(box[3], bottom)]
                continue
            pieces.append(Piece("".join(chars_of_run), *box))
        chars_of_run = [ch]
        box = [x0, top, x1, bottom]
    if chars_of_run:
        pieces.append(Piece("".join(chars_of_run), *box))
    return pieces


def text_height(pieces: list[Piece]) -> float:
    heights = [p.bottom - p.top for p in pieces if p.bottom > p.top]
    return statistics.median(heights) if heights else 1.0


def inside(piece: Piece, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return x0 <= piece.centre <= x1 and top <= piece.middle <= bottom


def text_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces grouped into printed lines (their vertical centres overlap), each sorted by x."""
    lines: list[list[Piece]] = []
    spans: list[tuple[float, float]] = []
    for piece in sorted(pieces, key=lambda p: (p.middle, p.x0)):
        if lines:
            top, bottom = spans[-1]
            if top <= piece.middle <= bottom:
                lines[-1].append(piece)
                spans[-1] = (min(top, piece.top), max(bottom, piece.bottom))
                continue
        lines.append([piece])
        spans.append((piece.top, piece.bottom))
    for line in lines:
        line.sort(key=lambda p: p.x0)
    return lines


def join_line(pieces: list[Piece], unit: float) -> str:
    """A line's text: pieces side by side are one word; a wide gap is a space."""
    out: list[str] = []
    right = None
    for piece in pieces:
        if right is not None and piece.x0 - right > 0.8 * unit:
            out.append(" ")
        out.append(piece.text)
        right = piece.x1
    return "".join(out)


def cell_text(pieces: list[Piece], unit: float) -> str:
    """A cell's text: its lines joined without a break (「商业」「企业」 is one label)."""
    return "".join(join_line(line, unit).strip() for line in text_lines(pieces))
