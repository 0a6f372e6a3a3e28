"""The running text: title (organ and year), the six section headings and their text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from gongkai.model.labels import fold
from gongkai.model.reading import Heading, Paragraph, SectionReading
from gongkai.model.sections import FINDINGS_HEADING_RE, HEADING_VARIANTS, SECTION_HEADINGS
from gongkai.readers.document import is_stray

_NUMERALS = "一二三四五六七八九十"
# Top-level numbering only: 一、 / 一. / 1、 (Word auto-numbering) / # marks; 「1.」「（一）」「(1)」
# number the items inside a section.
_HEADING_RE = re.compile(
    r"^(?P<marks>#{1,6}\s*)?(?:\*\*)?\s*(?:(?P<cn>[一二三四五六七八九十])\s*[、.．]|(?P<num>[1-9])\s*、)?\s*(?P<rest>.*)$"
)
_SUB_ITEM_RE = re.compile(r"^\d+\s*[.．)）]")
_SQUEEZE_RE = re.compile(r"[、,，和及与]")


def _squeeze(text: str) -> str:
    return _SQUEEZE_RE.sub("", text)


_UNNUMBERED = {
    _squeeze(form): key
    for key, _, official, _ in SECTION_HEADINGS
    for form in (official, *HEADING_VARIANTS[key])
}
MAX_HEADING_CHARS = 40


def match_heading(text: str) -> tuple[str, int, bool] | None:
    """``(key, number, numbered)`` when a line is a top-level section heading (see :func:`_heading`)."""
    if len(text) > 2 * MAX_HEADING_CHARS:
        return None  # running text: no need to normalise it
    return _heading(text)


@lru_cache(maxsize=8192)  # headings repeat from report to report
def _heading(text: str) -> tuple[str, int, bool] | None:
    """``(key, number, numbered)`` when a line is a top-level section heading.

    >>> match_heading("## 一、总体情况"), match_heading("5、 存在的主要问题及改进情况")
    (('overview', 1, True), ('problems', 5, True))
    >>> match_heading("（一）主动公开"), match_heading("存在的主要问题及改进情况")
    (None, ('problems', 5, False))
    >>> match_heading("3.依申请公开情况"), match_heading("本机关无其他需要报告的事项")
    (None, None)
    >>> match_heading("因政府信息公开工作被申请行政复议和提起行政诉讼情况")
    ('appeals', 4, False)
    """
    normal = unicodedata.normalize("NFKC", text).strip().strip("*").strip()
    if not normal or len(normal) > MAX_HEADING_CHARS:
        return None
    m = _HEADING_RE.match(normal)
    if not m:
        return None
    rest = fold(m["rest"]).strip("*:：。")
    if not rest or rest[0] in "(（" or _SUB_ITEM_RE.match(rest) or any(p in rest for p in "，,；;。"):
        return None  # a sub-heading (「（一）」「3.」), or a sentence that happens to start with 「二、」
    numbered = bool(m["cn"] or m["num"] or m["marks"])
    number = _NUMERALS.index(m["cn"]) + 1 if m["cn"] else int(m["num"]) if m["num"] else None
    for key, n, official, cores in SECTION_HEADINGS:
        if number is not None and number != n:
            continue
        if numbered and (rest == official or any(c in rest for c in cores)):
            return key, n, numbered
        if not numbered and _UNNUMBERED.get(_squeeze(rest)) == key:
            return key, n, numbered
    return None


_SPACES_RE = re.compile(r"\s+")
_YEAR_RE = re.compile(r"(?<!\d)(20\d{2})\s*年度?")
_TITLE_TAIL_RE = re.compile(r"(政府)?信息公开.*$")


def parse_title(title: str) -> tuple[str | None, int | None]:
    """Organ and statistical year from a report title.

    >>> parse_title("杭州市余杭区科学技术局2024年度政府信息公开工作年度报告")
    ('杭州市余杭区科学技术局', 2024)
    >>> parse_title("2023年杭州市民政局政府信息公开工作年度报告")
    ('杭州市民政局', 2023)
    """
    text = _SPACES_RE.sub("", unicodedata.normalize("NFKC", title)).strip("#*《》")
    m = _YEAR_RE.search(text)
    year = int(m.group(1)) if m else None
    before = text[: m.start()] if m else ""
    after = text[m.end() :] if m else text
    agency = before.strip("关于（()）《") or _TITLE_TAIL_RE.sub("", after).strip("的（()）")
    return (agency or None), year


_PREAMBLE_START_RE = re.compile(r"^(?:根据|依据|按照|依照|本报告|本年度报告|现将|现公布|现予公布)")


def is_preamble(text: str) -> bool:
    """A sentence before the first heading that cannot be (part of) the title: the preamble.

    A title names the report; a preamble says how it was made: it opens with 「根据」「本报告」…
    or ends a sentence with 「。」.

    >>> is_preamble("根据《中华人民共和国政府信息公开条例》规定编制本报告。")
    True
    >>> is_preamble("本报告中所列数据统计期限为2025年1月1日至12月31日")
    True
    >>> is_preamble("某某市民政局2025年政府信息公开工作年度报告")
    False
    """
    plain = _SPACES_RE.sub("", unicodedata.normalize("NFKC", text)).strip("#*")
    return bool(_PREAMBLE_START_RE.match(plain)) or "。" in plain


def _joined(parts: list[Paragraph]) -> str:
    return "".join(p.text.lstrip("#").strip() for p in parts)


def _section_text(texts: list[str]) -> str:
    """A section's paragraphs as one text: one per line, without blank lines or spaces at either end."""
    kept = [t.rstrip() for t in texts if t.strip()]
    if kept:
        kept[0] = kept[0].lstrip()
    return "\n".join(kept)


def read_sections(paragraphs: list[Paragraph]) -> SectionReading:
    """Find the title, the six headings (in order) and the text under each."""
    out = SectionReading()
    title_parts: list[Paragraph] = []
    current: str | None = None
    last_number = 0
    pieces: dict[str, list[str]] = {}  # section key → its paragraphs' texts
    for para in paragraphs:
        if current is not None and FINDINGS_HEADING_RE.match(para.text):
            break  # the findings gongkai listed after the report are not its text
        found = match_heading(para.text)
        if found and found[1] > last_number:
            key, number, numbered = found
            out.headings.append(Heading(key, number, para.text, para.line, numbered))
            out.lines[key] = para.line
            out.texts.setdefault(key, "")
            current, last_number = key, number
            continue
        if current is None:
            if (
                not out.headings
                and len(title_parts) < 3
                and "年度报告" not in "".join(p.text for p in title_parts)
                and not is_preamble(para.text)
            ):
                title_parts.append(para)
            continue
        if is_stray(para.text):
            continue  # a page number in a PDF's footer, a 「图 1」 caption: not the section's text
        out.paragraphs.append(para)
        pieces.setdefault(current, []).append(para.text.replace("**", ""))
    for key, texts in pieces.items():
        out.texts[key] = _section_text(texts)
    # A line before the title (a portal's 「返回首页」, a document number) is not part of it:
    # drop leading lines while what remains still names an organ and a year.
    while len(title_parts) > 1 and all(parse_title(_joined(title_parts[1:]))):
        title_parts.pop(0)
    if title_parts:
        out.title = _joined(title_parts)
        out.title_line = title_parts[0].line
        out.agency, out.year = parse_title(out.title)
    return out
