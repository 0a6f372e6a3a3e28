"""LibreOffice headless, run so that a document can do no harm and no run can outlive its caller.

Used by the reader of DOC, WPS, RTF and ODT files (converted to DOCX) and by the PDF writer
(DOCX converted to PDF). Each run gets its own temporary directory with a throw-away user
profile, so parallel runs never share LibreOffice's lock file or settings; the profile turns off
macros and points every proxy at a closed local port, so a document cannot fetch anything. The
whole process group is killed when the run ends, times out or is interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from gongkai import settings

# A real report converts in 1–3 s, most of it LibreOffice starting up.
TIMEOUT_SECONDS = 60
# Names or paths of the LibreOffice executable; the environment variable, when set, comes first.
ENV_VARIABLE = "GONGKAI_SOFFICE"
EXECUTABLES = ("soffice", "libreoffice")
# Where installers put it when it is not on PATH (the Windows and macOS installers never add it).
KNOWN_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
# How to get LibreOffice, for the messages of the reader and the writer.
INSTALL_HINT = (
    "请安装 LibreOffice：Debian/Ubuntu 上运行 apt install libreoffice-writer-nogui，"
    "Windows 上从 https://zh-cn.libreoffice.org 下载安装 LibreOffice；"
    f"若已安装但不在 PATH 中，可用环境变量 {ENV_VARIABLE} 指明 soffice 的位置"
)

_DEAD_PROXY = "127.0.0.1", 9  # the discard port: nothing listens, a fetch fails at once
_SCRIPTING = "/org.openoffice.Office.Common/Security/Scripting"
_INET = "/org.openoffice.Inet/Settings"


class OfficeTimeout(Exception):
    """LibreOffice did not finish within its time limit (and was killed)."""


class OfficeNotStarted(Exception):
    """LibreOffice's executable could not be started; the message is the system's reason."""


def find_soffice(known_places: Sequence[str] | None = None) -> str | None:
    """The LibreOffice executable to use, or None when none is found.

    ``GONGKAI_SOFFICE`` (a name on PATH or a path) wins; then ``soffice`` and ``libreoffice``
    on PATH; then ``known_places`` (by default :data:`KNOWN_PLACES`, the installers' usual
    places on Windows and macOS).
    """
    if known_places is None:
        known_places = KNOWN_PLACES
    candidates = [settings.current().soffice or "", *EXECUTABLES]
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if found:
            return found
    return next((place for place in known_places if os.path.isfile(place)), None)


@contextmanager
def private_workdir(prefix: str) -> Iterator[Path]:
    """A fresh temporary directory holding a safe profile (``profile/``), removed at the end."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        write_profile(workdir / "profile")
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def soffice_command(soffice: str, workdir: Path, *arguments: str) -> list[str]:
    """The command line of a headless run using the private profile of ``workdir``."""
    return [
        soffice,
        f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nologo",
        "--nodefault",
        *arguments,
    ]


def run_soffice(
    command: list[str], workdir: Path, timeout: float, env: Mapping[str, str] | None = None
) -> None:
    """Run LibreOffice within ``timeout`` seconds; its whole process group dies however this ends.

    ``env`` adds variables to the environment (``FONTCONFIG_FILE``…). Raises
    :class:`OfficeNotStarted` when the executable cannot be started and :class:`OfficeTimeout`
    past the limit; an exception raised meanwhile (the caller's alarm) passes through unchanged.
    """
    # LibreOffice's "system" proxy setting reads these; the profile sets the manual one.
    proxy = "http://{}:{}".format(*_DEAD_PROXY)
    names = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")
    full_env = settings.child_environment(
        {
            **{n: proxy for n in names},
            **{n.upper(): proxy for n in names},
            "no_proxy": "",
            "NO_PROXY": "",
            **(env or {}),
        }
    )
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # its chatter says nothing an officer could use
            stderr=subprocess.DEVNULL,
            cwd=workdir,
            env=full_env,
            # soffice is a launcher that starts soffice.bin: a session of its own lets one
            # signal reach both (a Windows process group for taskkill /T).
            start_new_session=os.name != "nt",
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as exc:
        raise OfficeNotStarted(f"{command[0]}：{exc.strerror or exc}") from None
    try:
        _wait(process, timeout)
    except subprocess.TimeoutExpired:
        raise OfficeTimeout(f"LibreOffice ran past {timeout} s") from None
    finally:
        # Also after a normal exit: a helper left behind would hold the profile and outlive us.
        _kill_tree(process)


def _wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait for the launcher to exit, leaving it unreaped (POSIX) so that its pid, the group's
    id, cannot be reused by another process before :func:`_kill_tree` signals the group."""
    if os.name == "nt" or not hasattr(os, "waitid"):
        process.wait(timeout=seconds)
        return
    deadline = time.monotonic() + seconds
    delay = 0.005
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    with suppress(ChildProcessError):  # already reaped elsewhere: nothing to wait for
        while os.waitid(os.P_PID, process.pid, flags) is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(process.args, seconds)
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill the launcher and everything it started, then reap the launcher."""
    if os.name == "nt":
        if process.poll() is None:
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
    else:
        # The group id is the launcher's pid (start_new_session), still held by the unreaped
        # launcher, so the signal reaches only what this run started.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def write_profile(profile: Path) -> None:
    """A fresh user profile whose settings keep a document from running code or reaching out."""
    user = profile / "user"
    user.mkdir(parents=True)
    host, port = _DEAD_PROXY
    items = [
        (_SCRIPTING, "MacroSecurityLevel", "3"),  # 3: very high, no macro runs
        (_SCRIPTING, "DisableMacrosExecution", "true"),
        (_SCRIPTING, "BlockUntrustedRefererLinks", "true"),  # no linked images fetched
        (_INET, "ooInetProxyType", "2"),  # 2: manual, to the dead proxy below
        (_INET, "ooInetHTTPProxyName", host),
        (_INET, "ooInetHTTPProxyPort", str(port)),
        (_INET, "ooInetHTTPSProxyName", host),
        (_INET, "ooInetHTTPSProxyPort", str(port)),
        (_INET, "ooInetFTPProxyName", host),
        (_INET, "ooInetFTPProxyPort", str(port)),
        (_INET, "ooInetNoProxy", ""),
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        *(
            f'<item oor:path="{path}"><prop oor:name="{prop}" oor:op="fuse">'
            f"<value>{value}</value></prop></item>"
            for path, prop, value in items
        ),
        "</oor:items>",
    ]
    (user / "registrymodifications.xcu").write_text("\n".join(lines) + "\n", encoding="utf-8")
