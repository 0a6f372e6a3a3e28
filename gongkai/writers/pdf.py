"""The printed report → PDF: the DOCX of :func:`gongkai.writers.docx.write_docx` converted by
LibreOffice headless (the hardened run of :mod:`gongkai.office`), every font embedded.

A government document names fonts that a Linux machine seldom has (方正小标宋简体, 仿宋_GB2312,
黑体, 楷体_GB2312, 宋体). On such a machine LibreOffice asks fontconfig for a substitute, so each
conversion gets a fontconfig file of its own (``FONTCONFIG_FILE``) that keeps the system's
configuration and adds, after each GB name, the free fonts that look most like it: a Song
(Noto Serif CJK SC, AR PL UMing) for 宋体 and 仿宋, a Hei (Noto Sans CJK SC, WenQuanYi) for 黑体,
a Kai (AR PL UKai, LXGW WenKai) for 楷体, and the bold Song for the heavy 方正小标宋. A machine
that has the real fonts uses them: an alias is only tried after the name itself.
``scripts/system-packages`` installs the free fonts (Debian's fonts-noto-cjk, fonts-arphic-ukai).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from gongkai import office, settings
from gongkai.writers import WriterUnavailable
from gongkai.writers.docx import write_docx
from gongkai.writers.printed import PrintedReport

__all__ = ["FONT_SUBSTITUTES", "docx_to_pdf", "fontconfig_file", "write_pdf"]

# GB font names (and their usual other spellings) → free fonts to use in their place, best first.
_SONG = ("SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "Noto Serif CJK")
_FANGSONG = ("FangSong", "仿宋", "FangSong_GB2312", *_SONG)
_HEI = (
    "SimHei",
    "黑体",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
_KAI = ("KaiTi", "楷体", "KaiTi_GB2312", "AR PL UKai CN", "LXGW WenKai", *_SONG)
FONT_SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("方正小标宋_GBK", "FZXiaoBiaoSong-B05S", *_SONG),
    "仿宋_GB2312": _FANGSONG,
    "仿宋": _FANGSONG,
    "FangSong": _FANGSONG,
    "宋体": _SONG,
    "SimSun": _SONG,
    "黑体": _HEI,
    "SimHei": _HEI,
    "楷体_GB2312": _KAI,
    "楷体": _KAI,
    "KaiTi": _KAI,
}
# Names whose substitute is drawn bold: 小标宋 is a heavy Song, the regular Song looks too light.
_HEAVY = ("方正小标宋简体",)

# LibreOffice's PDF export: tagged (reading order and structure for screen readers and text
# extraction), lossless pictures; fonts are embedded as subsets by default.
_EXPORT = "pdf:writer_pdf_Export:" + json.dumps(
    {
        "UseTaggedPDF": {"type": "boolean", "value": "true"},
        "ExportBookmarks": {"type": "boolean", "value": "true"},
        "UseLosslessCompression": {"type": "boolean", "value": "true"},
    },
    separators=(",", ":"),
)
_SYSTEM_FONTCONFIG = "/etc/fonts/fonts.conf"


def fontconfig_file() -> str:
    """A fontconfig configuration: the system's, plus the GB font names' substitutes."""
    system = settings.current().fontconfig_file or _SYSTEM_FONTCONFIG
    rules = []
    for name, substitutes in FONT_SUBSTITUTES.items():
        accept = "".join(f"<family>{escape(s)}</family>" for s in substitutes)
        rules.append(
            f'<alias binding="same"><family>{escape(name)}</family><accept>{accept}</accept></alias>'
        )
    for name in _HEAVY:
        rules.append(
            f'<match target="pattern"><test name="family"><string>{escape(name)}</string></test>'
            '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
        )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>'
        f'<include ignore_missing="yes">{escape(system)}</include>{"".join(rules)}</fontconfig>\n'
    )


def write_pdf(printed: PrintedReport) -> bytes:
    """The report as PDF bytes: its DOCX converted by LibreOffice, CJK fonts embedded.

    Raises :class:`~gongkai.writers.WriterUnavailable` with one Chinese sentence when LibreOffice
    is missing, cannot start, takes longer than :data:`gongkai.office.TIMEOUT_SECONDS` or writes
    nothing.
    """
    return docx_to_pdf(write_docx(printed))


def docx_to_pdf(data: bytes) -> bytes:
    """A DOCX file of gongkai's writers (the report, a written notice) as PDF bytes, converted by
    LibreOffice with the GB fonts' substitutes; :class:`WriterUnavailable` as for :func:`write_pdf`."""
    soffice = office.find_soffice()
    if soffice is None:
        raise WriterUnavailable(
            f"生成 PDF 需要 LibreOffice，但本机没有找到。{office.INSTALL_HINT}；也可以先生成 DOCX，再用 Word 或 WPS 另存为 PDF"
        )
    with office.private_workdir("gongkai-pdf-") as workdir:
        source = workdir / "report.docx"
        source.write_bytes(data)
        outdir = workdir / "out"
        env = {}
        if sys.platform.startswith("linux") or Path(_SYSTEM_FONTCONFIG).is_file():
            fonts = workdir / "fonts.conf"
            fonts.write_text(fontconfig_file(), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(fonts)
        command = office.soffice_command(
            soffice, workdir, "--convert-to", _EXPORT, "--outdir", str(outdir), str(source)
        )
        try:
            office.run_soffice(command, workdir, office.TIMEOUT_SECONDS, env)
        except office.OfficeNotStarted as exc:
            raise WriterUnavailable(
                f"无法启动 LibreOffice（{exc}），不能生成 PDF。{office.INSTALL_HINT}"
            ) from None
        except office.OfficeTimeout:
            raise WriterUnavailable(
                f"LibreOffice 生成 PDF 超过 {office.TIMEOUT_SECONDS} 秒仍未完成，已停止；可先生成 DOCX，再用 Word 或 WPS 另存为 PDF"
            ) from None
        result = outdir / "report.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise WriterUnavailable(
                "LibreOffice 没有生成 PDF 文件；可先生成 DOCX，再用 Word 或 WPS 另存为 PDF"
            )
        return result.read_bytes()
