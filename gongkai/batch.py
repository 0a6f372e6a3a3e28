"""Loading reports from files and checking many at once, on all cores, each within limits.

The command line and (later) the web platform call these; workers return plain dicts so
that results cross process boundaries (the report models are generated, not picklable).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gongkai.checks import SEVERITY_ORDER, check_reading, check_report
from gongkai.model.report import Finding, Report2019, Report2021, report_from_json, report_to_json
from gongkai.readers import Reading, UnreadableDocument, read_all_bytes, read_bytes, sniff_form
from gongkai.readers.html.embedded import json_fragments
from gongkai.workers import (
    DOCUMENT_SECONDS,
    MAX_INPUT_BYTES,
    WORKER_MEMORY_MB,
    InputTooLarge,
    LimitedPool,
    WorkerFailure,
    cpu_count,
    document_limits,
    failure_reason,
    read_input,
)


class BadInput(Exception):
    """A file that cannot be read as a report; the message names the file and the problem."""


REPORT_SUFFIXES = {
    *(".txt", ".md", ".markdown", ".text", ".json", ".html", ".htm"),
    *(".docx", ".pdf", ".xlsx", ".ofd", ".doc", ".wps", ".rtf", ".odt"),
    *(".png", ".jpg", ".jpeg", ".tif", ".tiff"),
}


def is_report_file(path: Path) -> bool:
    """A file in a folder that may be a report: a text, Markdown or JSON file, not a README."""
    return (
        path.is_file()
        and path.suffix.lower() in REPORT_SUFFIXES
        and not path.stem.lower().startswith("readme")
    )


def expand_paths(paths: list[str], *, archives: bool = False) -> list[str]:
    """The files ``paths`` name: a folder gives the report files under it (recursively, sorted) —
    with ``archives``, the zip archives under it too —, a file (or ``-``) itself."""
    files: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            files.extend(
                str(f)
                for f in sorted(path.rglob("*"))
                if is_report_file(f) or (archives and f.is_file() and is_zip_name(f.name))
            )
        else:
            files.append(p)
    return files


def is_zip_name(name: str) -> bool:
    """Whether a file's name says it is a zip archive (of reports, to ``gongkai ingest``)."""
    return name.lower().endswith(".zip")


@dataclass
class Loaded:
    """A report loaded from a file: read from a document, or given as canonical JSON."""

    name: str
    report: Report2021 | Report2019
    reading: Reading | None = None


def load_report(path: str) -> Loaded:
    """A report from a file (``-``: standard input): a document read, or canonical JSON validated.

    A file that holds several reports gives the first, with a READ-MULTIPLE warning; see
    :func:`load_reports`.
    """
    name, data = read_report_input(path)
    if _is_report_json(path, data):
        return Loaded(name, _load_json(name, data))
    try:
        reading = read_bytes(data, name)
    except UnreadableDocument as exc:
        raise BadInput(f"{name}: {exc}") from None
    return Loaded(name, reading.report, reading)


def load_reports(path: str) -> list[Loaded]:
    """Every report a file holds, each its own entry (``page.html#1``, ``page.html#2`` …).

    ``FILE#N`` (when no file of that name exists) selects the N-th report of FILE, the name
    under which ``check`` lists it. A file with one report gives ``[load_report(path)]``.
    """
    selected = None
    match = re.fullmatch(r"(.+)#([1-9]\d{0,3})", path)
    if match and path != "-" and not Path(path).exists() and Path(match[1]).is_file():
        path, selected = match[1], int(match[2])
    name, data = read_report_input(path)
    if _is_report_json(path, data):
        loaded = [Loaded(name, _load_json(name, data))]
    else:
        try:
            readings = read_all_bytes(data, name)
        except UnreadableDocument as exc:
            raise BadInput(f"{name}: {exc}") from None
        loaded = [Loaded(r.source, r.report, r) for r in readings]
    if selected is None:
        return loaded
    if selected > len(loaded):
        raise BadInput(f"{name}#{selected}: 文件中只有{len(loaded)}份报告")
    chosen = loaded[selected - 1]
    return [Loaded(f"{name}#{selected}", chosen.report, chosen.reading)]


def read_report_input(path: str) -> tuple[str, bytes]:
    """A file's name as messages give it and its bytes (at most the largest a reader accepts); a
    :class:`BadInput` saying why when it cannot be read."""
    name = "标准输入" if path == "-" else path
    try:
        data = read_input(path)  # at most the largest a reader accepts, plus one byte (issue 14 §7)
    except InputTooLarge:
        raise BadInput(
            f"{name}: 文件超过 {MAX_INPUT_BYTES // 1024 // 1024} MB，不像年度报告，未读取"
        ) from None
    except FileNotFoundError:
        raise BadInput(f"{name}: 文件不存在") from None
    except IsADirectoryError:
        raise BadInput(f"{name}: 是文件夹，不是文件") from None
    except OSError as exc:
        raise BadInput(f"{name}: 无法读取（{exc.strerror}）") from None
    return name, data


