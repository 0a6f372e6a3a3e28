"""Start-up of the ``gongkai`` command (issue 16 goal: ``--version`` and the first line of
``gongkai check`` within 0.3 s of start).

Runs each command as a fresh process ``--runs`` times: ``gongkai --version`` timed to its exit,
``gongkai check <a sample text report>`` timed to the first line on its standard output (the
pipe is read as the line comes). Prints the median and the fastest wall time against the goal,
and the median CPU time (user + system) of the whole process, which a busy machine inflates
less than wall time. A first run, not timed, leaves the bytecode of every module it imports,
as an installed command has it. Figures only: no assertion.

    .venv/bin/python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "2024-示例市科学技术局.txt"
GOAL_SECONDS = 0.3


def gongkai_command() -> list[str]:
    """The installed ``gongkai`` script beside this Python, else ``python -m gongkai.cli``."""
    script = Path(sys.executable).parent / "gongkai"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gongkai.cli"]


# Python compiles a module once and keeps the bytecode beside it, as an installed command has it:
# a PYTHONDONTWRITEBYTECODE of the caller's (CI's) would time the compiling in every run.
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def one_run(args: list[str]) -> tuple[float, float, float]:
    """Seconds to the first line of standard output, seconds to exit, and CPU seconds used."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENVIRONMENT
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    first_line = time.perf_counter() - start
    process.stdout.read()  # drain the pipe, or a long output would block the process before its exit
    _, status, usage = os.wait4(process.pid, 0)
    exited = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # so that Popen does not wait again
    process.stdout.close()
    if not first:
        raise SystemExit(f"{' '.join(args)}: no output (exit status {process.returncode})")
    return first_line, exited, usage.ru_utime + usage.ru_stime


def report(name: str, seconds: list[float], cpu: list[float]) -> None:
    """One line: median and fastest wall time against the goal, median CPU time."""
    median = statistics.median(seconds)
    verdict = "within" if median <= GOAL_SECONDS else "over"
    print(
        f"{name:<34} median {median:.3f} s  min {min(seconds):.3f} s  "
        f"CPU {statistics.median(cpu):.3f} s  ({verdict} the {GOAL_SECONDS} s goal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command")
    runs = parser.parse_args().runs
    command = gongkai_command()
    print(f"{' '.join(command)}, {runs} runs each, load average {os.getloadavg()[0]:.1f}")
    one_run([*command, "check", str(SAMPLE)])  # not timed: writes the bytecode of what check imports
    version = [one_run([*command, "--version"]) for _ in range(runs)]
    report("gongkai --version (to exit)", [exited for _, exited, _ in version], [c for *_, c in version])
    check = [one_run([*command, "check", str(SAMPLE.relative_to(ROOT))]) for _ in range(runs)]
    report("gongkai check (to its first line)", [first for first, _, _ in check], [c for *_, c in check])


if __name__ == "__main__":
    main()
