"""Taking published reports into the corpus (``gongkai ingest``, issue 17 §1): files and folders
walked and zip archives opened, each file hashed, read and checked on every core, and kept in the
store. A member of an archive is a file like any other, named ``archive.zip/folder/member.pdf``.

Idempotent and resumable: a file whose content is already held is not read again, and each file
is kept — its source row and all its reports — in one short transaction of its own. A run killed
at any moment (``kill -9``) loses at most the file in flight, never half of one; running it again
finishes the rest, with nothing doubled.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gongkai.batch import (
    REPORT_SUFFIXES,
    BadInput,
    CheckOptions,
    check_files_grouped,
    expand_paths,
    is_zip_name,
    read_report_input,
    renamed,
)
from gongkai.cluster import Cluster, Document, Lost, connect
from gongkai.readers import UnreadableDocument, sniff_form
from gongkai.store.corpus import (
    SourceFile,
    held_sources,
    matched_organ,
    organ_names,
    printed_name,
    record_source,
    rematch,
)
from gongkai.store.db import transaction
from gongkai.workers import DOCUMENT_SECONDS, MAX_INPUT_BYTES, WORKER_MEMORY_MB

HASH_BLOCK = 1 << 20


@dataclass
class Outcome:
    """What became of one file: ``new`` (kept now), ``held`` (its content was kept before),
    ``repeat`` (the same content as an earlier file of this run) or ``unreadable`` (kept with its
    error, or not kept at all when it could not even be opened)."""

    file: str
    status: str
    sha256: str = ""
    reports: int = 0
    unmatched: int = 0
    error: str | None = None


@dataclass
class Tally:
    """The counts of a run, as the summary line gives them."""

    files: int = 0
    new: int = 0
    held: int = 0
    repeat: int = 0
    unreadable: int = 0
    reports: int = 0
    unmatched: int = 0  # reports kept now whose organ no name or alias matched
    rematched: int = 0  # reports kept before, matched now to an organ or alias added since
    outcomes: list[Outcome] = field(default_factory=list, repr=False)

    def add(self, outcome: Outcome) -> None:
        """Count one file's outcome."""
        self.files += 1
        self.outcomes.append(outcome)
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.reports += outcome.reports
        self.unmatched += outcome.unmatched


def hash_file(path: str) -> SourceFile:
    """The file's SHA-256, size and form (by content); :class:`OSError` when it cannot be read."""
    with open(path, "rb") as handle:
        head = handle.read(HASH_BLOCK)
        if head.startswith(b"PK"):  # a zip package (DOCX, XLSX, OFD) is told by its members: all of it
            return describe_bytes(head + handle.read(), path)
        digest, size = hashlib.sha256(head), len(head)
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
            size += len(block)
    try:
        form = sniff_form(head)
    except UnreadableDocument:  # its reading will say what is wrong, and it is kept so
        form = "zip"
    return SourceFile(sha256=digest.hexdigest(), name=path, size=size, form=form)


@dataclass
class _Found:
    """A file to take in: on disk, or a member of a zip archive (``archive``, ``member``)."""

    source: SourceFile
    archive: str | None = None
    member: str | None = None


def ingest(
    factory: sessionmaker[Session],
    paths: list[str],
    *,
    jobs: int | None = None,
    retry_errors: bool = False,
    seconds: int = DOCUMENT_SECONDS,
    memory_mb: int = WORKER_MEMORY_MB,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[Outcome], None] | None = None,
    cluster: str | None = None,
) -> Tally:
    """Take the report files ``paths`` name (folders walked, zip archives opened) into the corpus;
    ``on_start`` is told how many files there are, ``on_file`` each file's :class:`Outcome` as it
    is kept.

    The files are read in worker processes of this machine (``jobs``), or with ``cluster`` (a
    Dask scheduler's address, ``tcp://host:8786``) on that cluster's workers:
    :class:`~gongkai.cluster.ClusterUnavailable` before anything is done when it cannot be used.
    """
    tally = Tally()

    def done(outcome: Outcome) -> None:
        tally.add(outcome)
        if on_file is not None:
            on_file(outcome)

    with connect(cluster) if cluster is not None else nullcontext() as engine:
        todo, names = _to_read(factory, paths, retry_errors, tally, on_start, done)
        options = CheckOptions(seconds=seconds, memory_mb=memory_mb, keep_reports=True)
        checked = (
            _checked_locally(todo, options, jobs) if engine is None else _checked_on(engine, todo, options)
        )
        for n, results in checked:
            source = todo[n].source
            if isinstance(results, Lost):  # nothing was read: not kept, so that the next run tries again
                error = f"{source.name}: {results.reason}，未收入"
                done(Outcome(source.name, "unreadable", source.sha256, error=error))
            else:
                done(_keep(factory, source, results, names))
    return tally


