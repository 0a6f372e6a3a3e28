"""Reading documents under limits: time, memory and size, in worker processes of their own.

Every path that reads a document — ``gongkai check``, ``parse``, ``render``, ``draft``, the
console's uploads, the 台账 import — reads it under the same limits (issues 3 and 14):

- **time**: ``DOCUMENT_SECONDS`` per document (a POSIX alarm in the reading process; the pool
  also stops a worker that does not answer a little after it, whatever it is stuck in);
- **memory**: ``WORKER_MEMORY_MB`` of address space *beyond what the process already uses* when
  the document starts, so that the limit measures the document's work alone, not the size of the
  process that reads it (a server that forked its readers passed its own size on to them);
- **size**: :func:`read_input` reads at most ``MAX_INPUT_BYTES`` plus one byte, so ``/dev/zero``
  or an endless pipe costs 50 MB, not all the memory there is.

:class:`LimitedPool` runs documents in fresh (spawned) processes that share nothing with the
caller. A worker that dies takes only its own document with it: the pool says why (time, memory,
a crash), replaces the worker and goes on with the rest.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, BinaryIO

DOCUMENT_SECONDS = 30  # defaults of the limits: the command line's options can change them
WORKER_MEMORY_MB = 1024
MAX_INPUT_BYTES = 50 * 1024 * 1024  # the largest file any reader accepts (a DOCX or PDF with pictures)
HARD_STOP_GRACE_SECONDS = 15  # past its own alarm, a worker stuck in native code is stopped by the pool
_MIB = 1024 * 1024


class DocumentTimeout(Exception):
    """Reading (and checking) one document took longer than its limit."""


class InputTooLarge(Exception):
    """The input is longer than the readers accept; nothing past the limit was read."""


def _expire(signum: int, frame: object) -> None:
    raise DocumentTimeout


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` in the main thread after ``seconds`` (a POSIX alarm).

    Nested limits keep the outer one; off the main thread (where no alarm can be delivered) the
    block runs unlimited, and a :class:`LimitedPool` is what bounds it.
    """
    if (
        seconds <= 0
        or not hasattr(signal, "SIGALRM")
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGALRM) is _expire
    ):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def address_space() -> int:
    """The bytes of address space this process maps now (Linux; 0 where it cannot be known)."""
    # os.read, not Path.read_text: this is asked once or twice for every document read, and the
    # text layer of open() took four times as long as the reading itself.
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            pages = int(os.read(fd, 256).split()[0])
        finally:
            os.close(fd)
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


@contextmanager
def memory_limit(megabytes: int) -> Iterator[None]:
    """Let the process grow by at most ``megabytes`` while the block runs: past that, allocations
    fail (Python raises MemoryError). The soft RLIMIT_AS is restored afterwards; a nested limit
    never loosens an outer one; a platform that refuses leaves the block unlimited."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ValueError, OSError, AttributeError):
        yield
        return
    wanted = address_space() + megabytes * _MIB
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            wanted = min(wanted, bound)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        with suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def document_limits(seconds: int = DOCUMENT_SECONDS, memory_mb: int = WORKER_MEMORY_MB) -> Iterator[None]:
    """Both limits of one document: :func:`time_limit` and :func:`memory_limit`."""
    with time_limit(seconds), memory_limit(memory_mb):
        yield


def read_input(path: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file (``-``: standard input), reading at most ``limit`` plus one byte.

    A pipe, a FIFO or a device is read like a file, within the limit (and, under
    :func:`time_limit`, within the time: a FIFO nobody writes to ends there). Raises
    :class:`InputTooLarge` past the limit, and ``OSError`` as ``open`` does.
    """
    if path == "-":
        data = _read_at_most(sys.stdin.buffer, limit + 1)
    else:
        with open(path, "rb") as stream:
            data = _read_at_most(stream, limit + 1)
    if len(data) > limit:
        raise InputTooLarge
    return data


def _read_at_most(stream: BinaryIO, size: int) -> bytes:
    """At most ``size`` bytes of ``stream``, allocating no more than the stream holds.

    ``read(size)`` alone allocates all of ``size`` (50 MB) before reading a 20 KB report, which took
    four times as long as the reading: a file is read to the size it says it has first, and on only
    when it holds more than it said (a file still being written, a file of /proc).
    """
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError):  # not a file descriptor (a test's stream)
        return stream.read(size)
    if not stat.S_ISREG(status.st_mode):  # a pipe, a FIFO or a device says no size
        return stream.read(size)
    data = stream.read(min(size, status.st_size + 1))
    if len(data) <= status.st_size or len(data) >= size:
        return data  # the whole file, or all that was asked for
    return data + stream.read(size - len(data))


@dataclass(frozen=True)
class WorkerFailure:
    """Why one item gave no result, ``kind`` being which limit ended it: ``time``, ``memory``
    (a worker that died is counted here: the kernel ends a process out of memory that way), or
    ``defect`` (it failed unexpectedly: a fault of gongkai to report, not of the file)."""

    reason: str
    kind: str

    @property
    def unexpected(self) -> bool:
        """A fault of gongkai, not of the file."""
        return self.kind == "defect"


