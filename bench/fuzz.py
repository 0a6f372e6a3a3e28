"""Mutation fuzzer (issue 14): hostile variants of valid reports in every form, checked as
``gongkai check --jobs`` checks them, must give no traceback, no hang and no worker over its limit.

The corpus is valid reports in every form the readers take: the seeds' text and canonical JSON
(``../shared/seeds``, else ``samples/``), Markdown, HTML, DOCX and XLSX from the project's
writers (and the test writers' variants), PDF (the project's writer when LibreOffice is here,
else the test writer's reportlab PDFs), OFD from the test writer, and scans (PNG and an
image-only PDF) for OCR. Each input is one corpus file with one to three mutations: bit flips,
truncation, chunk duplication, deletion, splicing with another file, hostile tokens (huge
numbers, deep nesting, control characters, invalid UTF-8, huge colspan/rowspan/gridSpan, merged
ranges); for DOCX, XLSX and OFD the XML inside the zip is mutated and re-zipped as well as the
raw bytes. Input *i* depends only on ``--seed`` and *i*, so ``--seed S --start i --count 1``
makes it again.

Inputs go through :func:`gongkai.batch.check_files_grouped` in groups (the public API only, so
the fuzzer outlives changes to the worker pool), under the time and memory limits of
:class:`gongkai.batch.CheckOptions`. A defect is: an exception out of ``check_files_grouped``
(a traceback from a reader or a dead worker, isolated to the one input that causes it), a
refusal whose message names a Python exception (an error caught by a catch-all, not understood),
a refusal for time or memory (a hang, a memory blow-up), or a batch that stalls far beyond the
time limit (the fuzzer then kills its own worker processes). Failing inputs are kept in
``--failures`` (default ``.fuzz-failures/``), one per kind of failure (the smallest seen), listed
with their reason in ``index.tsv``. Exit status 1 when any defect was found.

    .venv/bin/python bench/fuzz.py [--count 100000] [--seed 0] [--jobs 2] [--forms text,pdf]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

# Forms and their share of the inputs. Scans are read by OCR at ~2 s a page, 100 times the cost
# of the other forms, so they get a small share (1 in ~300): enough to cover the image paths.
FORM_WEIGHTS: dict[str, int] = {
    "text": 40,
    "md": 40,
    "html": 40,
    "docx": 40,
    "xlsx": 40,
    "pdf": 40,
    "ofd": 40,
    "json": 40,
    "image": 1,
}
FORMS = tuple(FORM_WEIGHTS)
ZIP_FORMS = {"docx", "xlsx", "ofd"}
TEXT_FORMS = {"text", "md", "html", "json"}

MAX_INPUT_BYTES = 8 * 1024 * 1024  # past the readers' 4 MB text limit, so that limit is hit too
BATCH_SIZE = 200  # inputs per check_files_grouped call: a broken pool costs at most one batch
ISOLATION_WINDOW = 8  # after an exception, inputs retried one by one to find the one that raised
DEFAULT_SECONDS = 30  # gongkai check's default limits (gongkai.batch.DOCUMENT_SECONDS, WORKER_MEMORY_MB)
DEFAULT_MEMORY_MB = 1024

# --- the corpus ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One valid input: its form, a name, the suffix its file gets and its bytes."""

    form: str
    name: str
    suffix: str
    data: bytes


def seed_reports(seeds: Path) -> list[tuple[str, bytes, dict[str, Any]]]:
    """(name, text bytes, canonical JSON) of each seed; from ``samples/`` when there are no seeds."""
    from gongkai.readers import read_bytes

    out = []
    texts = sorted(seeds.glob("*.txt")) if seeds.is_dir() else []
    if not texts:
        texts = sorted((ROOT / "samples").glob("*.txt"))
    for path in texts:
        data = path.read_bytes()
        canonical = path.with_suffix(".json")
        if canonical.exists():
            report = json.loads(canonical.read_text(encoding="utf-8"))
        else:  # the samples have no JSON twin: the reading is one
            report = json.loads(read_bytes(data, path.name).report.model_dump_json())
        out.append((path.stem, data, report))
    return out