def _is_report_json(path: str, data: bytes) -> bool:
    """Canonical report JSON, not a document: a .json file, or content that opens with { or [ —
    unless it is a portal's API response whose strings hold the report's HTML."""
    if not (
        path.lower().endswith(".json") or data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"[")
    ):
        return False
    if sniff_form(data) != "text":  # an RTF file opens with {\rtf
        return False
    try:
        text = data.decode("utf-8-sig")
        obj = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # A .json file, or text opening with {, is meant as a report: _load_json says what is
        # wrong with it. Text opening with [ may be Markdown starting with a link: a document.
        return path.lower().endswith(".json") or data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"{"
    if isinstance(obj, dict) and "schema" in obj:
        return True
    return not json_fragments(text)


# A report JSON nests five levels deep; Python's json (and pydantic after it) recurse per level and
# fail on a few thousand. Deeper than this is refused before parsing, where it is (issue 14).
MAX_JSON_DEPTH = 200
_JSON_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> tuple[int, int] | None:
    """Where (line, column, 1-based) JSON text first nests deeper than ``limit``; None if it does not.

    A scan of brackets outside strings, never a recursion:

    >>> json_too_deep('{"a": [[1]], "b": "[[[["}', limit=3), json_too_deep('\\n [[[[1]]]]', limit=3)
    (None, (2, 5))
    """
    depth = 0
    for match in _JSON_TOKEN_RE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                start = match.start()
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        elif token in "]}":
            depth -= 1
    return None


