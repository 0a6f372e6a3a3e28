"""The public 公开目录 and the publication log at scale (issue 14 §11), on SQLite and PostgreSQL:
every page read through an index (migration 0011), deep pages and pages past the end correct, and the
clerk's publication log paged rather than cut at its newest 200 entries."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, insert
from support.web import client_as, site  # noqa: F401 (the fixture)

from gongkai.store.db import open_store, transaction
from gongkai.store.records import add_organ, find_organ
from gongkai.store.register import (
    catalogue_categories,
    catalogue_page,
    publication_log_page,
)
from gongkai.store.tables import Publication

SIGN_OFFS = {"first_review": "甲", "second_review": "乙", "final_review": "丙", "secrecy_review": "丁"}


def _entries(organ_id: int, count: int) -> list[dict]:
    """``count`` entries: entry n is titled 第n条, published on day n // 2 of 2026 (two a day, so
    that the order falls back on the id), of 财政资金 when n is a multiple of 4; every 10th withdrawn."""
    return [
        {
            "organ_id": organ_id,
            "title": f"第{n}条",
            "category": "财政资金" if n % 4 == 0 else "政策文件及解读",
            "published_on": date(2026, 1, 1) + timedelta(days=n // 2),
            "channels": ["门户网站"],
            "withdrawn": n % 10 == 0,
            **SIGN_OFFS,
        }
        for n in range(1, count + 1)
    ]


def _fill(factory, count: int, *, new_organ: bool = True) -> None:
    """``count`` entries (:func:`_entries`) of 科技局 (kj), in one batch; the organ made first when
    ``new_organ``."""
    with transaction(factory) as s:
        if new_organ:
            add_organ(s, "xq", "某某区人民政府", kind="region", actor="t")
            add_organ(s, "kj", "某某区科学技术局", parent="xq", actor="t")
        s.execute(insert(Publication), _entries(find_organ(s, "kj").id, count))


def _titles(page) -> list[int]:
    return [int(entry.title[1:-1]) for entry in page.entries]


def test_deep_pages_and_pages_past_the_end_are_right_issue_14(store) -> None:
    _fill(store, 240)  # 216 shown (every 10th withdrawn): pages of 50, 50, 50, 50, 16
    shown = [n for n in range(240, 0, -1) if n % 10]  # newest first; on a day, the later entry first
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        pages = [catalogue_page(s, organ, n) for n in range(1, 6)]
        assert [p.total for p in pages] == [216] * 5 and {p.pages for p in pages} == {5}
        assert [n for p in pages for n in _titles(p)] == shown  # every entry once, in order
        assert _titles(pages[-1]) == shown[200:] and len(pages[-1].entries) == 16
        assert _titles(catalogue_page(s, organ, 999_999)) == shown[200:]  # past the end: the last page
        assert catalogue_page(s, organ, 999_999).page == 5
        assert _titles(catalogue_page(s, organ, -3)) == shown[:50]
        # one category: its last page, and the total taken from the categories' counts
        categories = catalogue_categories(s, organ)
        assert dict(categories) == {"政策文件及解读": 168, "财政资金": 48}
        money = [n for n in shown if n % 4 == 0]
        last = catalogue_page(s, organ, 2, "财政资金", categories=categories)
        assert (last.page, last.pages, last.total, _titles(last)) == (1, 1, 48, money)
        assert catalogue_page(s, organ, 1, "无此类别", categories=categories).total == 0
        assert catalogue_page(s, organ, 3, categories=categories) == pages[2]
        # the staff's log: withdrawn entries too
        log = publication_log_page(s, organ, 5)
        assert (log.total, log.pages, _titles(log)) == (240, 5, list(range(40, 0, -1)))


def _plans(url: str, calls) -> list[tuple[str, list[str]]]:
    """EXPLAIN QUERY PLAN of each query on publications the store makes in ``calls(session)``."""
    factory = open_store(url)
    engine = factory.kw["bind"]
    caught: list[tuple[str, object]] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM publications" in statement:
            caught.append((statement, parameters))

    with transaction(factory) as s:
        event.listen(engine, "before_cursor_execute", catch)
        calls(s, find_organ(s, "kj"))
        event.remove(engine, "before_cursor_execute", catch)
    with engine.connect() as connection:
        plans = [
            (statement, [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, p)])
            for statement, p in caught
        ]
    engine.dispose()
    return plans


def test_the_catalogue_reads_an_index_not_the_table_issue_14(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    factory = open_store(url)
    _fill(factory, 300)
    factory.kw["bind"].dispose()

    def catalogue(s, organ) -> None:
        catalogue_page(s, organ, 4)
        catalogue_page(s, organ, 2, "财政资金")
        catalogue_categories(s, organ)

    plans = _plans(url, catalogue)
    assert len(plans) == 5  # two counts, two pages, the categories
    for statement, lines in plans:
        assert any("USING COVERING INDEX ix_publications_catalogue" in line for line in lines), (
            statement,
            lines,
        )
        assert not any(line.startswith("SCAN") for line in lines), (statement, lines)
        # the catalogue's order comes from the index; only the page's own rows are sorted again
        assert "GROUP BY" not in " ".join(lines), (statement, lines)
    for statement, lines in _plans(url, lambda s, organ: publication_log_page(s, organ, 3)):
        assert any("USING" in line and "INDEX" in line for line in lines), (statement, lines)
        assert not any(line.startswith("SCAN") for line in lines), (statement, lines)


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "1000001", "9223372036854775808", "99999999999999999999999"]
)
def test_a_page_number_out_of_range_is_a_clear_refusal_not_a_500_issue_14(site, page: str) -> None:  # noqa: F811
    public = TestClient(site, raise_server_exceptions=False)
    assert public.get(f"/public/kj/catalogue?page={page}").status_code == 422
    assert client_as(site, "clerk").get(f"/organs/kj/register?page={page}").status_code == 422


def test_the_clerks_publication_log_is_paged_not_cut_at_200_issue_14(site) -> None:  # noqa: F811
    _fill(site.state.sessions, 260, new_organ=False)
    clerk = client_as(site, "clerk")
    first = clerk.get("/organs/kj/register").text
    titles = lambda html: [int(n) for n in re.findall(r'<th scope="row">第(\d+)条</th>', html)]  # noqa: E731
    assert "主动公开信息（共 260 条）" in first and titles(first) == list(range(260, 210, -1))
    assert 'href="?year=2026&page=2#published" rel="next"' in first
    last = clerk.get("/organs/kj/register?page=6").text
    assert titles(last) == list(range(10, 0, -1)) and "第 6 / 6 页" in last and "下一页" not in last
    assert titles(clerk.get("/organs/kj/register?page=60").text) == titles(last)  # past the end
    # the public catalogue's last page, past the withdrawn entries
    public = TestClient(site).get("/public/kj/catalogue?page=5").text
    assert "第 5 / 5 页，共 234 条" in public and "第1条" in public and "第10条" not in public
