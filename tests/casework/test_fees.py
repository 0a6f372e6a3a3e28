"""信息处理费 (issue 5): the examples of format-and-law.md §10.7 and the band boundaries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.casework import law
from gongkai.casework.fees import FeeQuote, page_rate, per_page_fee, per_request_fee, request_rate
from gongkai.casework.law import Dated, FeeBand, FeeSchedule
from gongkai.casework.notices import request_working


def test_the_examples_of_the_spec() -> None:
    assert per_request_fee(35) == 20 * 100 + 5 * 200 == 3000
    assert per_page_fee(150) == 70 * 10 + 50 * 20 == 1700


@pytest.mark.parametrize(
    ("requests", "yuan"),
    [(0, 0), (10, 0), (11, 100), (30, 2000), (31, 2200), (40, 4000), (41, 4300), (50, 7000), (51, 7400)],
)
def test_per_request_boundaries(requests: int, yuan: int) -> None:
    assert per_request_fee(requests) == yuan


@pytest.mark.parametrize(
    ("pages", "yuan"),
    [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_per_page_boundaries(pages: int, yuan: int) -> None:
    assert per_page_fee(pages) == yuan


def _per_request_by_the_text(n: int) -> int:
    """第四条 read band by band, independently of the code: 1–10 free; 11–30 at 100; from 31 on, each
    block of ten 100 元 dearer than the one before."""
    fee = 100 * max(0, min(n, 30) - 10)
    block, rate = 31, 200
    while n >= block:
        fee += rate * (min(n, block + 9) - block + 1)
        block, rate = block + 10, rate + 100
    return fee


@given(st.integers(0, 500))
def test_per_request_fees_follow_the_text_band_by_band(n: int) -> None:
    assert per_request_fee(n) == _per_request_by_the_text(n)


@given(st.integers(0, 300), st.integers(0, 300))
def test_a_months_fee_does_not_depend_on_how_it_is_split(earlier: int, more: int) -> None:
    assert per_request_fee(earlier) + per_request_fee(more, already=earlier) == _per_request_by_the_text(
        earlier + more
    )


@given(st.integers(1, 1000))
def test_per_page_fee_is_the_sum_of_page_rates(pages: int) -> None:
    assert per_page_fee(pages) == sum(page_rate(p) for p in range(1, pages + 1))
    assert per_page_fee(pages) - per_page_fee(pages - 1) == page_rate(pages)


@given(st.integers(1, 500))
def test_rates_never_fall(n: int) -> None:
    assert request_rate(n + 1) >= request_rate(n)
    assert page_rate(n + 1) >= page_rate(n)


def test_quotes_show_their_working_and_article() -> None:
    on = date(2026, 3, 10)
    quote = FeeQuote.per_page(150, on)
    assert quote.yuan == 1700
    assert quote.working == "70 页 × 10 元 + 50 页 × 20 元 = 1700 元"
    assert "第五条" in quote.basis
    assert FeeQuote.per_page(12, on).working == "12 页，30 页以内免费"
    assert FeeQuote.per_request(31, on).yuan == 200
    assert "第四条" in FeeQuote.per_request(31, on).basis


def test_a_notice_is_quoted_on_the_scales_of_its_day(monkeypatch) -> None:
    # The law changes: a later 办法 (made up here) takes effect on 2027-01-01; a notice of 2026 keeps
    # the 2021 scales, one of 2027 takes the new ones, in the amount, the working and the notice text.
    revised = FeeSchedule(
        "《某某信息处理费管理办法》",
        per_request_bands=(FeeBand(1, 0), FeeBand(21, 50), FeeBand(41, 100)),
        per_request_step_count=20,
        per_request_step_yuan=50,
        per_page_bands=(FeeBand(1, 0), FeeBand(51, 5), FeeBand(201, 10), FeeBand(501, 20)),
    )
    monkeypatch.setattr(
        law, "FEE_SCHEDULES", Dated(((law.FEES_IN_FORCE, law.FEE_SCHEDULE_2021), (date(2027, 1, 1), revised)))
    )
    before, after = date(2026, 12, 31), date(2027, 1, 1)
    assert (FeeQuote.per_page(150, before).yuan, FeeQuote.per_page(150, after).yuan) == (1700, 500)
    assert FeeQuote.per_page(150, after).working == "100 页 × 5 元 = 500 元"
    assert FeeQuote.per_page(150, after).basis == "《某某信息处理费管理办法》第五条"
    assert (FeeQuote.per_request(31, before).yuan, FeeQuote.per_request(31, after).yuan) == (200, 50)
    assert (
        request_working(35, law.fee_schedule_for(after))
        == "本件为申请人本自然月内第35件申请，适用第21–40件每件50元；合计50元"
    )
    # before the first schedule no notice may go out (the request refuses the step); the quote uses the first
    assert FeeQuote.per_page(150, date(2020, 6, 1)).yuan == 1700


def test_dated_values_need_an_order() -> None:
    with pytest.raises(ValueError):
        Dated(((date(2019, 5, 15), 20), (date(2008, 5, 1), 15)))
    with pytest.raises(ValueError):
        Dated(())


def test_bad_quantities_are_refused() -> None:
    for call in (
        lambda: request_rate(0),
        lambda: page_rate(0),
        lambda: per_page_fee(-1),
        lambda: per_request_fee(-1),
    ):
        with pytest.raises(ValueError):
            call()
