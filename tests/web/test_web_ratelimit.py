"""The portal's rate limits across worker processes: two apps (as two workers of ``gongkai serve``)
share one count in Redis and keep their own in memory; an unreachable Redis lets citizens through.

Redis is ``GONGKAI_TEST_REDIS_URL``, else ``redis://127.0.0.1:6379/15``; without it these tests skip.
Each test counts under a client address of its own and deletes only that address's keys."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gongkai.web.app import create_app
from gongkai.web.public import NAMESPACE
from gongkai.web.settings import WebSettings

REDIS_URL = os.environ.get("GONGKAI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LOOKUPS = 3  # per 10 minutes, small to keep the tests short


@pytest.fixture
def address() -> str:
    """A client address no other test (or earlier run) counts under."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_url(address: str) -> Iterator[str]:
    """The test Redis, with this test's keys deleted before and after."""
    import redis

    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        server.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} (set GONGKAI_TEST_REDIS_URL): {exc}")

    def forget() -> list[bytes]:
        keys = list(server.scan_iter(match=f"*{NAMESPACE}/*/{address}*"))  # with its "-other"
        if keys:
            server.delete(*keys)
        return keys

    forget()
    try:
        yield REDIS_URL
    finally:
        forget()
        server.close()


def two_apps(tmp_path: Path, storage: str) -> tuple[FastAPI, FastAPI]:
    """Two apps on the same settings and database, as two worker processes would build them."""
    settings = WebSettings(
        f"sqlite:///{tmp_path / 'gongkai.db'}",
        tmp_path,
        "test-secret-key-" + "x" * 32,
        lookups_per_10_minutes=LOOKUPS,
        rate_limit_storage=storage,
    )
    return create_app(settings), create_app(settings)


def look_up(app: FastAPI, address: str):
    client = TestClient(app, client=(address, 50000), raise_server_exceptions=False)
    return client.get("/public/track?code=nonexistent")


def test_apps_sharing_redis_share_one_count(tmp_path: Path, redis_url: str, address: str) -> None:
    first, second = two_apps(tmp_path, redis_url)
    for turn in range(LOOKUPS):  # taking turns, as a load balancer would
        response = look_up(first if turn % 2 == 0 else second, address)
        assert response.status_code == 200 and "没有这个查询码" in response.text
    refused = look_up(second, address)
    assert refused.status_code == 429 and "查询过于频繁，请稍后再试" in refused.text
    assert look_up(first, address).status_code == 429
    assert look_up(second, f"{address}-other").status_code == 200  # another address counts alone

    import redis

    keys = redis.Redis.from_url(redis_url).keys(f"*/{address}/*")
    assert keys and all(f":{NAMESPACE}/lookups/".encode() in key for key in keys)


def test_apps_in_memory_count_separately(tmp_path: Path, address: str) -> None:
    first, second = two_apps(tmp_path, "memory://")
    for _ in range(LOOKUPS):
        assert look_up(first, address).status_code == 200
    assert look_up(first, address).status_code == 429
    for _ in range(LOOKUPS):  # what one worker refuses, the next still allows
        assert look_up(second, address).status_code == 200
    assert look_up(second, address).status_code == 429


def test_an_unreachable_redis_lets_requests_through_with_one_warning(
    tmp_path: Path, address: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = two_apps(tmp_path, "redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="gongkai.web.public"):
        for _ in range(LOOKUPS + 2):
            response = look_up(app, address)
            assert response.status_code == 200 and "没有这个查询码" in response.text
    warnings = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(warnings) == 1
