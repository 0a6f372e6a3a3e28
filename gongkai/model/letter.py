"""A written notice as an office sends it (issue 13 §4): the plain parts of a government letter in
the GB/T 9704 layout, with nothing about how it is printed.

A :class:`Letter` is what casework fills from a request through the organ's templates, what the
store keeps (as JSON, so that it can be printed again exactly as it went out) and what the writers
print to DOCX and PDF. Dates are printed as GB/T 9704 writes them: the year in full, no leading
zero (「2026年7月5日」).

>>> chinese_date(date(2026, 7, 5))
'2026年7月5日'
>>> chinese_date(None)
'待定'
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

# What a date not yet known prints as: a deadline that reaches a year whose holidays nobody has
# entered yet (issue 13: a Deadline's due may be None).
UNKNOWN_DATE = "待定"


def chinese_date(day: date | None) -> str:
    """``day`` as a government document writes it (「2026年7月5日」), or 「待定」 when unknown."""
    if day is None:
        return UNKNOWN_DATE
    return f"{day.year}年{day.month}月{day.day}日"


class Letter(BaseModel):
    """One written notice: title, 文号, 主送, body, 落款 and 成文日期, with room for the seal.

    ``paragraphs`` are the body's paragraphs in order, each printed with its first line indented
    two characters; ``recipient`` is printed flush left above them with its colon (「张三：」).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(min_length=1, max_length=40)  # the notice kind (gongkai.casework.notices.KINDS)
    title: str = Field(min_length=1, max_length=100)
    number: str = Field("", max_length=100)  # 发文字号, given when the notice is issued
    recipient: str = Field("", max_length=300)  # 主送: the applicant, the third party, the organ
    paragraphs: tuple[str, ...] = ()
    organ: str = Field(min_length=1, max_length=200)  # 发文机关署名
    dated: date | None = None  # 成文日期 (the day it is issued)
    seal: bool = True  # leave room for the seal (印章) above and over the signature and date
    note: str = Field("", max_length=500)  # 附注: contact person and telephone
    copy_to: str = Field("", max_length=300)  # 抄送

    @property
    def dated_text(self) -> str:
        """The 成文日期 as printed."""
        return chinese_date(self.dated)

    def text(self) -> str:
        """The letter as plain text, line by line (for previews, the command line and tests)."""
        lines = [self.title]
        if self.number:
            lines.append(self.number)
        lines.append("")
        if self.recipient:
            lines.append(f"{self.recipient}：")
        lines.extend(self.paragraphs)
        lines += ["", self.organ, self.dated_text]
        if self.note:
            lines.append(f"（{self.note}）")
        if self.copy_to:
            lines.append(f"抄送：{self.copy_to}。")
        return "\n".join(lines)
