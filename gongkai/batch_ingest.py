"""Taking published reports into the corpus (``gongkai ingest``, issue 17 §1): files and folders
walked, each file hashed, read and checked on every core, and kept in the store.

Idempotent and resumable: a file whose content is already held is not read again, and each file
is kept — its source row and all its reports — in one short transaction of its own. A run killed
at any moment (``kill -9``) loses at most the file in flight, never half of one; running it again
finishes the rest, with nothing doubled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gongkai.batch import CheckOptions, check_files_grouped, expand_paths
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
from gongkai.workers import DOCUMENT_SECONDS, WORKER_MEMORY_MB

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
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.reports += outcome.reports
        self.unmatched += outcome.unmatched


def hash_file(path: str) -> SourceFile:
    """The file's SHA-256, size and form (by content); :class:`OSError` when it cannot be read."""
    digest, size, head = hashlib.sha256(), 0, b""
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
            if size == 0:
                head = block
            size += len(block)
    # a zip package (DOCX, XLSX, OFD) is told by its members: the form needs the whole file then
    try:
        form = sniff_form(Path(path).read_bytes() if head.startswith(b"PK") else head)
    except UnreadableDocument:  # a broken zip package: its reading will say so, and it is kept so
        form = "zip"
    return SourceFile(sha256=digest.hexdigest(), name=path, size=size, form=form)


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
) -> Tally:
    """Take the report files ``paths`` name (folders walked) into the corpus; ``on_start`` is told
    how many files there are, ``on_file`` each file's :class:`Outcome` as it is kept."""
    tally = Tally()
    files = [p for p in expand_paths(paths) if p != "-"]
    if on_start is not None:
        on_start(len(files))

    def done(outcome: Outcome) -> None:
        tally.add(outcome)
        if on_file is not None:
            on_file(outcome)

    sources: dict[str, SourceFile] = {}  # by hash, the first file of each content
    for path in files:
        try:
            source = hash_file(path)
        except OSError as exc:
            done(Outcome(path, "unreadable", error=f"{path}: 无法读取（{exc.strerror or exc}）"))
            continue
        if source.sha256 in sources:
            done(Outcome(path, "repeat", source.sha256))
        else:
            sources[source.sha256] = source
    with transaction(factory) as session:
        tally.rematched = rematch(session)
        held = held_sources(session, sources)
        names = organ_names(session)
    todo = []
    for sha, source in sources.items():
        if sha in held and not (retry_errors and held[sha] is not None):
            done(Outcome(source.name, "held", sha))
        else:
            todo.append(source)
    options = CheckOptions(seconds=seconds, memory_mb=memory_mb, keep_reports=True)
    for source, results in zip(todo, _read(todo, options, jobs), strict=True):
        done(_keep(factory, source, results, names))
    return tally


def _read(todo: list[SourceFile], options: CheckOptions, jobs: int | None) -> Iterator[list[dict[str, Any]]]:
    if todo:
        yield from check_files_grouped([s.name for s in todo], options, jobs)


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
