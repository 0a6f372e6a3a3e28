"""Work for the worker pool's tests (gongkai.workers): module-level, so a spawned worker can import it."""

from __future__ import annotations

import os
import signal
import time


def echo(value: object) -> object:
    """The value, back from the worker."""
    return value


def die() -> None:
    """End the worker as the kernel ends a process out of memory."""
    os.kill(os.getpid(), signal.SIGKILL)


def stuck(seconds: float) -> None:
    """Hang where the worker's own alarm cannot reach (as native code can): only the pool stops it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(seconds)


def allocate(megabytes: int) -> int:
    """Hold ``megabytes`` of memory, touched, and say how much."""
    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"x" * len(range(0, len(block), 4096))
    return len(block) // (1024 * 1024)


def fail() -> None:
    """A defect: an exception no reader means."""
    raise KeyError("no such cell")


def act(what: str) -> str:
    """Die when told to, else say what was asked: one function for a chunk of mixed items."""
    if what == "die":
        die()
    return what
