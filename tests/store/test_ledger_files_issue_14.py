"""台账 files that cannot be read (issue 14 §16), on SQLite and PostgreSQL: a CSV field over Python's
csv field limit (131,072 characters) and an XLSX with a DTD were server errors; each is now one
clear Chinese line naming the file (and the row), and nothing is stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from gongkai.store.db import transaction
from gongkai.store.ledger import import_ledger
from gongkai.store.records import Refused, add_organ, find_organ
from gongkai.store.tables import Document, Publication

HEADER = "标题,公开目录,发布日期,发布渠道,初审,复审,终审,保密审查"


def _nothing_stored(store) -> None:
    with transaction(store) as s:
        assert s.scalar(select(func.count()).select_from(Publication)) == 0
        assert s.scalar(select(func.count()).select_from(Document)) == 0


@pytest.fixture
def organ(store):
    with transaction(store) as s:
        add_organ(s, "kj", "某某区科学技术局", actor="t")
    return store


def test_a_csv_ledger_with_a_huge_field_is_refused_naming_the_row_issue_14(organ, tmp_path: Path) -> None:
    path = tmp_path / "公开台账.csv"
    rows = [HEADER, "通知一,政策文件及解读,2025-03-01,门户网站,甲,乙,丙,丁", f"{'长' * 140_000},规划计划"]
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(Refused) as caught, transaction(organ) as s:
        import_ledger(s, find_organ(s, "kj"), path, "publications", actor="t")
    message = str(caught.value)
    assert message.startswith(f"{path} 第 3 行：有一格超过 131,072 个字符") and "\n" not in message
    _nothing_stored(organ)


def _xlsx_with_dtd(path: Path) -> Path:
    book = Workbook()
    book.active.append(["文件名称", "文号", "类别", "印发日期"])
    book.active.append(["某某管理办法", "某科规〔2025〕1号", "行政规范性文件", "2025-03-01"])
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
                    f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
                    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
                )
                data = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode() + data
                data = data.replace("某某管理办法".encode(), b"&i;")
            target.writestr(name, data)
    return path


def test_an_excel_ledger_with_a_dtd_is_refused_naming_the_file_issue_14(organ, tmp_path: Path) -> None:
    path = _xlsx_with_dtd(tmp_path / "规范性文件台账.xlsx")
    with pytest.raises(Refused) as caught, transaction(organ) as s:
        import_ledger(s, find_organ(s, "kj"), path, "documents", actor="t")
    message = str(caught.value)
    assert (
        message.startswith(f"{path}：Excel 文件的「xl/worksheets/sheet1.xml」含有 DTD")
        and "\n" not in message
    )
    _nothing_stored(organ)


def test_an_excel_ledger_with_an_endless_tag_is_refused_in_seconds_issue_14(organ, tmp_path: Path) -> None:
    # The fuzzer's XLSX (tests/data/fuzz): 48 MB of spaces in one closing tag took openpyxl's expat
    # minutes; here in the styles, which openpyxl parses with expat on the ledger path too.
    book = Workbook()
    book.active.append(["文件名称", "文号", "类别", "印发日期"])
    book.active.append(["某某管理办法", "某科规〔2025〕1号", "行政规范性文件", "2025-03-01"])
    plain = io.BytesIO()
    book.save(plain)
    path = tmp_path / "规范性文件台账.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/styles.xml":
                data = data.replace(b"</styleSheet>", b"</styleSheet" + b" " * (3 * 1024 * 1024) + b">")
            target.writestr(name, data)
    with pytest.raises(Refused) as caught, transaction(organ) as s:
        import_ledger(s, find_organ(s, "kj"), path, "documents", actor="t")
    assert str(caught.value).startswith(f"{path}：Excel 文件的「xl/styles.xml」有一段超过 1 MB 的标记或文字")
    _nothing_stored(organ)