def _to_read(
    factory: sessionmaker[Session],
    paths: list[str],
    retry_errors: bool,
    tally: Tally,
    on_start: Callable[[int], None] | None,
    done: Callable[[Outcome], None],
) -> tuple[list[_Found], dict[str, int]]:
    """The files to read (each content once, not held yet, or held unreadable with
    ``retry_errors``), and the organs' names to match their reports to; the others are ``done``."""
    found: dict[str, _Found] = {}  # by hash, the first file of each content
    failed: list[Outcome] = []  # files that could not even be opened: nothing to keep of them
    repeats: list[Outcome] = []
    for item in _find([p for p in expand_paths(paths, archives=True) if p != "-"], failed):
        if item.source.sha256 in found:
            repeats.append(Outcome(item.source.name, "repeat", item.source.sha256))
        else:
            found[item.source.sha256] = item
    if on_start is not None:
        on_start(len(found) + len(failed) + len(repeats))
    for outcome in failed + repeats:
        done(outcome)
    with transaction(factory) as session:
        names = organ_names(session)
        tally.rematched = rematch(session, names)
        held = held_sources(session, found)
    todo = []
    for sha, item in found.items():
        if sha in held and not (retry_errors and held[sha] is not None):
            done(Outcome(item.source.name, "held", sha))
        else:
            todo.append(item)
    return todo, names


# The one seam between the engines: who reads and checks the files to do, giving each file's
# results by its index in ``todo``. Everything else — finding, hashing, skipping what is held,
# keeping each file in a transaction of its own — is the same on one machine and on a cluster.
Checked = Iterator[tuple[int, list[dict[str, Any]] | Lost]]


def _checked_locally(todo: list[_Found], options: CheckOptions, jobs: int | None) -> Checked:
    """In this machine's worker processes, in input order."""
    if not todo:
        return
    with tempfile.TemporaryDirectory(prefix="gongkai-ingest-") as scratch:
        where = _extracted(todo, Path(scratch))  # the path each is read from
        groups = check_files_grouped(where, options, jobs)
        for n, (item, path, results) in enumerate(zip(todo, where, groups, strict=True)):
            # a member of an archive: named as such, not by its copy
            yield n, results if path == item.source.name else renamed(results, path, item.source.name)


def _checked_on(engine: Cluster, todo: list[_Found], options: CheckOptions) -> Checked:
    """On the cluster's workers, each file's bytes sent with its task, as the tasks finish."""
    return engine.check([Document(item.source.name, partial(_content, item)) for item in todo], options)


def _content(item: _Found) -> bytes:
    """A file's bytes, to be read elsewhere; :class:`BadInput` saying why when they cannot be had."""
    if item.archive is None or item.member is None:
        return read_report_input(item.source.name)[1]
    try:
        with zipfile.ZipFile(item.archive) as zipped:
            return zipped.read(item.member)
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
        raise BadInput(f"{item.source.name}: 无法从压缩包中取出（{exc}）") from None


def _is_report_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        path.suffix.lower() in REPORT_SUFFIXES
        and not path.stem.lower().startswith("readme")
        and not name.startswith("__MACOSX/")  # the resource forks a Mac adds to an archive
    )


