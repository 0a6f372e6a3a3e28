"""Reading documents on a Dask distributed cluster (``gongkai ingest --cluster``, issue 17 §2), for a
corpus too large for one machine. Optional: ``pip install 'gongkai[cluster]'``; ``distributed`` is
imported only when a cluster is asked for.

Only the reading and checking runs on the cluster. The client sends each file's bytes with its
task (the workers need not share a filesystem with it; a file is at most ``MAX_INPUT_BYTES``) and
gets the results back as the tasks finish; keeping them in the store stays with the caller.

On a worker, the documents are read exactly as on one machine (:mod:`gongkai.cluster.worker`). A
Dask worker that dies mid-task has its task run again elsewhere (Dask's own retries); a task that
fails for good is a :class:`Lost` for each of its files.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from gongkai.batch import BadInput, CheckOptions, hand_over_size

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
def connect(address: str) -> Iterator[Cluster]:
    """A :class:`Cluster` on the Dask scheduler at ``address`` (``tcp://host:8786``), closed after
    the block; :class:`ClusterUnavailable` when ``distributed`` is not installed or the scheduler
    does not answer within ``CONNECT_SECONDS``."""
    try:
        from distributed import Client

        from gongkai.cluster.worker import ReadingPools
    except ImportError:
        raise ClusterUnavailable(
            f"--cluster 需要 Dask distributed：请先安装集群组件（{INSTALL_HINT}）"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterUnavailable(
            f"无法连接集群 {address}：{exc}（请确认 dask scheduler 已启动，地址和端口无误）"
        ) from None
    try:
        # every worker (and any that joins later) starts its reading processes once, and stops them
        # when it closes
        client.register_plugin(ReadingPools())
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

        from gongkai.cluster.worker import read_parcel

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
                    read_parcel, [item for _, item in parcel], options, pure=False, retries=TASK_RETRIES
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
