"""OFD (GB/T 33190-2016) → :class:`~gongkai.readers.document.Document`.

OFD is China's fixed-layout format: a zip package of XML parts. ``OFD.xml`` names each
document's ``Document.xml`` (DocBody/DocRoot); that lists the pages (Pages/Page, BaseLoc) and
the template pages; each page's ``Content.xml`` holds layers of graphic units in millimetres,
y downwards. Only two kinds matter here:

- ``TextObject``: its ``TextCode`` children carry Unicode text and the position of each
  character: the first at (X, Y), the baseline, the next ones after the advances in
  ``DeltaX``/``DeltaY`` (「g n d」 is n advances of d). Positions are in the object's space:
  the ``CTM``, when present, maps them into the ``Boundary`` box, whose corner is on the page.
- ``PathObject``: ``AbbreviatedData`` (S/M/L/Q/B/A/C commands) in the same object space;
  straight horizontal and vertical segments of stroked paths, and thin filled bars, are the
  rules of ruled tables.

``ImageObject`` is only counted: a page with pictures and no text is a scan, which needs OCR
(not done for OFD). PageBlocks are opened; text outside the page's PhysicalBox is not printed
and not read.

Characters and rules go to :mod:`gongkai.readers.positioned`, the same code that rebuilds
PDF pages and scans, so tables and paragraphs are read alike in every fixed-layout form. A
page's template (header, footer, a title) is drawn under it and read with it. Fonts are not
needed: the text is Unicode and the advances are written out, a character's own width only
estimated (full width for CJK, half for the rest).

**Safety.** The package's unpacked size is capped before anything is inflated (zip bomb);
every part is parsed without entities, network or DTD, and a part that declares a DTD is
refused (an entity bomb: OFD producers never write one). Pages, characters and path segments
per page are capped, and the 「g n d」 shorthand never expands beyond the text it spaces.
Each part's elements are counted before it is parsed (:mod:`gongkai.readers.bounds`).
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from gongkai.readers.bounds import ZIP_DAMAGE, check_part_elements, damage
from gongkai.readers.document import Document, DocumentNotice, UnreadableDocument
from gongkai.readers.positioned.pages import check_page_count, pages_to_document
from gongkai.readers.positioned.pieces import Page, Rule, chars_to_pieces

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before anything is inflated
MAX_CHARS = 200_000  # per page, template included: a dense page holds about 3,000
MAX_PATH_SEGMENTS = 200_000  # per page: far beyond any table, short of a drawing that would stall us
MAX_DEPTH = 32  # nested PageBlocks
# No entity expansion, no network, no huge trees: an XML bomb inside the package stays harmless.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
# The box of a character around its baseline, as parts of the font size (a CJK font's
# ascent and descent).
_ASCENT, _DESCENT = 0.86, 0.14
_AXIS_SLACK = 0.2  # mm: a segment this close to level or plumb is a rule
_THIN_FILL = 1.0  # mm: a filled bar at most this thick is a rule (borders drawn as rectangles)
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_DAMAGED = ZIP_DAMAGE  # a bad CRC, a broken stream, an encrypted member or an unknown method
_RUN_TOGETHER = re.compile(r"[A-Za-z][-+.\d]|[\d.][A-Za-z]")
_ARGS = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}

Matrix = tuple[float, float, float, float, float, float]
Char = tuple[str, float, float, float, float]


def ofd_to_document(data: bytes, name: str = "<ofd>") -> Document:
    """Paragraphs and tables (ruled or not) of an OFD file's first document, page by page.

    A package with several documents is read for its first (in DocBody order), with a notice.
    Pages that are only pictures (scans) cannot be read without OCR: a file of such pages is
    refused with that reason, a few such pages among text pages are named in a notice.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_DAMAGE:
        raise UnreadableDocument("OFD 文件已损坏或被截断，无法打开") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise UnreadableDocument("OFD 解压后超过 200 MB（可能是压缩炸弹），已拒绝读取")
        return _Package(archive).document(name)


@dataclass
class _Counts:
    """What a page held besides the text that was read."""

    images: int = 0
    chars: int = 0
    segments: int = 0