def _load_json(name: str, data: bytes) -> Report2021 | Report2019:
    try:
        text = data.decode("utf-8-sig")
        deep = json_too_deep(text)
        if deep is not None:
            raise BadInput(
                f"{name}: JSON 嵌套超过{MAX_JSON_DEPTH}层（第{deep[0]}行第{deep[1]}列），"
                "不是年度报告的标准 JSON（报告只有几层）"
            )
        obj = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"第{exc.lineno}行第{exc.colno}列" if isinstance(exc, json.JSONDecodeError) else "编码"
        raise BadInput(f"{name}: 不是有效的 JSON（{where}）") from None
    except ValueError:  # a number of thousands of digits: Python refuses to convert it (CVE-2020-10735)
        raise BadInput(f"{name}: JSON 中有位数过多的数字（超过 4,300 位），不是年度报告的数字") from None
    if not isinstance(obj, dict):
        raise BadInput(f"{name}: JSON 的顶层应是一个报告对象（{{…}}），而不是{type(obj).__name__}")
    try:
        return report_from_json(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")  # a range the model checks (issue 14)
        if first["type"] == "report_cell":  # say what the cell holds: the message is the same for all
            message = f"{message}，这里是 {json.dumps(first['input'], ensure_ascii=False)}"
        raise BadInput(f"{name}: 不是 gongkai.report/1 格式的报告 JSON（{where}：{message}）") from None


def findings_for(
    loaded: Loaded, published: date | None, select: list[str] | None, ignore: list[str]
) -> list[Finding]:
    """Every finding for a loaded report, errors first, then by source line."""
    if loaded.reading is not None:
        found = check_reading(loaded.reading, published=published, select=select, ignore=ignore)
    else:
        found = check_report(loaded.report, published=published, select=select, ignore=ignore)
    return sorted(found, key=lambda f: (SEVERITY_ORDER[f.severity], f.line or 0))


@dataclass(frozen=True)
class CheckOptions:
    """What to check and within which limits; passed to every worker."""

    published: date | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    seconds: int = DOCUMENT_SECONDS
    memory_mb: int = WORKER_MEMORY_MB
    # the report itself in each result (``"report"``, canonical JSON): for the cross-year rules
    keep_reports: bool = False


def check_file(path: str, options: CheckOptions) -> dict[str, Any]:
    """Read and check one file's (first) report; the result as a plain dict (``error`` when unreadable)."""
    return _check(path, options, lambda: [load_report(path)])[0]


def check_file_reports(path: str, options: CheckOptions) -> list[dict[str, Any]]:
    """Read and check every report of one file, each a dict as :func:`check_file` gives.

    The file's time limit covers all its reports; an unreadable file is one ``error`` dict.
    """
    return _check(path, options, lambda: load_reports(path))


def checked_result(loaded: Loaded, options: CheckOptions) -> dict[str, Any]:
    """One report's result as ``gongkai check --json`` gives it: file, organ, year, layout, the
    findings; the dates its document states (``published_on``, ``signed_on``) when it does; the
    report itself with ``keep_reports``. The date given (``--published``) wins over the page's own
    for SEC-DEADLINE."""
    reading = loaded.reading
    published = options.published or (reading.published_on if reading else None)
    found = findings_for(loaded, published, list(options.select or []) or None, list(options.ignore))
    result: dict[str, Any] = {
        "file": loaded.name,
        "agency": loaded.report.agency,
        "year": loaded.report.year,
        "format": loaded.report.format,
        "findings": [f.model_dump(mode="json", exclude_none=True) for f in found],
    }
    if reading is not None and reading.published_on is not None:
        result["published_on"] = reading.published_on.isoformat()
    if reading is not None and reading.signed_on is not None:
        result["signed_on"] = reading.signed_on.isoformat()
    if options.keep_reports:
        result["report"] = report_to_json(loaded.report)
    return result


def _check(path: str, options: CheckOptions, load: Callable[[], list[Loaded]]) -> list[dict[str, Any]]:
    try:
        with document_limits(options.seconds, options.memory_mb):
            results = [checked_result(loaded, options) for loaded in load()]
    except BadInput as exc:
        return [{"file": path, "error": str(exc)}]
    except Exception as exc:  # out of time or memory, or a defect: one line, never a traceback
        return [_failed(path, failure_reason(exc, options.seconds, options.memory_mb))]
    return results


def check_files(paths: list[str], options: CheckOptions, jobs: int | None = None) -> Iterator[dict[str, Any]]:
    """Check files in input order, one result per report (a file may hold several)."""
    for results in check_files_grouped(paths, options, jobs):
        yield from results


def check_files_grouped(
    paths: list[str], options: CheckOptions, jobs: int | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Each file's results (one per report), in input order; in worker processes (``jobs``,
    default: every core) when several. A file whose worker fails (its time, its memory, a crash)
    is one ``error`` dict; the others are read all the same."""
    jobs = jobs or cpu_count()
    if jobs == 1 or len(paths) == 1 or "-" in paths:
        for path in paths:
            yield check_file_reports(path, options)
        return
    with LimitedPool(jobs, options.seconds, options.memory_mb) as pool:
        yield from checked_in(pool, paths, options, hand_over_size(len(paths), jobs))


def hand_over_size(files: int, workers: int) -> int:
    """How many files to hand a worker at a time: several when there are many (a text report takes
    milliseconds to read), while every worker still gets a share of the work to the end.

    >>> hand_over_size(10, 2), hand_over_size(200, 2), hand_over_size(100_000, 2)
    (1, 12, 16)
    """
    return max(1, min(16, files // (workers * 8)))


def checked_in(
    pool: LimitedPool, paths: list[str], options: CheckOptions, chunk_size: int = 1
) -> Iterator[list[dict[str, Any]]]:
    """Each file's results (as :func:`check_file_reports` gives them), read in ``pool``'s workers
    ``chunk_size`` at a time, in input order; a file whose worker failed is one ``error`` dict."""
    outcomes = pool.map(check_file_reports, [(p, options) for p in paths], chunk_size=chunk_size)
    for path, outcome in zip(paths, outcomes, strict=True):
        yield [_failed(path, outcome)] if isinstance(outcome, WorkerFailure) else outcome


def renamed(results: list[dict[str, Any]], path: str, name: str) -> list[dict[str, Any]]:
    """Results of reading a copy at ``path``, naming the file it is a copy of (``name``) instead."""
    return [
        {
            k: v.replace(path, name) if k in ("file", "error") and isinstance(v, str) else v
            for k, v in r.items()
        }
        for r in results
    ]


def _failed(path: str, failure: WorkerFailure) -> dict[str, Any]:
    return {"file": path, "error": f"{path}: {failure.reason}{_hint(failure)}"}


def _hint(failure: WorkerFailure) -> str:
    return {"time": "（可用 --timeout 放宽）", "memory": "（可用 --memory 放宽）"}.get(failure.kind, "")


def load_reports_within(
    path: str, seconds: int = DOCUMENT_SECONDS, memory_mb: int = WORKER_MEMORY_MB
) -> list[Loaded]:
    """:func:`load_reports` under the limits every document is read under (``parse``, ``render``,
    ``draft``); running out of time or memory is a :class:`BadInput` saying so."""
    try:
        with document_limits(seconds, memory_mb):
            return load_reports(path)
    except BadInput:
        raise
    except Exception as exc:
        failure = failure_reason(exc, seconds, memory_mb)
        raise BadInput(f"{path}: {failure.reason}{_hint(failure)}") from None
