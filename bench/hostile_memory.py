"""Peak memory and time of every command that reads a document, on hostile files (issue 14 §7).

Builds the small hostile files of tests/support/hostile.py (nested spans, a million
paragraphs, spans that multiply a table, a DOCX or OFD part of millions of elements, a PDF
page of millions of characters, deep JSON) in a temporary folder, then runs each command that
reads a document (parse, check, render, draft) on each file, and check or parse on inputs that
never end (/dev/zero, standard input from it, a FIFO nobody writes to), as a child process and prints its peak resident memory (the child's own rusage, from
``os.wait4``, its worker processes included) and its seconds. Figures only: no assertion.

    .venv/bin/python bench/hostile_memory.py [--timeout 120] [--only html-span-grid]

The commands are those of the ``gongkai`` next to this Python (the installed code, or the
code ``PYTHONPATH`` points to); a run over ``--timeout`` seconds is killed and said so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.hostile import HOSTILE  # noqa: E402  (tests/ is put on the path just above)


def gongkai_command() -> list[str]:
    """The ``gongkai`` command of this Python's environment."""
    script = Path(sys.executable).with_name("gongkai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gongkai.cli"]


def run(argv: list[str], timeout: float) -> tuple[float, float, int | None, str]:
    """Run ``argv``: its peak memory in MB, seconds, exit code (None when killed) and last line."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        killed = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout and not killed:
                os.killpg(child.pid, signal.SIGKILL)  # the child's own session: it and its workers
                killed = True
            time.sleep(0.05)
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        lines = output.read().decode("utf-8", "replace").strip().splitlines()
    # ru_maxrss is in kilobytes on Linux.
    return usage.ru_maxrss / 1024, seconds, None if killed else child.returncode, lines[-1] if lines else ""


def build(folder: Path, names: list[str]) -> dict[str, Path]:
    """Write the hostile files into ``folder``, in a child process: a child forked from a parent
    that has grown reports the parent's size as its own peak, so this process stays small."""
    code = (
        "import sys; from pathlib import Path; from support.hostile import HOSTILE\n"
        "for name in sys.argv[2:]:\n"
        "    build, suffix = HOSTILE[name]\n"
        "    Path(sys.argv[1], f'{name}.{suffix}').write_bytes(build())\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tests"), os.environ.get("PYTHONPATH")])),
    }
    subprocess.run([sys.executable, "-c", code, str(folder), *names], check=True, env=env)
    return {name: folder / f"{name}.{HOSTILE[name][1]}" for name in names}


def commands(command: list[str], path: str, folder: Path, timeout: float) -> list[tuple[str, list[str]]]:
    """Every command that reads a document, on ``path``."""
    # check's own time limit is raised so that the figure is the reader's, not the limit's.
    return [
        ("parse", [*command, "parse", path]),
        ("check", [*command, "check", "--timeout", str(int(timeout)), path]),
        ("render", [*command, "render", path, "--to", "html", "-o", str(folder / "out.html")]),
        ("draft", [*command, "draft", "--from", path, "--year", "2025", "-o", str(folder / "draft.json")]),
    ]


def _report(name: str, size: str, verb: str, outcome: tuple, path: str, width: int) -> None:
    peak, seconds, code, last = outcome
    shown = "kill" if code is None else str(code)
    last = (last.replace(path, Path(path).name) if path else last)[:width]
    print(f"{name:<18} {size:>9} {verb:<6} {peak:>8.0f} {seconds:>8.1f} {shown:>5}  {last}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run before it is killed")
    parser.add_argument("--only", action="append", choices=sorted(HOSTILE), help="just these files")
    parser.add_argument("--width", type=int, default=70, help="characters of each run's last line shown")
    args = parser.parse_args()
    command = gongkai_command()
    folder = Path(tempfile.mkdtemp(prefix="gongkai-hostile-"))
    try:
        print(f"{'file':<18} {'size':>9} {'command':<6} {'peak MB':>8} {'seconds':>8} {'exit':>5}  last line")
        for name, path in build(folder, args.only or list(HOSTILE)).items():
            size = f"{path.stat().st_size / 1024:.0f} KB"
            for verb, argv in commands(command, str(path), folder, args.timeout):
                _report(name, size, verb, run(argv, args.timeout), str(path), args.width)
        # inputs that never end: read to the size limit, or stopped by the time limit
        fifo = folder / "fifo.txt"
        os.mkfifo(fifo)
        endless = {
            "/dev/zero": [*command, "check", "/dev/zero"],
            "stdin /dev/zero": ["sh", "-c", f"{command[-1]} check - < /dev/zero"],
            "FIFO, no writer": [*command, "parse", str(fifo)],
        }
        for name, argv in endless.items():
            _report(
                name,
                "endless",
                argv[1] if argv[0] != "sh" else "check",
                run(argv, args.timeout),
                "",
                args.width,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