def _run_chunk(func: Callable[..., Any], chunk: list[tuple], seconds: int, memory_mb: int) -> list[Any]:
    # Runs in the worker: each item under its own limits, measured from the worker's size when it
    # starts; an item that runs out is that item's failure, and the chunk goes on.
    outcomes = []
    for args in chunk:
        try:
            with document_limits(seconds, memory_mb):
                outcomes.append(func(*args))
        except Exception as exc:
            outcomes.append(failure_reason(exc, seconds, memory_mb))
    return outcomes


def _out_of_memory(exc: BaseException) -> bool:
    """Whether an exception means the address-space limit was reached. Besides Python's MemoryError
    (found by the fuzzer): a library loaded lazily near the limit, which the loader cannot map, and
    a C++ library's failed allocation passed up as its own exception (ONNX Runtime's
    「std::bad_alloc」 while recognising a scan). A library loaded through ctypes (pdfium) fails with
    OSError; the exceptions one was raised from count too: OpenCC says 「opencc_clib not found in
    Bazel runfiles」 when its library could not be mapped."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        text = str(found)
        if (
            isinstance(found, MemoryError)
            or (isinstance(found, ImportError | OSError) and "map segment" in text)  # (ctypes: OSError)
            or "std::bad_alloc" in text
        ):
            return True
        found = found.__cause__ or found.__context__
    return False


def failure_reason(exc: BaseException, seconds: int, memory_mb: int) -> WorkerFailure:
    """What a worker's exception means for its item, in plain Chinese."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired

    if isinstance(exc, DocumentTimeout | FutureTimeout):
        return WorkerFailure(f"读取超过{seconds}秒，已停止", "time")
    if _out_of_memory(exc):
        return WorkerFailure(f"读取时内存超过{memory_mb} MB，已停止", "memory")
    if isinstance(exc, ProcessExpired):
        code = exc.exitcode
        how = f"被信号 {-code} 终止" if code is not None and code < 0 else f"退出码 {code}"
        return WorkerFailure(
            f"读取进程意外退出（{how}），可能是文件损坏或所需内存超过{memory_mb} MB", "memory"
        )
    return WorkerFailure(f"内部错误（{type(exc).__name__}: {str(exc)[:200]}），请报告此问题", "defect")


class LimitedPool:
    """Worker processes started fresh (spawned: they inherit nothing of the caller's memory), each
    item run under :func:`document_limits`. One item's failure is that item's :class:`WorkerFailure`;
    the others go on. Use as a context manager."""

    def __init__(
        self,
        workers: int,
        seconds: int = DOCUMENT_SECONDS,
        memory_mb: int = WORKER_MEMORY_MB,
        *,
        tasks_per_worker: int = 100,
        hard_stop_grace: float = HARD_STOP_GRACE_SECONDS,
    ) -> None:
        import multiprocessing

        from pebble import ProcessPool

        self.seconds, self.memory_mb, self._grace = seconds, memory_mb, hard_stop_grace
        # A worker is replaced after some items: whatever a hostile document left in its heap goes.
        self._pool = ProcessPool(
            max_workers=max(1, workers),
            max_tasks=tasks_per_worker,
            context=multiprocessing.get_context("spawn"),
        )

    def __enter__(self) -> LimitedPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (those still running are stopped) and wait for them."""
        self._pool.stop()
        self._pool.join()

    def map(
        self, func: Callable[..., Any], items: Iterable[Sequence[Any]], chunk_size: int = 1
    ) -> Iterator[Any]:
        """``func(*item)`` for each item, in input order: its result or its :class:`WorkerFailure`.

        ``func`` must be importable by a fresh process (a module-level function). Items go to the
        workers ``chunk_size`` at a time (many small documents: the hand-over costs less than the
        reading); when a worker dies in a chunk, its items are read again one by one, so that only
        the one that killed it fails.
        """
        listed = [tuple(item) for item in items]
        chunks = [listed[i : i + chunk_size] for i in range(0, len(listed), max(1, chunk_size))]
        futures = [self._schedule(func, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                yield from future.result()
            except Exception as exc:  # the worker died or hung: the chunk's failure, never the batch's
                if len(chunk) == 1:
                    yield failure_reason(exc, self.seconds, self.memory_mb)
                else:
                    for item in chunk:
                        yield self.run(func, *item)

    def run(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in a worker: its result or its :class:`WorkerFailure`."""
        try:
            return self._schedule(func, [args]).result()[0]
        except Exception as exc:
            return failure_reason(exc, self.seconds, self.memory_mb)

    def _schedule(self, func: Callable[..., Any], chunk: list[tuple]) -> Any:
        return self._pool.schedule(
            _run_chunk,
            args=(func, chunk, self.seconds, self.memory_mb),
            timeout=self.seconds * len(chunk) + self._grace,
        )


def cpu_count() -> int:
    """The cores this process may use."""
    with suppress(AttributeError):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
