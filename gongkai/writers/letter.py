"""A written notice (:class:`~gongkai.model.letter.Letter`) → DOCX and PDF, in the look of the
report's writer (GB/T 9704): the same package, page, fonts and page numbers
(:func:`gongkai.writers.docx.package_docx`), the PDF converted by LibreOffice as the report's is.

The parts of a letter as GB/T 9704 places them: the title centred in 二号 方正小标宋; the 发文字号
centred below it in 三号 仿宋; a line's air; the 主送 flush left; the body in 三号 仿宋, first lines
indented two characters. With a seal (印章): two lines of room below the body, the organ's name
centred over the 成文日期, which ends four characters from the right margin, so that the seal
presses both from above, its top within a line of the body. Without: one blank line, the name
two characters from the right, the date under it moved two characters further right. 附注 in
brackets below the date, indented two characters; 抄送 last, 四号, between two rules (版记).
"""

from __future__ import annotations

import unicodedata

from gongkai.model.letter import Letter
from gongkai.writers.docx import (  # the report's writer's pieces: one look for every document
    BODY_LINE_PT,
    SANHAO,
    SIHAO,
    _paragraph,
    _run,
    _section_properties,
    _size,
    _text,
    _twips,
    package_docx,
)

__all__ = ["letter_to_docx", "letter_to_pdf"]

_NO_INDENT = '<w:ind w:firstLine="0" w:firstLineChars="0"/>'
_CHAR_PT = SANHAO  # a character of 三号 is 16 pt wide


def _width_pt(text: str) -> float:
    """The printed width of ``text`` in 三号: a CJK character a full em, a digit or letter half."""
    return sum(_CHAR_PT if unicodedata.east_asian_width(c) in "WF" else _CHAR_PT / 2 for c in text)


def _right(text: str, chars_from_edge: float, *, pad_pt: float = 0) -> str:
    """A paragraph ranged right, ending ``chars_from_edge`` characters (plus ``pad_pt``) from the margin."""
    indent = round((chars_from_edge * _CHAR_PT + pad_pt) * 20)
    props = f'<w:ind w:right="{max(indent, 0)}" w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="right"/>'
    return _paragraph("Normal", _run(text), props)


def _blank(lines: int = 1) -> str:
    return "".join(_paragraph("Normal", "") for _ in range(lines))


def _signature(letter: Letter) -> str:
    """The organ's name and the 成文日期 (GB/T 9704 7.3.5)."""
    date = letter.dated_text
    if letter.seal:
        # The name centred over the date: its right edge as far in as half the difference of widths.
        pad = (_width_pt(date) - _width_pt(letter.organ)) / 2
        return _blank(2) + _right(letter.organ, 4, pad_pt=pad) + _right(date, 4)
    pad = _width_pt(letter.organ) - _width_pt(date) - 2 * _CHAR_PT  # date starts two characters right
    return _blank(1) + _right(letter.organ, 2) + _right(date, 2, pad_pt=pad if pad > 0 else 0)


def _copy_to(text: str) -> str:
    """抄送 in 四号 between two thin rules, indented one character each side (版记)."""
    rule = '<w:{} w:val="single" w:sz="4" w:space="1" w:color="000000"/>'
    props = (
        f"<w:pBdr>{rule.format('top')}{rule.format('bottom')}</w:pBdr>"
        f'<w:spacing w:before="{_twips(10)}"/>'
        f'<w:ind w:left="{round(SIHAO * 20)}" w:right="{round(SIHAO * 20)}" w:firstLine="0" w:firstLineChars="0"/>'
    )
    run = (
        f'<w:r><w:rPr>{_size(SIHAO)}</w:rPr><w:t xml:space="preserve">{_text(f"抄送：{text}。")}</w:t></w:r>'
    )
    return _paragraph("Normal", run, props)


def _body(letter: Letter) -> str:
    parts = [_paragraph("Title", _run(letter.title), '<w:spacing w:after="0"/>')]
    air = f'<w:spacing w:after="{round(BODY_LINE_PT * 20)}"/>'
    if letter.number:
        parts.append(_paragraph("Normal", _run(letter.number), air + _NO_INDENT + '<w:jc w:val="center"/>'))
    else:
        parts.append(_blank())
    if letter.recipient:
        parts.append(_paragraph("Normal", _run(f"{letter.recipient}："), _NO_INDENT))
    parts.extend(_paragraph("Normal", _run(text)) for text in letter.paragraphs)
    parts.append(_signature(letter))
    if letter.note:
        parts.append(_paragraph("Normal", _run(f"（{letter.note}）")))
    if letter.copy_to:
        parts.append(_copy_to(letter.copy_to))
    return "".join(parts) + _section_properties()


def letter_to_docx(letter: Letter) -> bytes:
    """The letter as a DOCX file (bytes) in the GB/T 9704 look; see the module."""
    return package_docx(_body(letter), title=letter.title, creator=letter.organ, keywords=letter.number)


def letter_to_pdf(letter: Letter) -> bytes:
    """The letter as PDF bytes (its DOCX converted by LibreOffice); raises
    :class:`~gongkai.writers.WriterUnavailable` with one Chinese sentence when that cannot be done."""
    from gongkai.writers.pdf import docx_to_pdf

    return docx_to_pdf(letter_to_docx(letter))
