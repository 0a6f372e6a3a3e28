"""Reading uploaded reports away from the web process: each file is read in a worker process with
the readers' limits (time and memory), so a hostile upload costs a worker, never the server."""

from __future__ import annotations

import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai.batch import DOCUMENT_SECONDS, WORKER_MEMORY_MB, BadInput, _worker_init, load_reports, time_limit
from gongkai.model.report import report_to_json

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_FILES = 50


@dataclass(frozen=True)
class UploadRead:
    """One uploaded file: the reports it holds (canonical JSON), or why it could not be read."""

    name: str
    reports: tuple[dict[str, Any], ...] = ()
    problem: str | None = None


def _read_one(name: str, data: bytes) -> UploadRead:
    """Read one file (in a worker): every report it holds."""
    suffix = Path(name).suffix[:10]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            with time_limit(DOCUMENT_SECONDS):
                loaded = load_reports(str(path))
        except BadInput as exc:
            return UploadRead(name, problem=str(exc).replace(str(path), name))
        except Exception as exc:  # the time limit, or a reader's failure: one line, never a trace
            return UploadRead(name, problem=f"{name}: 无法读取（{type(exc).__name__}）")
    return UploadRead(name, tuple(report_to_json(item.report) for item in loaded))


def read_uploads(files: list[tuple[str, bytes]]) -> list[UploadRead]:
    """Read each file in a worker process with the time and memory limits of ``gongkai check``."""
    results: list[UploadRead] = []
    with ProcessPoolExecutor(max_workers=1, initializer=_worker_init, initargs=(WORKER_MEMORY_MB,)) as pool:
        for name, data in files:
            future = pool.submit(_read_one, name, data)
            try:
                results.append(future.result(timeout=DOCUMENT_SECONDS + 10))
            except FutureTimeout:
                results.append(UploadRead(name, problem=f"{name}: 读取超时"))
            except Exception as exc:  # the worker died (out of memory)
                results.append(UploadRead(name, problem=f"{name}: 无法读取（{type(exc).__name__}）"))
                break
    return results + [
        UploadRead(name, problem=f"{name}: 未读取（前一个文件使读取进程退出）")
        for name, _ in files[len(results) :]
    ]
