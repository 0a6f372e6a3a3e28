"""Web load (issue 6): simulated users browsing and filing against ``gongkai serve`` on a SQLite file
with the demo data. Prints page times (p50/p95/p99) and errors; asserts nothing.

    .venv/bin/python bench/web.py [--users 100] [--seconds 60]

Goal: with 100 users, p95 page time ≤ 200 ms and no error on SQLite. Each user waits 1–3 s between
pages, as a person does: staff users sign in and browse request registers, requests and the report
workspace; public users browse catalogues, file a request and look it up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx2 as httpx  # the httpx fork Starlette 1.x tests with (the dev extra installs it)

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = str(ROOT / ".venv" / "bin" / "gongkai")
STAFF = ("jingban", "shenhe", "shenqian", "jiandu")
ORGANS = ("demo-kj", "demo-jy", "demo-zj")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Timings:
    """Page times by kind, and errors."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.finished: list[tuple[float, float]] = []  # (when, seconds) of every page

    async def get(self, client: httpx.AsyncClient, kind: str, url: str, **kwargs) -> httpx.Response | None:
        return await self._timed(kind, client.get(url, **kwargs))

    async def post(self, client: httpx.AsyncClient, kind: str, url: str, **kwargs) -> httpx.Response | None:
        return await self._timed(kind, client.post(url, **kwargs))

    async def _timed(self, kind: str, call) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await call
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}")
            return None
        self.times[kind].append(time.perf_counter() - started)
        self.finished.append((time.perf_counter(), self.times[kind][-1]))
        if response.status_code >= 400:
            self.errors.append(f"{kind}: HTTP {response.status_code}")
        return response


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    return match.group(1) if match else ""


async def staff_user(base: str, login: str, until: float, timings: Timings, rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await timings.get(client, "login form", "/login")
        if page is None:
            return
        await timings.post(
            client,
            "sign in",
            "/login",
            data={"login": login, "password": "gongkai-demo-2026", "csrf": _csrf(page.text)},
        )
        while time.monotonic() < until:
            organ = "demo-kj" if login != "jiandu" else rng.choice(ORGANS)
            listing = await timings.get(client, "request register", f"/organs/{organ}/requests?status=all")
            if listing is not None:
                numbers = re.findall(rf"/organs/{organ}/requests/(\d{{4}}-\d{{4}})", listing.text)
                if numbers:
                    await timings.get(
                        client, "request page", f"/organs/{organ}/requests/{rng.choice(numbers)}"
                    )
            if login == "jiandu":
                await timings.get(client, "console", "/console")
            else:
                await timings.get(client, "home", "/")
            await asyncio.sleep(rng.uniform(1, 3))


async def public_user(base: str, until: float, timings: Timings, rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < until:
            organ = rng.choice(ORGANS)
            await timings.get(client, "portal catalogue", f"/public/{organ}")
            form = await timings.get(client, "request form", f"/public/{organ}/apply")
            if form is not None and rng.random() < 0.3:
                data = {
                    "csrf": _csrf(form.text),
                    "applicant_kind": "natural",
                    "applicant_name": "压力测试",
                    "applicant_id": "身份证 110101199001011234",
                    "applicant_contact": "13800000000",
                    "subject": "某某信息",
                }
                filed = await timings.post(client, "file a request", f"/public/{organ}/apply", data=data)
                if filed is not None:
                    code = re.search(r'<strong class="code">([^<]+)</strong>', filed.text)
                    if code:
                        await timings.get(client, "status lookup", f"/public/track?code={code.group(1)}")
            await asyncio.sleep(rng.uniform(1, 3))


async def run(base: str, users: int, seconds: float) -> Timings:
    timings, rng = Timings(), random.Random(7)
    until = time.monotonic() + seconds
    tasks = []
    for n in range(users):
        user_rng = random.Random(rng.random())
        if n % 5 < 3:
            user = public_user(base, until, timings, user_rng)
        else:
            user = staff_user(base, STAFF[n % len(STAFF)], until, timings, user_rng)
        # a task starts now: users arrive over ten seconds, not at one instant (a bare coroutine
        # would wait for the gather below, and every user would arrive together)
        tasks.append(asyncio.create_task(user))
        await asyncio.sleep(0.1)
    await asyncio.gather(*tasks)
    return timings


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1, help="gongkai serve --workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "GONGKAI_HOME": folder,
            "GONGKAI_PORTAL_FILINGS_PER_HOUR": "1000000",
            "GONGKAI_PORTAL_LOOKUPS_PER_10_MINUTES": "1000000",
        }
        subprocess.run([GONGKAI, "demo"], env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(Path(folder) / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen(
            [GONGKAI, "serve", "--port", str(port), "--workers", str(args.workers)], env=env, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            started = time.perf_counter()
            timings = asyncio.run(run(base, args.users, args.seconds))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:  # connections still open: stop it outright
                server.kill()
                server.wait(10)
            errors = (Path(folder) / "server.log").read_text(encoding="utf-8")
            if "Traceback" in errors:
                print(errors[-3000:])
    every = [t for values in timings.times.values() for t in values]
    print(
        f"{args.users} users for {elapsed:.0f} s, {args.workers} server process(es) (uvicorn), SQLite with the demo data"
    )
    print(f"{'page':20} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(timings.times.items()):
        print(
            f"{kind:20} {len(values):7} {1000 * _quantile(values, 50):8.1f} {1000 * _quantile(values, 95):8.1f} {1000 * _quantile(values, 99):8.1f}"
        )
    print(
        f"{'all pages':20} {len(every):7} {1000 * _quantile(every, 50):8.1f} {1000 * _quantile(every, 95):8.1f} {1000 * _quantile(every, 99):8.1f}"
    )
    settled = [t for when, t in timings.finished if when >= started + 15]  # every user arrived and signed in
    if len(settled) > 1:
        print(
            f"{'after the first 15 s':20} {len(settled):7} {1000 * _quantile(settled, 50):8.1f}"
            f" {1000 * _quantile(settled, 95):8.1f} {1000 * _quantile(settled, 99):8.1f}"
        )
    print(
        f"throughput {len(every) / elapsed:.0f} pages/s; errors {len(timings.errors)}"
        + (f": {sorted(set(timings.errors))[:5]}" if timings.errors else "")
    )


if __name__ == "__main__":
    sys.exit(main())
