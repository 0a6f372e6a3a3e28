"""Reports set in Traditional characters are read after conversion to Simplified.

The labels of the layouts are Simplified, as are the section headings and the phrases the
narrative checks look for. A report in Traditional characters (typed so, or converted by a
portal for its Traditional-character edition) is converted with OpenCC before anything is
matched; numbers are untouched by the conversion.
"""

from __future__ import annotations

import re
from functools import cache
from operator import ne

from gongkai.readers.chinese_triggers import T2S_TRIGGERS, T2S_TRIGGERS_VERSION
from gongkai.readers.document import Document, DocumentNotice, Grid, Paragraph

# Simplified text may hold a few characters OpenCC would change (variants such as 於, 乾);
# a Traditional report differs in hundreds. Below this many changed characters, nothing is done.
MIN_CHANGED = 12
SAMPLE = 3000  # characters looked at to decide


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


# A text without any of these is what OpenCC's t2s gives back unchanged (see chinese_triggers):
# one scan of the text instead of a conversion. Compatibility ideographs and characters past
# U+FFFF count as triggers whatever they are: they are rare, and then OpenCC decides.
@cache  # compiled on first use (3 ms), not at import: commands that read no document never pay it
def _trigger_pattern() -> re.Pattern[str]:
    return re.compile(f"[{T2S_TRIGGERS}\uf900-\ufaff\U00010000-\U0010ffff]")


@cache
def _triggers_hold() -> bool:
    """Whether the trigger list was made from the dictionaries of the installed OpenCC."""
    import opencc

    return opencc.__version__ == T2S_TRIGGERS_VERSION


def may_change(text: str) -> bool:
    """Whether :func:`traditional_to_simplified` may change ``text``; False only when it would not."""
    return _trigger_pattern().search(text) is not None or not _triggers_hold()


def traditional_to_simplified(text: str) -> str:
    """The text in Simplified characters (OpenCC's t2s, phrase-aware)."""
    return _converter().convert(text)


def _opening(doc: Document) -> str:
    """The document's first :data:`SAMPLE` characters: its paragraphs, then its cells.

    A report is set in one script throughout: its opening is enough to tell (and cheaper).
    """
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    if sum(map(len, texts)) + len(texts) <= SAMPLE:  # the paragraphs do not fill the sample
        texts += [c.text for b in doc.blocks if isinstance(b, Grid) for row in b.rows for c in row]
    return "\n".join(texts)[:SAMPLE]


def simplify_document(doc: Document) -> Document:
    """Convert a document set in Traditional characters to Simplified, in place; note it.

    Returns the document. A document in Simplified characters is left exactly as it is.
    """
    if doc.text is not None and not may_change(doc.text):
        return doc  # the common case, told from the source text without gathering the blocks'
    whole = _opening(doc)
    if not may_change(whole):
        return doc  # not a character OpenCC would change
    converted = traditional_to_simplified(whole)
    if converted == whole:
        return doc  # the common case, told without comparing character by character
    if len(converted) == len(whole):
        changed = sum(map(ne, whole, converted))  # positions where the two differ
    else:
        changed = abs(len(converted) - len(whole)) + MIN_CHANGED
    if changed < MIN_CHANGED:
        return doc
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            doc.blocks[i] = Paragraph(traditional_to_simplified(block.text), block.line)
        else:
            for row in block.rows:
                for cell in row:
                    if cell.text:
                        cell.text = traditional_to_simplified(cell.text)
    doc.notices.append(
        DocumentNotice(
            rule="READ-TRADITIONAL",
            message="报告使用繁体字，已转换为简体字后读取",
        )
    )
    return doc
