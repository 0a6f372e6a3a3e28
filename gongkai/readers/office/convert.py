"""DOC, Kingsoft WPS, RTF and ODT → DOCX bytes, through LibreOffice headless.

No Python library reads Word 97-2003 binaries (or WPS files, which share their format) well
enough for exact tables, so LibreOffice converts the file to DOCX and the DOCX reader does the
rest. The run itself (private profile and directory, no macros or network, time limit, process
group killed) is :mod:`gongkai.office`'s, shared with the PDF writer.
"""

from __future__ import annotations

from gongkai import office
from gongkai.office import ENV_VARIABLE, OfficeNotStarted, OfficeTimeout
from gongkai.readers.document import UnreadableDocument

__all__ = ["ENV_VARIABLE", "KNOWN_PLACES", "TIMEOUT_SECONDS", "find_soffice", "office_to_docx"]

# Read at call time, so that a test (or a caller) can change them here.
TIMEOUT_SECONDS = office.TIMEOUT_SECONDS
KNOWN_PLACES = office.KNOWN_PLACES

# Forced import filters: a damaged file then fails to load instead of being imported as plain
# text, which LibreOffice's own detection falls back to. A WPS 文字 file in the Word-compatible
# format is an OLE compound file that the Word 97 filter reads.
_FORMS = {
    "doc": ("input.doc", "MS Word 97", "DOC/WPS"),
    "rtf": ("input.rtf", "Rich Text Format", "RTF"),
    "odt": ("input.odt", "writer8", "ODT"),
}
_EXPORT = "docx:MS Word 2007 XML"
_INSTALL_HINT = f"{office.INSTALL_HINT}。也可以用 Word 或 WPS 把文件另存为 DOCX 格式后再读取"


def find_soffice() -> str | None:
    """The LibreOffice executable to use, or None (see :func:`gongkai.office.find_soffice`)."""
    return office.find_soffice(KNOWN_PLACES)


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
    with office.private_workdir("gongkai-office-") as workdir:
        source = workdir / input_name
        source.write_bytes(data)
        outdir = workdir / "out"
        command = office.soffice_command(
            soffice,
            workdir,
            f"--infilter={import_filter}",
            "--convert-to",
            _EXPORT,
            "--outdir",
            str(outdir),
            str(source),
        )
        try:
            office.run_soffice(command, workdir, TIMEOUT_SECONDS)
        except OfficeNotStarted as exc:
            raise UnreadableDocument(
                f"无法启动 LibreOffice（{exc}），不能读取 {kind} 文件。{_INSTALL_HINT}"
            ) from None
        except OfficeTimeout:
            raise UnreadableDocument(
                f"LibreOffice 转换这个 {kind} 文件超过 {TIMEOUT_SECONDS} 秒仍未完成，已停止。"
                "文件可能过大或已损坏；请用 Word 或 WPS 把它另存为 DOCX 格式后再读取"
            ) from None
        result = outdir / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise UnreadableDocument(
                f"LibreOffice 无法打开这个 {kind} 文件：文件可能已损坏、不完整、加了密码或并非 {kind} 文档。"
                "请用 Word 或 WPS 打开确认，另存为 DOCX 格式后再读取"
            )
        return result.read_bytes()
