"""Reading documents on a Dask distributed cluster (``gongkai ingest --cluster``, issue 17 §2), for a
corpus too large for one machine. Optional: ``pip install 'gongkai[cluster]'``; ``distributed`` is
imported only when a cluster is asked for.

Only the reading and checking runs on the cluster. The client sends each file's bytes with its
task (the workers need not share a filesystem with it; a file is at most ``MAX_INPUT_BYTES``) and
gets the results back as the tasks finish; keeping them in the store stays with the caller.

On a worker, the documents are read exactly as on one machine: in :class:`~gongkai.workers.LimitedPool`
processes under the same time and memory limits, never in the Dask worker process itself, whose
limits would outlast the document. A Dask worker that dies mid-task has its task run again
elsewhere (Dask's own retries); a task that fails for good is a :class:`Lost` for each of its files.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from gongkai.batch import BadInput, CheckOptions, checked_in, hand_over_size, renamed
from gongkai.workers import LimitedPool, cpu_count

CONNECT_SECONDS = 5  # an address that does not answer within this is said so, not waited on
PARCEL_BYTES = 8 * 1024 * 1024  # a task's files together (fewer when larger; one file may be more)
TASK_RETRIES = 1  # a task that raised is run once more; a worker's death is the scheduler's to retry
INSTALL_HINT = "pip install 'gongkai[cluster]'"


class ClusterUnavailable(Exception):
    """The cluster cannot be used (the extra is not installed, the address does not answer); the
    message says so in one line."""


@dataclass(frozen=True)
class Document:
    """A file to read on the cluster: its ``name`` (a path, or ``archive.zip/member``; its suffix is
    the one the readers go by) and how to get its bytes (:class:`~gongkai.batch.BadInput` when
    it cannot be read)."""

    name: str
    content: Callable[[], bytes]


@dataclass(frozen=True)
class Lost:
    """A file whose task failed for good: nothing was read, so nothing is to be kept."""

    reason: str


@contextmanager
def connect(address: str, seconds: float | None = None) -> Iterator[Cluster]:
    """A :class:`Cluster` on the Dask scheduler at ``address`` (``tcp://host:8786``), closed after
    the block; :class:`ClusterUnavailable` when ``distributed`` is not installed or the scheduler
    does not answer within ``seconds`` (default ``CONNECT_SECONDS``)."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterUnavailable(
            f"--cluster 需要 Dask distributed：请先安装集群组件（{INSTALL_HINT}）"
        ) from None
    try:
        client = Client(address, timeout=seconds or CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterUnavailable(
            f"无法连接集群 {address}：{exc}（请确认 dask scheduler 已启动，地址和端口无误）"
        ) from None
    try:
        yield Cluster(client)
    finally:
        client.close()


class Cluster:
    """A connected Dask client that reads documents on the cluster's workers."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def threads(self) -> int:
        """The threads of all the cluster's workers now (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def check(
        self, documents: Sequence[Document], options: CheckOptions
    ) -> Iterator[tuple[int, list[dict[str, Any]] | Lost]]:
        """Each document's results (as :func:`~gongkai.batch.check_file_reports` gives them), by
        its index in ``documents``, as the tasks finish; a :class:`Lost` for a file whose task
        failed for good.

        Several files to a task, so that small files do not drown in scheduling; a few tasks per
        worker thread in flight, so that the client holds the bytes of those alone."""
        from distributed import as_completed

        threads = self.threads()
        parcels = _parcels(documents, hand_over_size(len(documents), threads))
        pending: dict[Any, list[int]] = {}
        finished = as_completed(loop=self.client.loop)

        def submit_next() -> Iterator[tuple[int, list[dict[str, Any]]]]:
            """Send the next parcel; the files the client could not even read are answered now."""
            for parcel, unread in parcels:
                yield from unread
                if parcel:
                    break
            else:
                return
            with warnings.catch_warnings():  # a large file is the task's point, not a mistake
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
                future = self.client.submit(
                    _read_parcel, [item for _, item in parcel], options, pure=False, retries=TASK_RETRIES
                )
            pending[future] = [n for n, _ in parcel]
            finished.add(future)

        for _ in range(2 * threads + 1):
            yield from submit_next()
        for future in finished:
            indexes = pending.pop(future)
            try:
                outcomes = future.result()
            except Exception as exc:  # the task failed for good (KilledWorker, no gongkai there …)
                lost = Lost(_lost_reason(exc))
                for n in indexes:
                    yield n, lost
            else:
                yield from zip(indexes, outcomes, strict=True)
            future.release()
            yield from submit_next()


