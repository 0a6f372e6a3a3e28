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
from datetime import date
from enum import StrEnum

from gongkai.casework.law import FEE_SCHEDULES, FeeBand, FeeSchedule, fee_schedule_for

# Where no day is given (the scales as such, the property tests): the scales in force now.
LATEST = FEE_SCHEDULES.latest


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


def request_rate(n: int, schedule: FeeSchedule = LATEST) -> int:
    """The fee in 元 for an applicant's ``n``-th request in a calendar month (按件计收).

    >>> [request_rate(n) for n in (10, 11, 30, 31, 40, 41, 51)]
    [0, 100, 100, 200, 200, 300, 400]
    """
    if n < 1:
        raise ValueError("申请的序号从 1 开始")
    top = schedule.per_request_bands[-1]
    if n < top.first:
        return _band_rate(schedule.per_request_bands, n)
    return top.yuan + (n - top.first) // schedule.per_request_step_count * schedule.per_request_step_yuan


def per_request_fee(requests_in_month: int, *, already: int = 0, schedule: FeeSchedule = LATEST) -> int:
    """The fee for ``requests_in_month`` requests after ``already`` earlier ones in the same month."""
    if requests_in_month < 0 or already < 0:
        raise ValueError("申请件数不能为负数")
    return sum(request_rate(already + k, schedule) for k in range(1, requests_in_month + 1))


def page_rate(page: int, schedule: FeeSchedule = LATEST) -> int:
    """The fee in 元 for the ``page``-th page of one request (按量计收).

    >>> [page_rate(p) for p in (30, 31, 100, 101, 200, 201)]
    [0, 10, 10, 20, 20, 40]
    """
    if page < 1:
        raise ValueError("页码从 1 开始")
    return _band_rate(schedule.per_page_bands, page)


def _pages_by_band(pages: int, schedule: FeeSchedule) -> list[tuple[int, int]]:
    """(pages, 元 per page) for each band the ``pages`` of a request reach into."""
    bands = schedule.per_page_bands
    ends = [band.first - 1 for band in bands[1:]] + [pages]
    return [
        (min(pages, end) - band.first + 1, band.yuan)
        for band, end in zip(bands, ends, strict=True)
        if pages >= band.first
    ]


def per_page_fee(pages: int, schedule: FeeSchedule = LATEST) -> int:
    """The fee for a request of ``pages`` pages, computed band by band."""
    if pages < 0:
        raise ValueError("页数不能为负数")
    return sum(count * yuan for count, yuan in _pages_by_band(pages, schedule))


@dataclass(frozen=True)
class FeeQuote:
    """An amount and how it was reached, for the fee notice (收费通知)."""

    method: FeeMethod
    quantity: int  # the request's place in the applicant's month, or its pages
    yuan: int
    basis: str  # the article
    working: str  # the computation, in Chinese

    @classmethod
    def per_request(cls, nth_in_month: int, on: date) -> FeeQuote:
        """The fee for the applicant's ``nth_in_month`` request of the calendar month, noticed ``on``."""
        schedule = fee_schedule_for(on)
        yuan = request_rate(nth_in_month, schedule)
        return cls(
            FeeMethod.PER_REQUEST,
            nth_in_month,
            yuan,
            schedule.per_request_article,
            f"申请人本月第 {nth_in_month} 件申请，按件计收 {yuan} 元",
        )

    @classmethod
    def per_page(cls, pages: int, on: date) -> FeeQuote:
        """The fee for a request of ``pages`` pages, noticed ``on``."""
        schedule = fee_schedule_for(on)
        yuan = per_page_fee(pages, schedule)
        parts = [f"{count} 页 × {rate} 元" for count, rate in _pages_by_band(pages, schedule) if rate]
        free = schedule.per_page_bands[1].first - 1
        working = " + ".join(parts) + f" = {yuan} 元" if parts else f"{pages} 页，{free} 页以内免费"
        return cls(FeeMethod.PER_PAGE, pages, yuan, schedule.per_page_article, working)