def build_corpus(seeds: Path, scans: bool = True, quick: bool = False) -> list[Sample]:
    """Valid inputs of every form, rendered from the seeds (run in a child process: the writers'
    imports should not sit in the address space that forked workers inherit).

    ``quick``: one seed, and PDFs from the test writer only (LibreOffice takes ~4 s a report).
    """
    sys.path.insert(0, str(ROOT / "tests"))
    from support.htmlwriter import write_docx as test_docx
    from support.htmlwriter import write_html as test_html
    from support.htmlwriter import write_pdf as test_pdf
    from support.ofdwriter import write_ofd
    from support.textwriter import write_markdown as test_markdown
    from support.textwriter import write_tab_text, write_word_text
    from support.xlsxwriter import write_xlsx_report, write_xlsx_tables

    from gongkai.writers import WriterUnavailable, render

    samples: list[Sample] = []

    def add(form: str, name: str, suffix: str, data: bytes | str) -> None:
        samples.append(Sample(form, name, suffix, data.encode("utf-8") if isinstance(data, str) else data))

    reports = seed_reports(seeds)[: 1 if quick else None]
    for number, (name, text, report) in enumerate(reports):
        add("text", name, ".txt", text)
        add("json", name, ".json", json.dumps(report, ensure_ascii=False, indent=2))
        for form, suffix in (("md", ".md"), ("html", ".html"), ("docx", ".docx"), ("xlsx", ".xlsx")):
            add(form, name, suffix, render(report, form, []))
        if not quick:
            with contextlib.suppress(WriterUnavailable):  # no LibreOffice: the test writer's PDFs stand in
                add("pdf", name, ".pdf", render(report, "pdf", []))
        add("ofd", name, ".ofd", write_ofd(report))
        # The test writers' shapes, one seed each, so the corpus has more than one producer.
        variant = number % 3
        add("text", f"{name}-tab", ".txt", write_tab_text(report).encode("gb18030"))
        add("text", f"{name}-word", ".txt", write_word_text(report))
        add("md", f"{name}-pipes", ".md", test_markdown(report))
        add("html", f"{name}-test", ".html", test_html(report))
        add("docx", f"{name}-test", ".docx", test_docx(report))
        add("xlsx", f"{name}-tables", ".xlsx", write_xlsx_tables(report, one_sheet=variant == 1))
        add("xlsx", f"{name}-sheets", ".xlsx", write_xlsx_report(report, sheet_per_table=variant == 2))
        add("pdf", f"{name}-test", ".pdf", test_pdf(report, embed_font=variant == 1, ruled=variant != 2))
    if scans:
        from support.scanwriter import report_pages, to_image_pdf, to_png

        name, _, report = reports[0]
        pages = report_pages(report, dpi=100)  # low resolution: OCR costs per pixel
        add("image", f"{name}-scan", ".png", to_png(pages[0]))
        add("image", f"{name}-scan", ".pdf", to_image_pdf(pages[:1], dpi=100))
    return samples


def write_corpus(samples: list[Sample], folder: Path) -> None:
    """The corpus as files ``FORM/NAME.SUFFIX``."""
    for sample in samples:
        (folder / sample.form).mkdir(parents=True, exist_ok=True)
        (folder / sample.form / f"{sample.name}{sample.suffix}").write_bytes(sample.data)


def read_corpus(folder: Path) -> dict[str, list[Sample]]:
    """The corpus written by :func:`write_corpus`, by form, in a fixed order."""
    corpus: dict[str, list[Sample]] = {}
    for path in sorted(folder.glob("*/*")):
        form = path.parent.name
        corpus.setdefault(form, []).append(Sample(form, path.stem, path.suffix, path.read_bytes()))
    return corpus


def corpus_in_child(seeds: Path, folder: Path, scans: bool, quick: bool = False) -> dict[str, list[Sample]]:
    """The corpus in ``folder``: built there in a child process unless it is there already."""
    if not folder.is_dir() or not any(folder.iterdir()):
        command = [sys.executable, __file__, "--build-corpus", str(folder), "--seeds", str(seeds)]
        command += ["--no-scans"] * (not scans) + ["--quick"] * quick
        subprocess.run(command, check=True)
    return read_corpus(folder)


# --- mutations ------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "9" * 20,
    "9" * 400,
    "9" * 5000,
    "99999999999999999999999",
    "-1",
    "-0",
    "1e308",
    "1e999999",
    "NaN",
    "Infinity",
    "０９９９９９９９９９９９９",
    "一亿亿亿亿亿",
    "1,234,567,890,123,456",
    "12.345.678",
    "\x00",
    "\x0b",
    "\x1f",
    "\x7f",
    "\u202e",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\u2028",
    "\r",
    "\r\n" * 50,
    "\t" * 1000,
    " " * 5000,
    "表三",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "（一）",
    "合计",
    "总计",
    "单位：万元",
    "第9999999999页",
    "|" * 500,
    "| 1 " * 2000 + "|",
    '<td colspan="99999999">1</td>',
    '<td rowspan="2147483648">1</td>',
    '<td colspan="-5" rowspan="0">',
    "<table><tr><td colspan=1000 rowspan=1000>x</td></tr></table>",
    "&#x110000;",
    "&#99999999999999;",
    "&nbsp;" * 1000,
    "<!--",
    "<![CDATA[",
    "<script>",
    '<?xml version="1.0"?>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    "%PDF-1.7",
    "PK\x03\x04",
    "{\\rtf1",
    "公开" * 20000,
    "# " * 3000,
    "[" * 3000,
    "{" * 3000,
    '"schema": "gongkai.report/1"',
]
HOSTILE_BYTES = [
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x80" * 100,
    b"\x00" * 1000,
    b"\xa1",
    b"\x81\x30",
]
NUMBER_RE = re.compile(rb"\d+")
HUGE_NUMBERS = [
    b"99999999999999999999999999",
    b"2147483648",
    b"4294967296",
    b"-1",
    b"0",
    b"1e308",
    b"-99999999",
    b"9" * 400,
    b"0.0000001",
    b"65536",
]
# Attributes and elements whose numbers size a structure: spans, merged ranges, grid widths,
# page and box sizes. Hostile values there test the readers' bounds, not just their parsers.
SPAN_RE = re.compile(
    rb"((?:colspan|rowspan|gridSpan[^>]*?val|w:val|gridCol[^>]*?w|ref|Boundary|PhysicalBox"
    rb"|DeltaX|X|Y|Size|MediaBox|Count|Length|r)\s*=?\s*[\"']?)([-\d.: A-Za-z]{1,40})"
)
SPAN_VALUES = [
    b"99999999",
    b"2147483648",
    b"-5",
    b"0",
    b"A1:XFD1048576",
    b"1 1e308 1e308 1e308",
    b"g 999999999 1",
]