@dataclass
class _Package:
    """The zip package: its parts parsed on demand, paths resolved as OFD resolves them."""

    archive: zipfile.ZipFile
    names: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.names = set(self.archive.namelist())

    def resolve(self, base: str, location: str) -> str:
        """A ``BaseLoc`` (or DocRoot) as a member name: absolute from the package root, else
        relative to the folder of the part that names it. Some producers write root-relative
        paths where relative ones are due; those are found too."""
        location = location.strip().replace("\\", "/")
        if location.startswith("/"):
            return posixpath.normpath(location).lstrip("/")
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(base), location))
        if relative not in self.names and posixpath.normpath(location) in self.names:
            return posixpath.normpath(location)
        return relative

    def xml(self, path: str, what: str) -> etree._Element:
        """A part's root element; ``what`` says in the message what the part is."""
        if path not in self.names:
            raise UnreadableDocument(f"OFD 文件不完整：缺少{what} {path}")
        try:
            check_part_elements(self.archive, path, f"OFD {what}")  # before a tree is built
            content = self.archive.read(path)
            root = etree.fromstring(content, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise UnreadableDocument(
                f"OFD 中的 {path} 无法解析（XML 损坏，或含实体炸弹）：{exc.msg}"
            ) from None
        except _DAMAGED as exc:
            raise UnreadableDocument(f"OFD 文件已损坏，无法读取 {path}（{damage(exc)}）") from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise UnreadableDocument(f"OFD 中的 {path} 含有文档类型声明（DTD，可能是实体炸弹），已拒绝读取")
        return root

    def document(self, name: str) -> Document:
        """The first document of the package, read page by page."""
        root = self.xml("OFD.xml", "入口文件")
        roots = [_text(body, "DocRoot") for body in _children(root, "DocBody")]
        roots = [r for r in roots if r]
        if not roots:
            raise UnreadableDocument("OFD.xml 中没有 DocBody/DocRoot，找不到文档")
        doc_path = self.resolve("OFD.xml", roots[0])
        document = self.xml(doc_path, "文档描述文件")
        common = _child(document, "CommonData")
        templates: dict[str, str] = {}
        if common is not None:
            for tpl in _children(common, "TemplatePage"):
                if tpl.get("ID") and tpl.get("BaseLoc"):
                    templates[tpl.get("ID", "")] = self.resolve(doc_path, tpl.get("BaseLoc", ""))
        default_box = _physical_box(_child(common, "PageArea") if common is not None else None)
        pages = [p for p in _children(_child(document, "Pages"), "Page") if p.get("BaseLoc")]
        if not pages:
            raise UnreadableDocument(f"OFD 文档没有页面（{doc_path} 中没有 Pages/Page）")
        check_page_count(len(pages), "OFD ")
        pictures: list[int] = []  # pages with pictures and no text
        doc = pages_to_document(self._pages(pages, doc_path, templates, default_box, pictures), name)
        if not doc.blocks:
            if pictures:
                raise UnreadableDocument(
                    f"OFD 没有文字（可能是扫描件）：页面上只有图片（{len(pictures)}页），需要 OCR 才能读取，"
                    "目前还不能识别 OFD 中图片的文字；请提供带文字的 OFD、PDF 或 Word 文件"
                )
            raise UnreadableDocument("OFD 没有文字（可能是扫描件）：页面上既没有文字也没有图片")
        if pictures:
            listed = "、".join(str(n) for n in pictures)
            doc.notices.append(
                DocumentNotice(
                    "READ-SCANNED-PAGES",
                    f"第{listed}页只有图片（可能是扫描页），其中的文字没有读取：目前还不能识别 OFD 中图片的文字",
                    info=False,
                )
            )
        if len(roots) > 1:
            doc.notices.append(
                DocumentNotice(
                    "READ-OFD-DOCUMENTS",
                    f"OFD 文件中有{len(roots)}个文档，这里只读取了第一个（{doc_path}）",
                    info=False,
                )
            )
        return doc

    def _pages(
        self,
        pages: list[etree._Element],
        doc_path: str,
        templates: dict[str, str],
        default_box: tuple[float, float, float, float] | None,
        pictures: list[int],
    ) -> Iterator[Page]:
        """Each page with its templates drawn under it; ``pictures`` gets the pages that are only images."""
        template_cache: dict[str, etree._Element] = {}
        for number, entry in enumerate(pages, start=1):
            path = self.resolve(doc_path, entry.get("BaseLoc", ""))
            content = self.xml(path, f"第{number}页的内容")
            layers = []
            for ref in _children(content, "Template"):
                tpl_path = templates.get(ref.get("TemplateID", ""))
                if tpl_path is None:
                    continue  # a template that is not declared draws nothing
                if tpl_path not in template_cache:
                    template_cache[tpl_path] = self.xml(tpl_path, "模板页")
                layers.append(template_cache[tpl_path])
            layers.append(content)
            box = _physical_box(_child(content, "Area")) or default_box
            counts = _Counts()
            chars: list[Char] = []
            rules: list[Rule] = []
            for layer_root in layers:
                for obj in _graphic_units(layer_root):
                    _read_unit(obj, chars, rules, counts, number)
            if box is not None:
                chars = [c for c in chars if c[0] == " " or _on_page(c, box)]
            if counts.images and all(c[0] == " " for c in chars):
                pictures.append(number)
            yield Page(number, chars_to_pieces(chars), rules)


# ---------------------------------------------------------------------------------------------
# Elements


def _local(tag: object) -> str:
    """An element's name without its namespace: elements are matched by name, so that a part
    written without the standard's namespace (http://www.ofdspec.org/2016) still reads."""
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rpartition("}")[2]


def _children(parent: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if parent is None:
        return
    for child in parent:
        if _local(child.tag) == name:
            yield child


def _text(parent: etree._Element | None, name: str) -> str:
    """The stripped text of a child element, or ""."""
    child = _child(parent, name)
    return (child.text or "").strip() if child is not None else ""


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return next(_children(parent, name), None)


def _graphic_units(page: etree._Element) -> Iterator[etree._Element]:
    """Text, path and image objects of a page (or template) in drawing order, PageBlocks opened."""
    for content in _children(page, "Content"):
        for layer in _children(content, "Layer"):
            yield from _units_in(layer, 0)


def _units_in(container: etree._Element, depth: int) -> Iterator[etree._Element]:
    for child in container:
        name = _local(child.tag)
        if name == "PageBlock":
            if depth < MAX_DEPTH:
                yield from _units_in(child, depth + 1)
        elif name in ("TextObject", "PathObject", "ImageObject"):
            yield child


def _numbers(text: str | None) -> list[float]:
    """A list of numbers as OFD writes it (space-separated); anything unreadable is dropped."""
    out = []
    for token in (text or "").split():
        try:
            value = float(token)
        except ValueError:
            continue
        if math.isfinite(value):
            out.append(value)
    return out


def _number(text: str | None) -> float | None:
    """One number (an attribute such as X or Size), or None when absent or unreadable."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        values = _numbers(text)  # 「 12 」 reads; 「12 13」 takes the first
        return values[0] if values else None
    return value if math.isfinite(value) else None


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text)
    return (values[0], values[1], values[2], values[3]) if len(values) == 4 else None


def _physical_box(area: etree._Element | None) -> tuple[float, float, float, float] | None:
    return _box(_text(area, "PhysicalBox"))


def _on_page(char: Char, box: tuple[float, float, float, float]) -> bool:
    """Whether a character is on the page at all (text placed off the page is not printed)."""
    x, y, w, h = box
    _, x0, top, x1, bottom = char
    return x1 >= x - 1 and x0 <= x + w + 1 and bottom >= y - 1 and top <= y + h + 1


def _matrix(obj: etree._Element) -> Matrix:
    """The object's CTM followed by the move to its Boundary's corner: object space → page."""
    x, y, _, _ = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    ctm = _numbers(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (a, b, c, d, e + x, f + y)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _read_unit(obj: etree._Element, chars: list[Char], rules: list[Rule], counts: _Counts, page: int) -> None:
    name = _local(obj.tag)
    if name == "ImageObject":
        counts.images += 1
    elif name == "TextObject":
        _text_chars(obj, chars, counts, page)
    elif obj.get("Visible", "true") != "false":  # a hidden path separates nothing on the page
        _path_rules(obj, rules, counts, page)


# ---------------------------------------------------------------------------------------------
# Text


def _advances(spec: str | None, wanted: int) -> list[float]:
    """``DeltaX``/``DeltaY`` as a list of at most ``wanted`` advances, 「g n d」 expanded.

    The count of a 「g」 run is capped by what is wanted: a forged 「g 1000000000 1」 costs nothing.
    """
    out: list[float] = []
    tokens = (spec or "").split()
    i = 0
    while i < len(tokens) and len(out) < wanted:
        token = tokens[i]
        if token == "g" and i + 2 < len(tokens):
            try:
                count, value = float(tokens[i + 1]), float(tokens[i + 2])
            except ValueError:
                count, value = 0.0, 0.0
            if math.isfinite(value) and math.isfinite(count):  # 「g 1e999 1」 counts nothing
                out += [value] * max(0, min(int(count), wanted - len(out)))
            i += 3
            continue
        try:
            value = float(token)
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            out.append(value)
        i += 1
    return out


@lru_cache(maxsize=4096)
def _em(ch: str) -> float:
    """A character's own width in ems, estimated: 1 for CJK and its punctuation, ½ for the rest."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5


def _text_chars(obj: etree._Element, chars: list[Char], counts: _Counts, page: int) -> None:
    """Each character of a TextObject with its box on the page, in the object's order.

    A TextCode without X or Y takes the previous TextCode's (the standard's rule). A character
    after the last advance given is set after the one before at that one's own width.
    Objects side by side may continue one word (converters write a character per object): the
    positions decide, so nothing separates one object from the next.
    """
    matrix = _matrix(obj)
    a, b, c, d, e, f = matrix
    upright = b == 0 and c == 0  # no rotation or skew: the common case, two corners suffice
    size = _number(obj.get("Size"))
    em = size if size and size > 0 else 3.5  # 10.5 pt, 五号, when the size is absent
    ascent, descent = _ASCENT * em, _DESCENT * em
    x = y = 0.0
    for code in _children(obj, "TextCode"):
        text = code.text or ""
        if not text:
            continue
        counts.chars += len(text)
        if counts.chars > MAX_CHARS:
            raise UnreadableDocument(f"OFD 第{page}页的文字超过{MAX_CHARS}个，不像是一份年度报告")
        given_x, given_y = _number(code.get("X")), _number(code.get("Y"))
        x = x if given_x is None else given_x
        y = y if given_y is None else given_y
        dx = _advances(code.get("DeltaX"), len(text) - 1)
        dy = _advances(code.get("DeltaY"), len(text) - 1)
        at_x, at_y = x, y
        for k, ch in enumerate(text):
            if k:
                at_x += dx[k - 1] if k <= len(dx) else _em(text[k - 1]) * em
                if k <= len(dy):
                    at_y += dy[k - 1]
            if ch.isspace():
                chars.append((" ", 0.0, 0.0, 0.0, 0.0))  # ends a run, as in the PDF reader
                continue
            x1, top, bottom = at_x + _em(ch) * em, at_y - ascent, at_y + descent
            if upright:
                px0, px1 = a * at_x + e, a * x1 + e
                py0, py1 = d * top + f, d * bottom + f
                chars.append((ch, min(px0, px1), min(py0, py1), max(px0, px1), max(py0, py1)))
            else:
                corners = [_apply(matrix, px, py) for px in (at_x, x1) for py in (top, bottom)]
                xs = [p[0] for p in corners]
                ys = [p[1] for p in corners]
                chars.append((ch, min(xs), min(ys), max(xs), max(ys)))


# ---------------------------------------------------------------------------------------------
# Paths


def _path_rules(obj: etree._Element, rules: list[Rule], counts: _Counts, page: int) -> None:
    """Rules of a PathObject: straight level or plumb segments when stroked (the default), the
    whole path when filled and thin (a border drawn as a bar)."""
    data = _text(obj, "AbbreviatedData")
    if not data:
        return
    stroke = obj.get("Stroke", "true") != "false"
    fill = obj.get("Fill", "false") == "true"
    if not stroke and not fill:
        return
    matrix = _matrix(obj)
    segments = _segments(data, matrix, counts, page)
    if stroke:
        for (ax, ay), (bx, by) in segments:
            if abs(ay - by) <= _AXIS_SLACK or abs(ax - bx) <= _AXIS_SLACK:
                rules.append(Rule(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    elif segments:
        xs = [p[0] for seg in segments for p in seg]
        ys = [p[1] for seg in segments for p in seg]
        if min(max(xs) - min(xs), max(ys) - min(ys)) <= _THIN_FILL:
            rules.append(Rule(min(xs), min(ys), max(xs), max(ys)))


def _segments(
    data: str, m: Matrix, counts: _Counts, page: int
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight segments of a path on the page; curves and arcs only move the pen.

    A command with too few or unreadable numbers is skipped, not fatal: the rest still draws.
    """
    # Numbers run into their commands (「M0 0L10 0」) or in exponent form need the tokenizer.
    tokens = _TOKEN.findall(data) if _RUN_TOGETHER.search(data) else data.split()
    counts.segments += len(tokens) // 3
    if counts.segments > MAX_PATH_SEGMENTS:
        raise UnreadableDocument(f"OFD 第{page}页的图形超过{MAX_PATH_SEGMENTS}段，不像是一份年度报告")
    a, b, c, d, e, f = m
    out = []
    current: tuple[float, float] | None = None
    start: tuple[float, float] | None = None
    i, n = 0, len(tokens)
    while i < n:
        command = tokens[i].upper()
        i += 1
        wanted = _ARGS.get(command)
        if wanted is None:  # a stray number or an unknown command
            continue
        if command == "C":
            if current is not None and start is not None and current != start:
                out.append((current, start))
            current = start
            continue
        try:
            px, py = float(tokens[i + wanted - 2]), float(tokens[i + wanted - 1])
        except (IndexError, ValueError):  # too few numbers: a command letter came first
            continue
        if wanted > 2 and any(tokens[k] in _ARGS for k in range(i, i + wanted - 2)):
            continue
        i += wanted
        if not (math.isfinite(px) and math.isfinite(py)):
            continue
        point = (a * px + c * py + e, b * px + d * py + f)
        if command == "L" and current is not None:
            out.append((current, point))
        elif command in ("S", "M"):
            start = point
        current = point
        if start is None:
            start = point
    return out
