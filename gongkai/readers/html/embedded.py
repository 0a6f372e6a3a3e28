"""Report HTML delivered escaped: inside a JSON API response, a script's string, or as entities.

Portals often send the report's markup as data: ``{"data":{"content":"<p>…<\\/p><table>…"}}``,
``var content = "<table …>";``, ``document.write('…')``, or entity-escaped (``&lt;table&gt;``)
inside a ``<textarea>`` or a ``<div>``. This module only *decodes*: it turns such text into
the HTML fragments it holds, strictly as data (``json.loads``, :func:`html.unescape`), never by
running anything. Whether a fragment holds a report is the reader's question
(:mod:`gongkai.readers.html.reader`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from urllib.parse import unquote

# Table markup as it looks raw, entity-escaped, JS- or JSON-escaped, or URL-encoded.
TABLE_HINT = re.compile(r"(?:<|&lt;|&#0*60;|&#x0*3c;|\\u003c|\\x3c|%3c)\s*table\b", re.IGNORECASE)
_RAW_TABLE = re.compile(r"<\s*table\b", re.IGNORECASE)
_ESCAPED_TABLE = re.compile(r"(?:&lt;|&#0*60;|&#x0*3c;)\s*table\b", re.IGNORECASE)
_URL_TABLE = re.compile(r"%3c\s*table\b", re.IGNORECASE)
# A decoded string may hold another layer (entities inside a JSON string); a few layers at most.
MAX_LAYERS = 4
# Keys under which JSON APIs put an article's title, beside its content.
_TITLE_KEYS = ("title", "name", "subject", "biaoti", "标题")
MAX_TITLE_CHARS = 200
# Fragments looked at in one document: a portal has a few; a page of thousands of table strings
# is hostile, and each fragment costs a parse.
MAX_FRAGMENTS = 32


@dataclass(frozen=True)
class Fragment:
    """An HTML fragment found inside other text, and where it starts there.

    ``title`` is a title given beside the content (a JSON record's ``title``), if any;
    ``offset`` the character offset of the string in the text it was found in.
    """

    html: str
    title: str | None = None
    offset: int = 0


def holds_table(text: str) -> bool:
    """Whether ``text`` holds table markup in any escaping (a cheap test before decoding)."""
    # Each escaping of 「<」 that TABLE_HINT knows holds one of these: most text is told without
    # the regex, by a few searches for one character.
    if "<" not in text and "&" not in text and "\\" not in text and "%3" not in text:
        return False
    return TABLE_HINT.search(text) is not None


def decode_markup(text: str, layers: int = MAX_LAYERS) -> str | None:
    """The HTML that ``text`` holds with its table markup: raw, entity-escaped or URL-encoded.

    >>> decode_markup("&lt;table&gt;&lt;tr&gt;&lt;td&gt;1&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;")
    '<table><tr><td>1</td></tr></table>'
    >>> decode_markup("没有表格") is None
    True
    """
    for _ in range(layers):
        if _RAW_TABLE.search(text):
            return text
        if _ESCAPED_TABLE.search(text):
            text = html.unescape(text)
        elif _URL_TABLE.search(text):
            text = unquote(text)
        else:
            return None
    return text if _RAW_TABLE.search(text) else None


# --- JSON -----------------------------------------------------------------------------------

# JSONP: ``callback({...});`` around the JSON.
_JSONP = re.compile(r"[A-Za-z_$][\w$.]*\s*\(\s*(?P<json>[\[{].*[\]}])\s*\)\s*;?", re.DOTALL)


def looks_like_json(text: str) -> bool:
    """Text that is a JSON document (or a JSONP call around one): it opens with ``{``, ``[`` or ``name(``."""
    head = text.lstrip("\ufeff \t\r\n")[:200]
    if head[:1] in ("{", "["):
        return True
    return re.match(r"[A-Za-z_$][\w$.]*\s*\(\s*[\[{]", head) is not None


def json_fragments(text: str) -> list[Fragment] | None:
    """The HTML fragments with table markup in a JSON document's strings, in document order.

    None when ``text`` is not JSON; ``[]`` when it is but no string holds a table. A record
    (object) whose content holds the markup lends its ``title`` (or ``name``…) to the fragment.
    """
    body = text.strip().lstrip("\ufeff")
    if body[:1] not in ("{", "["):
        match = _JSONP.fullmatch(body)
        if match is None:
            return None
        body = match["json"]
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return list(islice(_json_fragments(data), MAX_FRAGMENTS))


def _json_fragments(data: object) -> Iterator[Fragment]:
    # Iterative, in document order: a JSON document may nest deeper than Python's recursion.
    stack: list[Iterator[object]] = [iter([data])]
    titles: list[str | None] = [None]
    while stack:
        node = next(stack[-1], _DONE)
        if node is _DONE:
            stack.pop()
            titles.pop()
            continue
        if isinstance(node, str):
            if holds_table(node):
                yield from _string_fragments(node, titles[-1])
        elif isinstance(node, dict):
            stack.append(iter(node.values()))
            titles.append(_title_of(node))
        elif isinstance(node, list):
            stack.append(iter(node))
            titles.append(None)


_DONE = object()


def _string_fragments(value: str, title: str | None) -> Iterator[Fragment]:
    """A JSON string's HTML: raw or escaped markup, or a JSON document again (double-encoded)."""
    stripped = value.strip()
    if stripped[:1] in ("{", "[") and not _RAW_TABLE.match(stripped):
        inner = json_fragments(stripped)
        if inner:
            yield from inner
            return
    decoded = decode_markup(value)
    if decoded is not None:
        yield Fragment(decoded, title)


def _title_of(record: dict[object, object]) -> str | None:
    """A record's title beside its content: a short plain string under a title-like key."""
    for key, value in record.items():
        if (
            isinstance(key, str)
            and isinstance(value, str)
            and any(k in key.lower() for k in _TITLE_KEYS)
            and 0 < len(value.strip()) <= MAX_TITLE_CHARS
            and "<" not in value
        ):
            return " ".join(value.split())
    return None


# --- scripts --------------------------------------------------------------------------------

# Comments and string literals of a script, left to right (a comment may hold a quote, a
# string may hold ``//``). Regular-expression literals are not told apart: a quote inside
# one may pair with a later quote, which at worst loses a string, never runs anything.
_JS_TOKEN = re.compile(
    r"""//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""",
    re.DOTALL,
)
_JS_CONCAT = re.compile(r"\s*\+\s*")
_JS_ESCAPE = re.compile(r"""\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|\r\n|[\s\S])|\"""")
_UNSAFE_CHARS = re.compile(r"[\x00\ud800-\udfff]")  # NUL and lone surrogates: lxml refuses them


def js_string_value(literal: str) -> str | None:
    """The value of a JS string literal (quotes included), decoded with ``json.loads``.

    Single-quoted and template literals are first rewritten as a JSON string: a bare ``"``
    escaped, JS-only escapes (``\\'``, ``\\x41``, ``\\u{1F600}``, ``\\v``, ``\\0``, a line
    continuation) turned into their JSON form.

    >>> js_string_value("'<td colspan=\\"2\\">It\\\\'s<\\\\/td>'")
    '<td colspan="2">It\\'s</td>'
    >>> js_string_value('"\\\\u884c\\\\x3ctable"')
    '行<table'
    """
    if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in "'\"`":
        return None
    if "\\" not in literal:  # nothing escaped: the text itself (the common case, and fast)
        return _UNSAFE_CHARS.sub("", literal[1:-1])
    converted = _JS_ESCAPE.sub(_json_escape, literal[1:-1])
    try:
        value = json.loads(f'"{converted}"', strict=False)
    except ValueError:
        return None
    return _UNSAFE_CHARS.sub("", value)


def _json_escape(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape is None:  # a bare double quote inside a single-quoted or template literal
        return '\\"'
    if len(escape) == 3 and escape[0] == "x":
        return "\\u00" + escape[1:]
    if escape.startswith("u{"):
        code = int(escape[2:-1], 16)
        return json.dumps(chr(code))[1:-1] if code <= 0x10FFFF else ""
    if len(escape) == 5 and escape[0] == "u":
        return "\\" + escape
    if escape in ("\n", "\r", "\r\n", "\u2028", "\u2029"):
        return ""  # a line continuation
    if escape in '"\\/bfnrt':
        return "\\" + escape
    if escape == "v":
        return "\\u000b"
    if escape == "0":
        return "\\u0000"
    return escape  # \' \< \- …: the character itself


def script_fragments(source: str) -> list[Fragment]:
    """HTML fragments with table markup in a script, in order, each with its offset in ``source``.

    A script that is itself markup (``<script type="text/html">``) or JSON (``application/json``)
    is read as such; otherwise each string literal, or each run of literals joined by ``+``,
    is one candidate.
    """
    stripped = source.strip()
    if stripped.startswith("<"):
        decoded = decode_markup(source)
        return [Fragment(decoded, offset=len(source) - len(source.lstrip()))] if decoded else []
    if stripped[:1] in ("{", "["):
        found = json_fragments(stripped)
        if found is not None:
            start = len(source) - len(source.lstrip())
            return [Fragment(f.html, f.title, start) for f in found]
    fragments = []
    for start, value in _literal_runs(source):
        decoded = decode_markup(value)
        if decoded is not None:
            fragments.append(Fragment(decoded, offset=start))
            if len(fragments) == MAX_FRAGMENTS:
                break
    return fragments


def _literal_runs(source: str) -> Iterator[tuple[int, str]]:
    """Each string literal of a script, or run of literals joined by ``+``: its offset and value."""
    start = end = 0
    values: list[str] = []
    for token in _JS_TOKEN.finditer(source):
        if token.group()[0] == "/":
            continue
        value = js_string_value(token.group())
        if value is None:
            continue
        if values and _JS_CONCAT.fullmatch(source, end, token.start()):
            values.append(value)
        else:
            if values:
                yield start, "".join(values)
            start, values = token.start(), [value]
        end = token.end()
    if values:
        yield start, "".join(values)


_OPEN_ATTRIBUTE = re.compile(r"<[A-Za-z][^<>]*\s[\w:-]+\s*=\s*$")


def quotes_left_unescaped(source: str) -> bool:
    """Whether a script's string literal stops inside a tag, at an attribute's ``=``.

    Then the markup's own quotes were left unescaped (``"<table border="1">…"``): its literals
    are not the markup's pieces, and the markup is best read as it stands.

    >>> quotes_left_unescaped('var c = "<p>a</p><table border="1"><tr><td>1</td></tr></table>";')
    True
    >>> quotes_left_unescaped('var c = "<table border=\\\\"1\\\\"><tr><td>1</td></tr></table>";')
    False
    """
    for token in _JS_TOKEN.finditer(source):
        text = token.group()
        if text[0] != "/" and _OPEN_ATTRIBUTE.search(text, 1, len(text) - 1):
            return True
    return False


def script_markup(source: str) -> Fragment | None:
    """All markup-holding string literals of a script joined (``document.write`` line by line).

    The fallback when no single literal holds a whole table: pages that write a table with one
    ``document.write('<tr>…</tr>')`` per row.
    """
    parts: list[str] = []
    first = None
    for token in _JS_TOKEN.finditer(source):
        if token.group()[0] == "/":
            continue
        value = js_string_value(token.group())
        if value is not None and ("<" in value or "&lt;" in value.lower()):
            parts.append(value)
            first = token.start() if first is None else first
    joined = "".join(parts)
    decoded = decode_markup(joined) if parts else None
    return Fragment(decoded, offset=first or 0) if decoded else None


__all__ = [
    "MAX_FRAGMENTS",
    "TABLE_HINT",
    "Fragment",
    "decode_markup",
    "holds_table",
    "js_string_value",
    "json_fragments",
    "looks_like_json",
    "quotes_left_unescaped",
    "script_fragments",
    "script_markup",
]
