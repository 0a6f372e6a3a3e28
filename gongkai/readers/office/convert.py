"""DOC, Kingsoft WPS, RTF and ODT → DOCX bytes, through LibreOffice headless.

No Python library reads Word 97-2003 binaries (or WPS files, which share their format) well
enough for exact tables, so LibreOffice converts the file to DOCX and the DOCX reader does the
rest. Each conversion runs in its own temporary directory with a throw-away user profile, so
parallel conversions never share LibreOffice's lock file or settings; the profile turns off
macros and points every proxy at a closed local port, so a document cannot fetch anything.
The whole process group is killed when the conversion ends, times out or is interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from gongkai.readers.document import UnreadableDocument

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

# Forced import filters: a damaged file then fails to load instead of being imported as plain
# text, which LibreOffice's own detection falls back to. A WPS 文字 file in the Word-compatible
# format is an OLE compound file that the Word 97 filter reads.
_FORMS = {
    "doc": ("input.doc", "MS Word 97", "DOC/WPS"),
    "rtf": ("input.rtf", "Rich Text Format", "RTF"),
    "odt": ("input.odt", "writer8", "ODT"),
}
_EXPORT = "docx:MS Word 2007 XML"
_DEAD_PROXY = "127.0.0.1", 9  # the discard port: nothing listens, a fetch fails at once
_SCRIPTING = "/org.openoffice.Office.Common/Security/Scripting"
_INET = "/org.openoffice.Inet/Settings"

_INSTALL_HINT = (
    "请安装 LibreOffice：Debian/Ubuntu 上运行 apt install libreoffice-writer-nogui，"
    "Windows 上从 https://zh-cn.libreoffice.org 下载安装 LibreOffice；"
    f"若已安装但不在 PATH 中，可用环境变量 {ENV_VARIABLE} 指明 soffice 的位置。"
    "也可以用 Word 或 WPS 把文件另存为 DOCX 格式后再读取"
)


def find_soffice() -> str | None:
    """The LibreOffice executable to use, or None when none is found.

    ``GONGKAI_SOFFICE`` (a name on PATH or a path) wins; then ``soffice`` and ``libreoffice``
    on PATH; then the installers' usual places on Windows and macOS.
    """
    candidates = [os.environ.get(ENV_VARIABLE, "").strip(), *EXECUTABLES]
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if found:
            return found
    return next((place for place in KNOWN_PLACES if os.path.isfile(place)), None)


def office_to_docx(data: bytes, form: str, name: str = "<office>") -> bytes:
    """The DOCX bytes of a DOC/WPS (``form="doc"``), RTF or ODT file, converted by LibreOffice.

    Raises :class:`UnreadableDocument` with one plain-Chinese sentence when LibreOffice is not
    installed, cannot open the file (damaged, truncated, password-protected) or takes longer
    than :data:`TIMEOUT_SECONDS`. ``name`` is not used: the caller names the file in its own
    message, and LibreOffice sees only a fixed name inside the private directory.
    """
    if form not in _FORMS:
        raise ValueError(f"not an office form: {form!r}")
    input_name, import_filter, kind = _FORMS[form]
    soffice = find_soffice()
    if soffice is None:
        raise UnreadableDocument(f"读取 {kind} 文件需要 LibreOffice，但本机没有找到。{_INSTALL_HINT}")
    workdir = Path(tempfile.mkdtemp(prefix="gongkai-office-"))
    try:
        source = workdir / input_name
        source.write_bytes(data)
        profile = workdir / "profile"
        _write_profile(profile)
        outdir = workdir / "out"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"--infilter={import_filter}",
            "--convert-to",
            _EXPORT,
            "--outdir",
            str(outdir),
            str(source),
        ]
        _run(command, kind, workdir)
        result = outdir / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise UnreadableDocument(
                f"LibreOffice 无法打开这个 {kind} 文件：文件可能已损坏、不完整、加了密码或并非 {kind} 文档。"
                "请用 Word 或 WPS 打开确认，另存为 DOCX 格式后再读取"
            )
        return result.read_bytes()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(command: list[str], kind: str, workdir: Path) -> None:
    """Run LibreOffice within the time limit; its whole process group dies however this ends."""
    # LibreOffice's "system" proxy setting reads these; the profile sets the manual one.
    proxy = "http://{}:{}".format(*_DEAD_PROXY)
    names = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")
    env = {**os.environ, **{n: proxy for n in names}, **{n.upper(): proxy for n in names}}
    env.update(no_proxy="", NO_PROXY="")
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # its chatter says nothing an officer could use
            stderr=subprocess.DEVNULL,
            cwd=workdir,
            env=env,
            # soffice is a launcher that starts soffice.bin: a session of its own lets one
            # signal reach both (a Windows process group for taskkill /T).
            start_new_session=os.name != "nt",
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as exc:
        raise UnreadableDocument(
            f"无法启动 LibreOffice（{command[0]}：{exc.strerror or exc}），不能读取 {kind} 文件。{_INSTALL_HINT}"
        ) from None
    try:
        _wait(process, TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise UnreadableDocument(
            f"LibreOffice 转换这个 {kind} 文件超过 {TIMEOUT_SECONDS} 秒仍未完成，已停止。"
            "文件可能过大或已损坏；请用 Word 或 WPS 把它另存为 DOCX 格式后再读取"
        ) from None
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
        # launcher, so the signal reaches only what this conversion started.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _write_profile(profile: Path) -> None:
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
