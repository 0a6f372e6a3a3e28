"""信息处理费: the two progressive scales of the 办法, computed exactly in whole 元.

Both methods are progressive over the excess (超额累进): each unit is charged at the rate of the
band it falls in, not the whole quantity at the top rate. An organ picks one method per request.

>>> per_request_fee(35)  # format-and-law.md §10.7: 20 × 100 + 5 × 200
3000
>>> per_page_fee(150)  # 70 × 10 + 50 × 20
1700
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gongkai.casework.law import (
    PER_PAGE_ARTICLE,
    PER_PAGE_BANDS,
    PER_REQUEST_ARTICLE,
    PER_REQUEST_BANDS,
    PER_REQUEST_STEP_COUNT,
    PER_REQUEST_STEP_YUAN,
    FeeBand,
)


class FeeMethod(StrEnum):
    """按件计收 or 按量计收 (办法第三条)."""

    PER_REQUEST = "per_request"
    PER_PAGE = "per_page"

    @property
    def label(self) -> str:
        """The method's name in Chinese."""
        return "按件计收" if self is FeeMethod.PER_REQUEST else "按量计收"


def _band_rate(bands: tuple[FeeBand, ...], n: int) -> int:
    rate = 0
    for band in bands:
        if n >= band.first:
            rate = band.yuan
    return rate


def request_rate(n: int) -> int:
    """The fee in 元 for an applicant's ``n``-th request in a calendar month (按件计收).

    >>> [request_rate(n) for n in (10, 11, 30, 31, 40, 41, 51)]
    [0, 100, 100, 200, 200, 300, 400]
    """
    if n < 1:
        raise ValueError("申请的序号从 1 开始")
    top = PER_REQUEST_BANDS[-1]
    if n < top.first:
        return _band_rate(PER_REQUEST_BANDS, n)
    return top.yuan + (n - top.first) // PER_REQUEST_STEP_COUNT * PER_REQUEST_STEP_YUAN


def per_request_fee(requests_in_month: int, *, already: int = 0) -> int:
    """The fee for ``requests_in_month`` requests after ``already`` earlier ones in the same month."""
    if requests_in_month < 0 or already < 0:
        raise ValueError("申请件数不能为负数")
    return sum(request_rate(already + k) for k in range(1, requests_in_month + 1))


def page_rate(page: int) -> int:
    """The fee in 元 for the ``page``-th page of one request (按量计收).

    >>> [page_rate(p) for p in (30, 31, 100, 101, 200, 201)]
    [0, 10, 10, 20, 20, 40]
    """
    if page < 1:
        raise ValueError("页码从 1 开始")
    return _band_rate(PER_PAGE_BANDS, page)


def _pages_by_band(pages: int) -> list[tuple[int, int]]:
    """(pages, 元 per page) for each band the ``pages`` of a request reach into."""
    ends = [band.first - 1 for band in PER_PAGE_BANDS[1:]] + [pages]
    return [
        (min(pages, end) - band.first + 1, band.yuan)
        for band, end in zip(PER_PAGE_BANDS, ends, strict=True)
        if pages >= band.first
    ]


def per_page_fee(pages: int) -> int:
    """The fee for a request of ``pages`` pages, computed band by band."""
    if pages < 0:
        raise ValueError("页数不能为负数")
    return sum(count * yuan for count, yuan in _pages_by_band(pages))


@dataclass(frozen=True)
class FeeQuote:
    """An amount and how it was reached, for the fee notice (收费通知)."""

    method: FeeMethod
    quantity: int  # the request's place in the applicant's month, or its pages
    yuan: int
    basis: str  # the article
    working: str  # the computation, in Chinese

    @classmethod
    def per_request(cls, nth_in_month: int) -> FeeQuote:
        """The fee for the applicant's ``nth_in_month`` request of the calendar month."""
        yuan = request_rate(nth_in_month)
        return cls(
            FeeMethod.PER_REQUEST,
            nth_in_month,
            yuan,
            PER_REQUEST_ARTICLE,
            f"申请人本月第 {nth_in_month} 件申请，按件计收 {yuan} 元",
        )

    @classmethod
    def per_page(cls, pages: int) -> FeeQuote:
        """The fee for a request of ``pages`` pages."""
        yuan = per_page_fee(pages)
        parts = [f"{count} 页 × {rate} 元" for count, rate in _pages_by_band(pages) if rate]
        working = " + ".join(parts) + f" = {yuan} 元" if parts else f"{pages} 页，30 页以内免费"
        return cls(FeeMethod.PER_PAGE, pages, yuan, PER_PAGE_ARTICLE, working)
