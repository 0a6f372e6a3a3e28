"""Zip archives of reports as people send them: members named in UTF-8 (marked so), or in GBK
without saying so, as an archive made on a Chinese Windows names them."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path


class _GbkInfo(zipfile.ZipInfo):
    """A member whose name is stored in GBK, unmarked (zipfile itself writes UTF-8, marked)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_zip(path: Path, members: Mapping[str, bytes], *, gbk_names: bool = False) -> Path:
    """Write ``members`` (name → content) into the archive ``path``, deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = (_GbkInfo if gbk_names else zipfile.ZipInfo)(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path
