"""信息处理费 (issue 5): the examples of format-and-law.md §10.7 and the band boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.casework.fees import FeeQuote, page_rate, per_page_fee, per_request_fee, request_rate


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
    quote = FeeQuote.per_page(150)
    assert quote.yuan == 1700
    assert quote.working == "70 页 × 10 元 + 50 页 × 20 元 = 1700 元"
    assert "第五条" in quote.basis
    assert FeeQuote.per_page(12).working == "12 页，30 页以内免费"
    assert FeeQuote.per_request(31).yuan == 200
    assert "第四条" in FeeQuote.per_request(31).basis


def test_bad_quantities_are_refused() -> None:
    for call in (
        lambda: request_rate(0),
        lambda: page_rate(0),
        lambda: per_page_fee(-1),
        lambda: per_request_fee(-1),
    ):
        with pytest.raises(ValueError):
            call()