def _position(rng: random.Random, data: bytes) -> int:
    return rng.randint(0, len(data))


def _chunk(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = rng.randint(0, max(0, len(data) - 1))
    return start, min(len(data), start + rng.choice([1, 4, 16, 64, 512, 4096]))


def flip_bits(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 4, 16, 64])):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    return data[: _position(rng, data)]


def duplicate_chunk(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    start, end = _chunk(rng, data)
    at = _position(rng, data)
    times = min(rng.choice([1, 2, 10, 1000]), MAX_INPUT_BYTES // (end - start + 1) + 1)
    return data[:at] + data[start:end] * times + data[at:]


def delete_chunk(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    start, end = _chunk(rng, data)
    return data[:start] + data[end:]


def splice(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    other = rng.choice(pool)
    return data[: _position(rng, data)] + other[_position(rng, other) :]


def insert_token(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    if rng.random() < 0.3:
        token = rng.choice(HOSTILE_BYTES)
    else:
        token = rng.choice(HOSTILE_TEXT).encode("utf-8", "surrogatepass")
    at = _line_start(rng, data) if rng.random() < 0.5 else _position(rng, data)
    return data[:at] + token * rng.choice([1, 1, 3, 100]) + data[at:]


def overwrite(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    at = _position(rng, data)
    return data[:at] + rng.randbytes(rng.choice([1, 8, 64, 1024])) + data[at + 8 :]


def _replace_matches(
    rng: random.Random,
    data: bytes,
    pool: list[bytes],
    pattern: re.Pattern[bytes],
    group: int,
    counts: list[int],
    values: list[bytes],
) -> bytes:
    """Replace ``group`` of some of ``pattern``'s matches (as many as one of ``counts``) by one of
    ``values`` each, from the end so that earlier offsets hold; no match: a hostile token instead."""
    matches = list(pattern.finditer(data))
    if not matches:
        return insert_token(rng, data, pool)
    out = data
    for match in sorted(rng.sample(matches, min(len(matches), rng.choice(counts))), key=lambda m: -m.start()):
        out = out[: match.start(group)] + rng.choice(values) + out[match.end(group) :]
    return out


def replace_number(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    return _replace_matches(rng, data, pool, NUMBER_RE, 0, [1, 3, 20], HUGE_NUMBERS)


def repeat_line(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    # No more copies than fit in MAX_INPUT_BYTES: a part's XML is often one long line.
    times = min(rng.choice([2, 50, 5000, 20000]), MAX_INPUT_BYTES // (len(lines[i]) + 1) + 1)
    lines[i : i + 1] = [lines[i]] * times
    return b"\n".join(lines)[:MAX_INPUT_BYTES]


def shuffle_lines(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    lines = data.split(b"\n")
    start = rng.randrange(len(lines))
    part = lines[start : start + rng.choice([3, 20, 200])]
    rng.shuffle(part)
    lines[start : start + len(part)] = part
    return b"\n".join(lines)


NESTS = [
    (b"<div>", b"</div>"),
    (b"<table><tr><td>", b"</td></tr></table>"),
    (b"<a>", b"</a>"),
    (b"[", b"]"),
    (b'{"a":', b"}"),
    (b"> ", b""),
    (b"- ", b""),
    (b"(", b")"),
]


def nest(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    opening, closing = rng.choice(NESTS)
    depth = rng.choice([100, 1000, 5000, 50000])
    at = _position(rng, data)
    return data[:at] + opening * depth + b"x" + closing * depth + data[at:]


def big_spans(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    return _replace_matches(rng, data, pool, SPAN_RE, 2, [1, 2, 10], SPAN_VALUES)


def reencode(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    text = data.decode("utf-8", "replace")
    encoding = rng.choice(["gb18030", "utf-16", "utf-16-le", "utf-8-sig", "big5", "latin-1"])
    return text.encode(encoding, "replace")


BYTE_MUTATIONS: list[Callable[[random.Random, bytes, list[bytes]], bytes]] = [
    flip_bits,
    truncate,
    duplicate_chunk,
    delete_chunk,
    splice,
    insert_token,
    overwrite,
]
TEXT_MUTATIONS: list[Callable[[random.Random, bytes, list[bytes]], bytes]] = [
    insert_token,
    replace_number,
    repeat_line,
    shuffle_lines,
    nest,
    big_spans,
    delete_chunk,
    duplicate_chunk,
]


def _line_start(rng: random.Random, data: bytes) -> int:
    starts = [m.end() for m in re.finditer(rb"\n", data)]
    return rng.choice(starts) if starts else 0


def mutate_json(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """A hostile value, a dropped key or a changed type at a random place in the report JSON."""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):  # an earlier mutation broke or deepened it
        return rng.choice(TEXT_MUTATIONS)(rng, data, pool)
    places: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                places.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for i in range(len(node)):
                places.append((node, i))
                walk(node[i])

    walk(obj)
    if not places:
        return data
    values: list[Any] = [
        10**400,
        -(10**30),
        2**63,
        -1,
        1.5,
        1e308,
        None,
        "",
        "一百",
        "9" * 5000,
        [],
        {},
        [1] * 10000,
        True,
        {"a": [{}] * 3},
        "\x00\x0b\ufffe",
        "2021",
        "2019",
        "gongkai.report/2",
    ]
    for _ in range(rng.choice([1, 2, 5])):
        parent, key = rng.choice(places)
        try:
            if rng.random() < 0.2 and isinstance(parent, dict):
                del parent[key]
            elif rng.random() < 0.1:
                parent[key] = json.loads("[" * 300 + "]" * 300)
            else:
                parent[key] = rng.choice(values)
        except (KeyError, IndexError):
            pass
    text = json.dumps(obj, ensure_ascii=rng.random() < 0.5, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate: invalid UTF-8, hostile too


def mutate_zip(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """Mutate the package, not its bytes: a part's XML, a dropped or doubled part, a bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    except Exception:  # an earlier mutation broke the zip, in any of a dozen ways: mutate bytes
        return rng.choice(BYTE_MUTATIONS)(rng, data, pool)
    if not parts:
        return data
    xml = [i for i, (name, _) in enumerate(parts) if name.endswith((".xml", ".rels"))] or list(
        range(len(parts))
    )
    action = rng.random()
    if action < 0.75:
        i = rng.choice(xml)
        name, content = parts[i]
        for _ in range(rng.choice([1, 1, 2])):
            content = rng.choice([*TEXT_MUTATIONS, flip_bits, truncate])(rng, content, [p for _, p in parts])
        parts[i] = (name, content)
    elif action < 0.85:
        del parts[rng.randrange(len(parts))]
    elif action < 0.96:
        i = rng.randrange(len(parts))
        parts.insert(rng.randrange(len(parts) + 1), (parts[i][0], rng.choice(pool)[:4096]))
    else:
        # Highly compressible padding inside a part: 64 MB of spaces is ~64 KB zipped.
        i = rng.choice(xml)
        name, content = parts[i]
        parts[i] = (name, content[:-1] + b" " * (64 * 1024 * 1024) + content[-1:])
    out = io.BytesIO()
    # Level 1: recompressing every part at the default level took as long as checking the input.
    with (
        warnings.catch_warnings(),
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        warnings.simplefilter("ignore")  # a doubled part name is meant
        for name, content in parts:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # the same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content, compresslevel=1)
    return out.getvalue()


def mutate_png_size(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """A PNG whose header claims another size (a decompression bomb, or zero), CRC kept valid."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return rng.choice(BYTE_MUTATIONS)(rng, data, pool)
    width, height = rng.choice([(0, 0), (1, 1), (100000, 100000), (2**31 - 1, 1), (30000, 30000), (5, 2**20)])
    body = b"IHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") + data[24:29]
    return data[:12] + body + zlib.crc32(body).to_bytes(4, "big") + data[33:]


def mutations_for(form: str, suffix: str) -> list[Callable[[random.Random, bytes, list[bytes]], bytes]]:
    """The mutations that make sense for a form (each also gets the raw byte ones)."""
    if form == "json":
        return BYTE_MUTATIONS + TEXT_MUTATIONS + [mutate_json] * 6
    if form in TEXT_FORMS:
        return BYTE_MUTATIONS + TEXT_MUTATIONS + [reencode]
    if form in ZIP_FORMS:
        return BYTE_MUTATIONS + [mutate_zip] * 10
    if suffix == ".png":
        return BYTE_MUTATIONS + [mutate_png_size] * 2
    # PDF: its object syntax is text, so numbers (/Count, /MediaBox, /Length) are worth replacing.
    return [*BYTE_MUTATIONS, replace_number, big_spans, insert_token, nest]


@dataclass(frozen=True)
class Input:
    """One fuzzed input: which it is, its form and suffix, what was done to which sample."""

    index: int
    form: str
    suffix: str
    data: bytes
    how: str


def make_input(index: int, seed: int, forms: list[str], corpus: dict[str, list[Sample]]) -> Input:
    """Input number ``index`` of the round ``seed``: the same bytes on every run and machine."""
    rng = random.Random(f"{seed}:{index}")
    form = forms[index % len(forms)]
    sample = rng.choice(corpus[form])
    same_form = [s.data for s in corpus[form]]
    everything = [s.data for samples in corpus.values() for s in samples]
    choices = mutations_for(form, sample.suffix)
    data, steps = sample.data, []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        mutation = rng.choice(choices)
        data = mutation(rng, data, same_form if rng.random() < 0.7 else everything)[:MAX_INPUT_BYTES]
        steps.append(mutation.__name__)
    return Input(index, form, sample.suffix, data, f"{sample.name}{sample.suffix}: {'+'.join(steps)}")


def weighted_forms(forms: Iterable[str]) -> list[str]:
    """The forms interleaved by weight: the first ``len(forms)`` inputs are one of each form, and
    any longer run covers each form in proportion to its weight.

    >>> weighted_forms(["text", "image"])[:3], len(weighted_forms(["text", "image"]))
    (['text', 'image', 'text'], 41)
    """
    chosen = list(forms)
    slots = [
        (k / FORM_WEIGHTS[form], chosen.index(form), form)
        for form in chosen
        for k in range(FORM_WEIGHTS[form])
    ]
    return [form for _, _, form in sorted(slots)]


# --- classification -------------------------------------------------------------------------------

# Exceptions that format libraries raise for a damaged file: a refusal naming one of them is
# ugly but understood. Any other exception name in a refusal means a catch-all hid an error the
# reader did not expect (KeyError, IndexError, TypeError, RecursionError ...): a defect.
LIBRARY_EXCEPTIONS = {
    "BadZipFile",
    "BadZipfile",
    "LargeZipFile",
    "XMLSyntaxError",
    "ParseError",
    "PdfiumError",
    "PdfminerException",
    "MalformedPDFException",
    "PDFException",
    "PSException",
    "PDFSyntaxError",
    "PSSyntaxError",
    "PSEOF",
    "PDFNoValidXRef",
    "InvalidFileException",
    "DecompressionBombError",
    "UnidentifiedImageError",
    "EOFError",
    "error",
}
EXCEPTION_NAME_RE = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Exit|Interrupt|Iteration|EOF)|error)\b")
TIMEOUT_RE = re.compile(r"读取(?:和检查)?超过\d+秒")
# a worker that died is counted with the memory limit (gongkai.workers.failure_reason)
MEMORY_RE = re.compile(r"内存超过\d+ ?MB|读取进程意外退出")
DEFECT_KINDS = ("traceback", "crash", "hang", "memory", "refusal-names-exception", "bad-result")


@dataclass
class Failure:
    """What went wrong with one input: a kind (one of :data:`DEFECT_KINDS`), the exception's
    type when there was one, where it was raised and the message."""

    kind: str
    exception: str = ""
    where: str = ""
    message: str = ""

    def pattern(self) -> str:
        """The message with numbers, quoted text and file names masked: failures that differ
        only in those are one failure."""
        text = re.sub(r"\S*/\S*\.\w+", "FILE", self.message)
        text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
        return re.sub(r"\d+", "N", text)[:160]


def classify_results(results: Any) -> Failure | None:
    """A worker's results for one file: None when they are fine (findings, or a clean refusal)."""
    if not isinstance(results, list) or not results or not all(isinstance(r, dict) for r in results):
        return Failure("bad-result", message=repr(results)[:300])
    for result in results:
        error = result.get("error")
        if error is None:
            if not isinstance(result.get("findings"), list):
                return Failure("bad-result", message=repr(result)[:300])
            continue
        error = str(error)
        if TIMEOUT_RE.search(error):
            return Failure("hang", message=error)
        if MEMORY_RE.search(error):
            return Failure("memory", message=error)
        named = [name for name in EXCEPTION_NAME_RE.findall(error) if name not in LIBRARY_EXCEPTIONS]
        if named or "Traceback" in error:
            return Failure("refusal-names-exception", named[0] if named else "Traceback", message=error)
    return None


FRAME_RE = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


def classify_exception(exc: BaseException, stalled: bool = False) -> Failure:
    """An exception out of ``check_files_grouped``: where it was raised, from the worker's
    traceback when the pool sent one (``__cause__``), else from this process's."""
    import traceback

    name = type(exc).__name__
    if name == "BrokenProcessPool" or stalled:
        kind = "hang" if stalled else "crash"
    else:
        kind = "traceback"
    text = str(exc.__cause__) if exc.__cause__ is not None else "".join(traceback.format_exception(exc))
    frames = FRAME_RE.findall(text)
    ours = [f for f in frames if "/gongkai/" in f[0]]
    frame = (ours or frames or [("", "", "")])[-1]
    where = f"{_relative(frame[0])}:{frame[1]} ({frame[2]})" if frame[0] else ""
    return Failure(kind, name, where, str(exc).splitlines()[0][:300] if str(exc) else "")


def origin(path: str) -> str:
    """Where the exception behind a refusal was raised: the file is read again in this process
    and the chain of exceptions behind ``BadInput`` (kept in ``__context__`` even when raised
    ``from None``) is followed to the one the reader caught; its innermost frame in gongkai,
    then its own."""
    import traceback

    from gongkai.batch import BadInput, load_reports

    try:
        load_reports(path)
    except BadInput as exc:
        # The exception the reader caught is the context of its UnreadableDocument (earlier
        # links of the chain were handled inside the library and are not the cause).
        first: BaseException = exc
        while type(first).__name__ in ("BadInput", "UnreadableDocument") and first.__context__ is not None:
            first = first.__context__
        frames = traceback.extract_tb(first.__traceback__)
        ours = [f for f in frames if "/gongkai/" in f.filename]
        parts = [f"{_relative(f.filename)}:{f.lineno} ({f.name})" for f in (ours[-1:] + frames[-1:])]
        return f"{type(first).__name__} at {' ← '.join(dict.fromkeys(parts))}"
    return "not refused when read again"


def recheck(path: str, seconds: int) -> str:
    """A hang or memory refusal checked again alone, in a fresh process (a forked worker shares
    its parent's address space under the limit, and other inputs share the CPU): the outcome,
    the time and the peak memory."""
    from gongkai.batch import CheckOptions, check_file_reports

    started = time.monotonic()
    failure = classify_results(check_file_reports(path, CheckOptions(seconds=seconds)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    what = failure.kind if failure else "fine"
    return (
        f"alone in a fresh process: {what} after {time.monotonic() - started:.0f} s, peak RSS {peak:.0f} MB"
    )


def origin_in_child(path: Path, kind: str = "refusal-names-exception", seconds: int = DEFAULT_SECONDS) -> str:
    """:func:`origin` (or :func:`recheck` for a hang or memory refusal) in a child process under
    the worker memory limit (the file is hostile)."""
    limit = DEFAULT_MEMORY_MB * 1024 * 1024
    command = [sys.executable, __file__, "--origin", str(path)]
    if kind in ("hang", "memory"):
        command = [sys.executable, __file__, "--recheck", str(path), "--timeout", str(seconds)]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=max(120, 2 * seconds),
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        )
    except subprocess.TimeoutExpired:
        return "not found (reading it again took over 120 s)"
    return done.stdout.strip() or f"not found ({done.stderr.strip().splitlines()[-1:]})"


def _relative(path: str) -> str:
    marker = path.rfind("/gongkai/")
    return path[marker + 1 :] if marker >= 0 else path


# --- running --------------------------------------------------------------------------------------

CheckGrouped = Callable[..., Iterator[list[dict[str, Any]]]]
Outcome = tuple[Failure | None, bool]  # the failure if any; whether the input was refused cleanly


def outcome(results: Any) -> Outcome:
    """A file's results as an outcome."""
    failure = classify_results(results)
    return failure, failure is None and any("error" in r for r in results)


class Watchdog:
    """Kills this process's descendants when a batch makes no progress for far longer than the
    time limit allows (a reader stuck in C code, where the worker's alarm cannot reach), and
    samples the workers' peak memory (VmHWM) meanwhile."""

    def __init__(self, stall_seconds: float) -> None:
        self.stall_seconds = stall_seconds
        self.last_progress = time.monotonic()
        self.fired = False
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def progress(self) -> None:
        self.last_progress = time.monotonic()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for pid in descendants(os.getpid()):
                self.peak_kb = max(self.peak_kb, _peak_kb(pid))
            if time.monotonic() - self.last_progress > self.stall_seconds:
                self.fired = True
                for pid in descendants(os.getpid()):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.last_progress = time.monotonic()


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (from /proc; empty where there is none)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Runner:
    """Checks inputs through ``check`` (``check_files_grouped``) and finds the input behind any
    exception by retrying the suspects one at a time."""

    options: Any
    jobs: int
    anchor: Path  # a small valid report: a one-input retry is paired with it to keep the pool
    check: CheckGrouped
    watchdog: Watchdog

    def run(self, paths: list[str]) -> list[Outcome]:
        """One outcome per path, in order."""
        outcomes: list[Outcome] = []
        pending = list(paths)
        while pending:
            done, exc, stalled = self._attempt(pending)
            outcomes += [outcome(r) for r in done]
            if exc is None:
                break
            pending = pending[len(done) :]
            # The culprit is at or after the first input without a result (a chunk of results
            # is lost with it); retry the next few alone until one raises again.
            for k, path in enumerate(pending[:ISOLATION_WINDOW]):
                single, again, stalled_again = self._attempt([path, str(self.anchor)])
                if again is None:
                    outcomes.append(outcome(single[0]))
                    continue
                outcomes.append((classify_exception(again, stalled_again), False))
                pending = pending[k + 1 :]
                break
            else:  # nobody raised alone: blame the first, say so
                failure = classify_exception(exc, stalled)
                failure.message = f"(not reproduced alone) {failure.message}"
                outcomes[len(outcomes) - len(pending[:ISOLATION_WINDOW])] = (failure, False)
                pending = pending[ISOLATION_WINDOW:]
        return outcomes

    def _attempt(self, paths: list[str]) -> tuple[list[Any], BaseException | None, bool]:
        done: list[Any] = []
        self.watchdog.progress()
        self.watchdog.fired = False
        try:
            for results in self.check(paths, self.options, jobs=self.jobs):
                done.append(results)
                self.watchdog.progress()
        except Exception as exc:  # anything out of check_files_grouped is what we look for
            return done, exc, self.watchdog.fired
        if self.watchdog.fired and len(done) == len(paths):
            # The pool survived the kill (a pool that reports dead workers): the killed
            # input's result says so; mark the first one that is an error as the hang.
            for i, results in enumerate(done):
                if classify_results(results) is not None or any("error" in r for r in results):
                    done[i] = [{"file": paths[i], "error": "读取和检查超过时限（进程被强制结束）"}]
                    break
        return done, None, False


# --- the record of failures -----------------------------------------------------------------------


@dataclass
class Record:
    """Failures by (form, kind, exception, where, pattern): the smallest input of each kept."""

    folder: Path
    seed: int
    kept: dict[tuple[str, ...], tuple[Input, Failure, int]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, item: Input, failure: Failure) -> None:
        self.counts[failure.kind] += 1
        # A traceback is one defect per place it is raised (zlib alone has a dozen messages for
        # a broken stream); a refusal, which has no place, is one per message pattern.
        raised = failure.kind in ("traceback", "crash") and failure.where
        key = (item.form, failure.kind, failure.exception, failure.where if raised else failure.pattern())
        seen = self.kept.get(key)
        if seen is None or len(item.data) < len(seen[0].data):
            if seen is not None:
                (self.folder / self._name(seen[0], seen[1])).unlink(missing_ok=True)
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / self._name(item, failure)).write_bytes(item.data)
            self.kept[key] = (item, failure, (seen[2] if seen else 0) + 1)
        else:
            self.kept[key] = (seen[0], seen[1], seen[2] + 1)

    def _name(self, item: Input, failure: Failure) -> str:
        digest = hashlib.sha1(item.data).hexdigest()[:10]
        return f"{failure.kind}-{item.form}-{digest}{item.suffix}"

    def find_origins(self, seconds: int) -> None:
        """For each refusal that names an exception, where that exception was raised; for each
        hang or memory refusal, what it does alone."""
        for item, failure, _ in self.kept.values():
            if failure.kind in ("refusal-names-exception", "hang", "memory") and not failure.where:
                path = self.folder / self._name(item, failure)
                failure.where = origin_in_child(path, failure.kind, seconds)
        self.write_index()

    def write_index(self) -> None:
        """``index.tsv``: file, how many inputs failed so, seed and index, form, kind,
        exception, where, message, how the input was made."""
        if not self.kept:
            return
        lines = ["file\tcount\tseed:index\tform\tkind\texception\twhere\tmessage\tmade"]
        for item, failure, count in self.kept.values():
            message = failure.message.replace("\t", " ").replace("\n", " ")
            lines.append(
                f"{self._name(item, failure)}\t{count}\t{self.seed}:{item.index}\t{item.form}\t{failure.kind}\t"
                f"{failure.exception}\t{failure.where}\t{message}\t{item.how}"
            )
        (self.folder / "index.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Summary:
    """What a round did: inputs per form, time, peak worker memory, failures."""

    per_form: Counter[str]
    refused: Counter[str]
    seconds: float
    peak_mb: float
    record: Record

    @property
    def total(self) -> int:
        return sum(self.per_form.values())

    @property
    def defects(self) -> int:
        return sum(self.record.counts.values())

    def lines(self) -> list[str]:
        rate = self.total / self.seconds if self.seconds else 0.0
        out = [
            f"{self.total} inputs in {self.seconds:.0f} s ({rate:.1f}/s), worker peak RSS {self.peak_mb:.0f} MB"
        ]
        for form, n in sorted(self.per_form.items()):
            out.append(f"  {form:6} {n:7} inputs, {self.refused[form]:7} refused cleanly")
        if not self.defects:
            out.append("no defect: no traceback, no dead worker, no hang, no input over the memory limit")
            return out
        out.append("defects: " + ", ".join(f"{kind} {n}" for kind, n in sorted(self.record.counts.items())))
        for item, failure, count in self.record.kept.values():
            out.append(
                f"  {count:6}× {item.form:6} {failure.kind} {failure.exception} {failure.where} "
                f"{failure.message[:120]!r}  → {self.record.folder / self.record._name(item, failure)}"
            )
        return out


def fuzz(
    count: int,
    seed: int,
    jobs: int,
    forms: list[str],
    failures: Path,
    *,
    start: int = 0,
    seeds: Path = SEEDS,
    seconds: int = DEFAULT_SECONDS,
    memory_mb: int = DEFAULT_MEMORY_MB,
    corpus_folder: Path | None = None,
    quick: bool = False,
    minutes: float | None = None,
    origins: bool = True,
    check: CheckGrouped | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """One round: inputs ``start`` … ``start + count - 1`` of round ``seed``.

    ``corpus_folder`` keeps the corpus between rounds (built there when empty); ``quick`` makes
    a smaller corpus; ``minutes`` stops the round after the batch that passes that time, as
    SIGTERM or Ctrl-C do (the summary then covers the inputs checked); ``origins=False`` skips
    reading each kept failure again in a child process (a second each); ``check`` stands in for
    ``check_files_grouped`` (tests).
    """
    from gongkai.batch import CheckOptions, check_files_grouped

    options = CheckOptions(seconds=seconds, memory_mb=memory_mb)
    record = Record(failures, seed)
    per_form: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="gongkai-fuzz-") as tmp:
        folder = Path(tmp)
        corpus = corpus_in_child(seeds, corpus_folder or folder / "corpus", "image" in forms, quick)
        missing = [form for form in forms if not corpus.get(form)]
        if missing:
            raise SystemExit(f"no valid {', '.join(missing)} input could be made for the corpus")
        anchor = folder / "anchor.txt"
        anchor.write_bytes(corpus["text"][0].data if "text" in corpus else b"")
        order = weighted_forms(forms)
        watchdog = Watchdog(stall_seconds=6 * seconds + 30)
        runner = Runner(options, jobs, anchor, check or check_files_grouped, watchdog)
        started = last_report = time.monotonic()
        stop = _stop_on_signal()
        try:
            for first in range(start, start + count, BATCH_SIZE):
                if stop.is_set() or (minutes is not None and time.monotonic() - started > 60 * minutes):
                    break
                batch = [
                    make_input(i, seed, order, corpus)
                    for i in range(first, min(first + BATCH_SIZE, start + count))
                ]
                inputs = folder / "inputs"
                shutil.rmtree(inputs, ignore_errors=True)
                inputs.mkdir()
                paths = []
                for item in batch:
                    path = inputs / f"{item.index:07d}{item.suffix}"
                    path.write_bytes(item.data)
                    paths.append(str(path))
                for item, (failure, was_refused) in zip(batch, runner.run(paths), strict=True):
                    per_form[item.form] += 1
                    if failure is not None:
                        record.add(item, failure)
                    elif was_refused:
                        refused[item.form] += 1
                record.write_index()
                if progress and time.monotonic() - last_report > 30:
                    last_report = time.monotonic()
                    done = sum(per_form.values())
                    progress(
                        f"{done}/{count} inputs, {done / (last_report - started):.1f}/s, "
                        f"defects {dict(record.counts) or 0}"
                    )
        finally:
            watchdog.stop()
        elapsed = time.monotonic() - started
        if origins:
            record.find_origins(seconds)
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Summary(per_form, refused, elapsed, max(children_kb, watchdog.peak_kb) / 1024, record)


def _stop_on_signal() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so that a stopped round still prints its summary."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    return stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="inputs in the round (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="the round: the same seed makes the same inputs")
    parser.add_argument("--start", type=int, default=0, help="index of the first input (to make one again)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--forms", default=",".join(FORMS), help=f"comma-separated, of {','.join(FORMS)}")
    parser.add_argument(
        "--failures", type=Path, default=ROOT / ".fuzz-failures", help="where failing inputs go"
    )
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="folder of seed reports (*.txt, *.json)")
    parser.add_argument(
        "--timeout", type=int, default=DEFAULT_SECONDS, help="seconds per input (CheckOptions)"
    )
    parser.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, help="MB per worker (CheckOptions)")
    parser.add_argument("--minutes", type=float, help="stop after this long (the summary says how many ran)")
    parser.add_argument("--corpus", type=Path, help="keep the valid inputs here between rounds")
    parser.add_argument("--quick", action="store_true", help="a smaller corpus, without LibreOffice")
    parser.add_argument("--build-corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    parser.add_argument("--recheck", help=argparse.SUPPRESS)
    parser.add_argument("--no-scans", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.origin:
        print(origin(args.origin))
        return 0
    if args.recheck:
        print(recheck(args.recheck, args.timeout))
        return 0
    if args.build_corpus:
        write_corpus(build_corpus(args.seeds, scans=not args.no_scans, quick=args.quick), args.build_corpus)
        return 0
    forms = [f for f in args.forms.split(",") if f]
    unknown = set(forms) - set(FORMS)
    if unknown:
        parser.error(f"unknown forms {sorted(unknown)}; known: {','.join(FORMS)}")
    from gongkai.batch import check_files_grouped

    summary = fuzz(
        args.count,
        args.seed,
        args.jobs,
        forms,
        args.failures,
        start=args.start,
        seeds=args.seeds,
        seconds=args.timeout,
        memory_mb=args.memory,
        corpus_folder=args.corpus,
        quick=args.quick,
        minutes=args.minutes,
        check=check_files_grouped,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print("\n".join(summary.lines()))
    return 1 if summary.defects else 0


if __name__ == "__main__":
    sys.exit(main())
