"""What runs on a Dask worker of ``gongkai ingest --cluster``: each document read exactly as on one
machine, in :class:`~gongkai.workers.LimitedPool` processes under the same time and memory limits —
never in the Dask worker process itself, whose limits would outlast the document. Imported only on
the cluster path and on the workers (it needs ``distributed``).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import Any

from distributed import WorkerPlugin, get_worker

from gongkai.batch import CheckOptions, checked_in, renamed
from gongkai.workers import LimitedPool


class ReadingPools(WorkerPlugin):
    """A Dask worker's reading processes, one per worker thread and per set of limits, started on
    first use and kept while the worker lives (a process spawned per task would cost more than
    reading a text report), stopped when it closes."""

    name = "gongkai-reading-pools"
    idempotent = True  # a second run's client keeps the pools the first one's started

    def setup(self, worker: Any) -> None:
        """Called by Dask when the plugin is registered on ``worker``, or the worker starts."""
        self.threads = max(1, worker.state.nthreads)
        self.pools: dict[tuple[int, int], LimitedPool] = {}
        self.lock = threading.Lock()
        # Dask's nanny starts its worker as a daemon process (distributed.worker.daemon), which
        # multiprocessing forbids to have children. The reading processes end with the worker
        # (teardown below, and pebble's own exit hook), which is what the flag is for.
        multiprocessing.current_process().daemon = False

    def teardown(self, worker: Any) -> None:
        """Called by Dask when the worker closes: its reading processes are stopped with it."""
        with self.lock:
            for pool in self.pools.values():
                pool.close()
            self.pools.clear()

    def pool(self, options: CheckOptions) -> LimitedPool:
        """The reading processes under ``options``' limits."""
        key = (options.seconds, options.memory_mb)
        with self.lock:
            if key not in self.pools:
                self.pools[key] = LimitedPool(self.threads, options.seconds, options.memory_mb)
            return self.pools[key]


def read_parcel(items: list[tuple[str, bytes]], options: CheckOptions) -> list[list[dict[str, Any]]]:
    """Runs as a Dask task: each file (name, bytes) written to a scratch folder of the worker,
    keeping its suffix (some readers go by it), and read there under the limits; the results name
    the file as the client knows it."""
    pool = get_worker().plugins[ReadingPools.name].pool(options)
    with tempfile.TemporaryDirectory(prefix="gongkai-cluster-") as scratch:
        paths = []
        for n, (name, data) in enumerate(items):
            path = Path(scratch) / f"{n}{PurePosixPath(name).suffix}"
            path.write_bytes(data)
            paths.append(str(path))
        results = checked_in(pool, paths, options, chunk_size=len(paths))
        return [renamed(r, path, name) for r, path, (name, _) in zip(results, paths, items, strict=True)]