Parcel = list[tuple[int, tuple[str, bytes]]]  # (index, (name, bytes)) of the files of one task
Unread = list[tuple[int, list[dict[str, Any]]]]  # (index, results) of files the client could not read


def _parcels(documents: Sequence[Document], files_per_task: int) -> Iterator[tuple[Parcel, Unread]]:
    """The documents with their bytes, ``files_per_task`` to a task or fewer past ``PARCEL_BYTES``
    together; with each, the results of those that could not be read here (nothing to send)."""
    parcel: Parcel = []
    unread: Unread = []
    size = 0
    for n, document in enumerate(documents):
        try:
            data = document.content()
        except BadInput as exc:
            unread.append((n, [{"file": document.name, "error": str(exc)}]))
            continue
        parcel.append((n, (document.name, data)))
        size += len(data)
        if len(parcel) >= files_per_task or size >= PARCEL_BYTES:
            yield parcel, unread
            parcel, unread, size = [], [], 0
    if parcel or unread:
        yield parcel, unread


def _lost_reason(exc: BaseException) -> str:
    """Why a task failed for good, in plain Chinese."""
    kind = type(exc).__name__
    if kind == "KilledWorker":
        return "集群中读取它的工作进程多次意外退出"
    if isinstance(exc, ImportError):
        return f"集群的工作进程上没有安装 gongkai（{INSTALL_HINT}）"
    if kind in ("CancelledError", "FutureCancelledError"):
        return "与集群的连接中断"
    return f"集群任务失败（{kind}: {str(exc)[:200]}）"


# --- on the worker ---------------------------------------------------------------------------------
_pools: dict[tuple[int, int], LimitedPool] = {}  # this Dask worker's reading processes, by limits
_pools_lock = threading.Lock()


def _reading_pool(options: CheckOptions) -> LimitedPool:
    """The Dask worker's pool of reading processes under ``options``' limits, one per worker
    thread, started on first use and kept while the worker lives (a process spawned per task would
    cost more than reading a text report)."""
    key = (options.seconds, options.memory_mb)
    with _pools_lock:
        if key not in _pools:
            # Dask's nanny starts its worker as a daemon process (distributed.worker.daemon), which
            # multiprocessing forbids to have children. The reading processes are daemons of this
            # worker and end with it, which is what the flag is for.
            multiprocessing.current_process().daemon = False
            _pools[key] = LimitedPool(_worker_threads(), options.seconds, options.memory_mb)
        return _pools[key]


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return cpu_count()


def _read_parcel(items: list[tuple[str, bytes]], options: CheckOptions) -> list[list[dict[str, Any]]]:
    """Runs as a Dask task: each file written to a scratch folder of the worker (keeping its
    suffix) and read there under the limits; the results name the file as the client knows it."""
    pool = _reading_pool(options)
    with tempfile.TemporaryDirectory(prefix="gongkai-cluster-") as scratch:
        paths = []
        for n, (name, data) in enumerate(items):
            path = Path(scratch) / f"{n}{PurePosixPath(name).suffix}"
            path.write_bytes(data)
            paths.append(str(path))
        results = checked_in(pool, paths, options, chunk_size=len(paths))
        return [renamed(r, path, name) for r, path, (name, _) in zip(results, paths, items, strict=True)]