def _find(files: list[str], failed: list[Outcome]) -> Iterator[_Found]:
    """Each file hashed, and each report file in a zip archive; those that cannot be opened are
    added to ``failed``."""
    for path in files:
        if is_zip_name(path) and zipfile.is_zipfile(path):
            try:
                yield from _archive_members(path, failed)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                failed.append(Outcome(path, "unreadable", error=f"{path}: 压缩包已损坏，无法打开（{exc}）"))
            continue
        try:
            yield _Found(hash_file(path))
        except OSError as exc:
            failed.append(Outcome(path, "unreadable", error=f"{path}: 无法读取（{exc.strerror or exc}）"))


def _archive_members(archive: str, failed: list[Outcome]) -> Iterator[_Found]:
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            member = _member_name(info)
            if info.is_dir() or not _is_report_name(member):
                continue
            name = f"{archive}/{member}"
            try:
                data = _member_bytes(zipped, info)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                # a damaged or encrypted member, or a compression zipfile does not know
                failed.append(Outcome(name, "unreadable", error=f"{name}: 无法从压缩包中取出（{exc}）"))
                continue
            if data is None:
                limit = MAX_INPUT_BYTES // 1024 // 1024
                failed.append(
                    Outcome(name, "unreadable", error=f"{name}: 文件超过 {limit} MB，不像年度报告，未读取")
                )
                continue
            yield _Found(describe_bytes(data, name), archive, info.filename)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker meant it: an archive made on a Chinese Windows names its
    members in GBK without saying so, which zipfile decodes as CP437."""
    if info.flag_bits & 0x800:  # the name is marked UTF-8
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _member_bytes(zipped: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's content; None past the largest file a reader accepts (read no further: a
    small archive may unpack to gigabytes)."""
    with zipped.open(info) as handle:
        data = handle.read(MAX_INPUT_BYTES + 1)
    return None if len(data) > MAX_INPUT_BYTES else data


def describe_bytes(data: bytes, name: str) -> SourceFile:
    """A file held in memory (an archive's member, an upload) as :func:`hash_file` describes one on disk."""
    try:
        form = sniff_form(data)
    except UnreadableDocument:  # a broken zip package: its reading will say so, and it is kept so
        form = "zip"
    return SourceFile(sha256=hashlib.sha256(data).hexdigest(), name=name, size=len(data), form=form)


def _extracted(todo: list[_Found], scratch: Path) -> list[str]:
    """Where each file is read from: itself, or, for a member of an archive, a copy in ``scratch``
    (the readers read files; the copy keeps the member's suffix, which some readers go by)."""
    paths = []
    with ExitStack() as opened:
        archives: dict[str, zipfile.ZipFile | None] = {}  # each opened once: its directory read once
        for n, item in enumerate(todo):
            if item.archive is None or item.member is None:
                paths.append(item.source.name)
                continue
            copy = scratch / f"{n}{PurePosixPath(item.member).suffix}"
            try:
                if item.archive not in archives:
                    archives[item.archive] = opened.enter_context(zipfile.ZipFile(item.archive))
                zipped = archives[item.archive]
                if zipped is not None:
                    copy.write_bytes(zipped.read(item.member))
            except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError, EOFError):
                # changed since it was hashed: reading the missing copy says it cannot be read
                archives.setdefault(item.archive, None)
            paths.append(str(copy))
    return paths


def _keep(
    factory: sessionmaker[Session], source: SourceFile, results: list[dict[str, Any]], names: dict[str, int]
) -> Outcome:
    """Keep one file in a transaction of its own."""
    try:
        with transaction(factory) as session:
            row = record_source(session, source, results, names)
    except IntegrityError:  # another run kept the same content a moment before
        row = None
    error = next((r["error"] for r in results if "error" in r), None)
    if row is None:  # kept before; or read again (--retry-errors) and still unreadable
        return Outcome(source.name, "held" if error is None else "unreadable", source.sha256, error=error)
    if error is not None:
        return Outcome(source.name, "unreadable", source.sha256, error=error)
    unmatched = sum(1 for r in results if matched_organ(names, printed_name(r)) is None)
    return Outcome(source.name, "new", source.sha256, reports=len(results), unmatched=unmatched)
