"""A report's own dates (issue 17 §5): the publication date its page states (meta tag, 「发布时间」
line) and the date it was signed (落款、成文日期), read from whole documents of several forms, and
kept only when a report of its year can bear them."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from conftest import clean_report_2021
from support.htmlwriter import write_docx, write_html
from support.textwriter import write_tab_text

from gongkai.batch import CheckOptions, check_file_reports
from gongkai.model.reading import Paragraph
from gongkai.readers import read_bytes
from gongkai.readers.dates import report_dates

AGENCY = "示例市科学技术局"


def report(year: int = 2024, agency: str = AGENCY):
    return clean_report_2021().model_copy(update={"agency": agency, "year": year})


def signed_text(signature: list[str], year: int = 2024) -> str:
    return write_tab_text(report(year)).rstrip("\n") + "\n\n" + "\n".join(signature) + "\n"


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        (["示例市科学技术局", "2025年1月20日"], date(2025, 1, 20)),
        (["示例市科学技术局  2025年1月20日"], date(2025, 1, 20)),
        (["示例市科学技术局", "二〇二五年一月二十日"], date(2025, 1, 20)),
        (["示例市科学技术局", "2025年2月3日", "", "- 5 -"], date(2025, 2, 3)),  # a page number below
        (["示例市科学技术局", "2023年1月20日"], None),  # before the year ended: not this report's date
        (["示例市科学技术局", "2025年2月30日"], None),  # no such day
        ([], None),
    ],
)
def test_the_signature_date_of_a_text_report(signature: list[str], expected: date | None) -> None:
    reading = read_bytes(signed_text(signature).encode("utf-8"), "报告.txt")
    assert reading.signed_on == expected
    assert reading.published_on is None  # a text does not know when it was published
    assert reading.report.agency == AGENCY  # the signature is not taken for a title or a section


def test_a_date_in_the_last_section_is_not_a_signature() -> None:
    text = write_tab_text(report()).replace(
        "本年度未发出收费通知，未收取信息处理费。", "本年度未发出收费通知。\n\n2025年1月5日"
    )
    paragraphs = [Paragraph(line, number) for number, line in enumerate(text.splitlines(), start=1) if line]
    heading = next(p.line for p in paragraphs if p.text.startswith("## 六"))
    assert report_dates(paragraphs, 2024, None, heading).signed == date(2025, 1, 5)
    last_line = paragraphs[-1].line
    assert report_dates(paragraphs, 2024, None, last_line).signed is None  # nothing after the heading


def test_a_portal_page_gives_its_publication_date() -> None:
    page = write_html(report())
    meta = page.replace(
        "<meta charset='utf-8'>", '<meta charset=\'utf-8\'><meta name="PubDate" content="2025-01-26 16:52">'
    )
    assert read_bytes(meta.encode("utf-8"), "page.html").published_on == date(2025, 1, 26)
    # no tag: the page's own line under the title
    line = page.replace(
        "年度报告</h1>", "年度报告</h1><p>发布时间：2025年02月10日 来源：示例市科学技术局</p>"
    )
    reading = read_bytes(line.encode("utf-8"), "page.html")
    assert reading.published_on == date(2025, 2, 10)
    # 成文日期 is when it was signed, not published
    signed = page.replace("年度报告</h1>", "年度报告</h1><p>成文日期：2025-01-18</p>")
    reading = read_bytes(signed.encode("utf-8"), "page.html")
    assert (reading.published_on, reading.signed_on) == (None, date(2025, 1, 18))
    # a tag with a date no report of 2024 bears (the page was built in 2019) is not taken
    old = page.replace(
        "<meta charset='utf-8'>", "<meta charset='utf-8'><meta name='pubdate' content='2019-03-01'>"
    )
    assert read_bytes(old.encode("utf-8"), "page.html").published_on is None


def test_a_word_file_signature() -> None:
    document = docx.Document(io.BytesIO(write_docx(report())))
    assert read_bytes(write_docx(report()), "报告.docx").signed_on is None  # the writer signs nothing
    document.add_paragraph("示例市科学技术局")
    document.add_paragraph("2025年3月2日")
    signed = io.BytesIO()
    document.save(signed)
    reading = read_bytes(signed.getvalue(), "报告.docx")
    assert (reading.signed_on, reading.published_on) == (date(2025, 3, 2), None)


def test_check_takes_the_page_date_for_the_deadline(tmp_path) -> None:
    page = write_html(report()).replace(
        "<meta charset='utf-8'>", "<meta charset='utf-8'><meta name='PubDate' content='2025-02-05'>"
    )
    (tmp_path / "late.html").write_text(page, encoding="utf-8")
    (result,) = check_file_reports(str(tmp_path / "late.html"), CheckOptions())
    assert result["published_on"] == "2025-02-05" and "signed_on" not in result
    late = [f for f in result["findings"] if f["rule"] == "SEC-DEADLINE"]
    assert len(late) == 1 and "逾期5天" in late[0]["message"]
    # a date given for the run wins over the page's
    (result,) = check_file_reports(str(tmp_path / "late.html"), CheckOptions(published=date(2025, 1, 30)))
    assert not [f for f in result["findings"] if f["rule"] == "SEC-DEADLINE"]
