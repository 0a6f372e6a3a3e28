"""Label normalisation and matching, shared by every reader and by the layout data.

Real reports write the same label many ways: 「（一）」 or 「(一)」, 「1.属于」 or 「1. 属于」,
「商业\\n企业」, 「结 果 维 持」, straight or curly quotes, full-width letters and digits,
a stray ``[bookmark: _GoBack]``. Everything here turns such a label into a *core*
(no numbering, no spaces, no quotes, half-width) that the layout's matchers compare.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Bounded, so that a line of unclosed 「[bookmark:」 cannot make the match quadratic.
BOOKMARK_RE = re.compile(r"\[bookmark:[^\]\n]{0,200}\]")
_QUOTES = "\"'“”‘’「」『』〝〞＂＇"
_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# Characters that look alike, mistyped or misread by OCR (「尚末审结」, 「己公开」): compared as the
# character the official labels use. No official label has 末, 己 or 巳.
_LOOKALIKES = {"末": "未", "己": "已", "巳": "已"}
_QUOTE_TABLE = str.maketrans(_LOOKALIKES | dict.fromkeys(_QUOTES))
CHINESE_NUMERALS = "〇一二三四五六七八九十"
# Leading numbering: 三、 / (一) / （1） / 1. / 1、 / 第一 ... repeated (「三、（一）」).
_NUMBERING_RE = re.compile(
    r"^(?:"
    r"[(（][一二三四五六七八九十\d]{1,3}[)）]"
    r"|[一二三四五六七八九十]{1,3}[、.．]"
    r"|\d{1,2}(?:[、.．](?!\d)|\s)"
    r")\s*"
)


def strip_marks(text: str) -> str:
    """Remove word-processor marks (``[bookmark: …]``) that survive text export."""
    return BOOKMARK_RE.sub("", text)


# Labels repeat across every report of a corpus: normalising each distinct text once pays.
@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a label for comparison: NFKC (full-width → half-width), no marks, spaces or quotes.

    >>> fold("（一） 予以 公开")
    '(一)予以公开'
    >>> fold("3.危及“三安全一稳定”")
    '3.危及三安全一稳定'
    >>> fold("尚末审结")
    '尚未审结'
    """
    text = unicodedata.normalize("NFKC", strip_marks(text))
    return _SPACE_RE.sub("", text).translate(_QUOTE_TABLE)


@lru_cache(maxsize=65536)
def core(text: str) -> str:
    """The comparable core of a label: folded, without leading numbering.

    >>> core("（三）不予公开")
    '不予公开'
    >>> core("1. 属于国家秘密")
    '属于国家秘密'
    >>> core("三、本年度办理结果")
    '本年度办理结果'
    """
    folded = unicodedata.normalize("NFKC", strip_marks(text)).strip()
    previous = None
    while previous != folded:
        previous = folded
        folded = _NUMBERING_RE.sub("", folded, count=1).strip()
    return _SPACE_RE.sub("", folded).translate(_QUOTE_TABLE)


@dataclass(frozen=True, eq=False)  # identity hash: cheap for the match cache
class Label:
    """An official label and the ways real reports write it.

    ``official`` is the text of the format's annex. A cell matches when its core
    equals one of ``exact`` (or the official core), or contains one of ``keywords``.
    """

    official: str
    keywords: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()

    @lru_cache(maxsize=65536)  # noqa: B019  (labels are module-level constants, never freed)
    def matches(self, label_core: str) -> bool:
        """True when a label's core (see :func:`core`) denotes this label."""
        if not label_core:
            return False
        if label_core == core(self.official) or label_core in self.exact:
            return True
        return any(k in label_core for k in self.keywords)
