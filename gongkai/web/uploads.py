"""Reading uploaded reports away from the web process: each file is read in a worker process of its
own (spawned, so it inherits nothing of the server's memory) under the limits every document is read
under (gongkai.workers), so a hostile upload costs a worker, never the server or the other files."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai import settings
from gongkai.batch import BadInput, CheckOptions, checked_result, load_reports
from gongkai.workers import LimitedPool, WorkerFailure

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_FILES = 50
UPLOAD_WORKERS = 2  # files of one upload read at once; the server's own work keeps the rest


@dataclass(frozen=True)
class UploadRead:
    """One uploaded file: a result for each report it holds, exactly as ``gongkai check --json``
    gives it with the report kept (``report``: canonical JSON; ``findings`` as its reading gave them;
    ``published_on`` / ``signed_on`` where its document states them) — what the corpus keeps of a
    file (corpus.record_source) — or why it could not be read."""

    name: str
    results: tuple[dict[str, Any], ...] = ()
    problem: str | None = None

    @property
    def reports(self) -> list[dict[str, Any]]:
        """The reports, as canonical JSON."""
        return [r["report"] for r in self.results]

    @property
    def findings(self) -> list[list[dict[str, Any]]]:
        """Each report's findings."""
        return [r["findings"] for r in self.results]


def read_upload(name: str, data: bytes) -> UploadRead:
    """Read one file (in a worker, under the limits): every report it holds."""
    suffix = Path(name).suffix[:10]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            loaded = load_reports(str(path))
        except BadInput as exc:
            return UploadRead(name, problem=str(exc).replace(str(path), name))
    # checked from the reading, not from the JSON it gives: the layout rules need the source, and
    # the READ-* warnings exist only there (issue 15 §2)
    # named as the person named the file, not as the worker's temporary copy
    return UploadRead(
        name,
        tuple({**checked_result(item, CheckOptions(keep_reports=True)), "file": name} for item in loaded),
    )


def read_uploads(
    files: list[tuple[str, bytes]], seconds: int | None = None, memory_mb: int | None = None
) -> list[UploadRead]:
    """Read each file in a worker process with the time and memory limits of ``gongkai check``
    (by default those of the settings, ``GONGKAI_DOCUMENT_SECONDS`` and ``GONGKAI_WORKER_MEMORY_MB``);
    a file that fails says why, and the others are read all the same."""
    if not files:
        return []
    limits = settings.current()
    seconds = seconds or limits.document_seconds
    memory_mb = memory_mb or limits.worker_memory_mb
    with LimitedPool(min(UPLOAD_WORKERS, len(files)), seconds, memory_mb) as pool:
        outcomes = list(pool.map(read_upload, files))
    return [
        UploadRead(name, problem=f"{name}: {outcome.reason}")
        if isinstance(outcome, WorkerFailure)
        else outcome
        for (name, _), outcome in zip(files, outcomes, strict=True)
    ]
