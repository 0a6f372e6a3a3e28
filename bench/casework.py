"""Casework speed (issue 5): registering requests one by one, and building the year's tables from
100,000 requests. Prints figures; asserts nothing.

    .venv/bin/python bench/casework.py [--requests 100000] [--register 10000] [--postgres URL]

Goals: building the year from 100,000 requests ≤ 1 s on SQLite; registering 10,000 ≤ 10 s.
PostgreSQL is measured too when a server answers (GONGKAI_TEST_DATABASE_URL, else 127.0.0.1:5432),
each run in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

from gongkai.casework.law import APPLICANT_KINDS, OUTCOMES, Channel
from gongkai.casework.requests import make_registration
from gongkai.store.annual import build_year
from gongkai.store.casefiles import register
from gongkai.store.db import open_store, transaction
from gongkai.store.records import add_organ, work_calendar
from gongkai.store.tables import Request

YEAR = 2025


def bulk_requests(organ_id: int, count: int, seed: int = 7) -> list[dict]:
    """``count`` request rows spread over 2024–2025, about 85 % concluded, outcomes at random."""
    rng = random.Random(seed)
    rows = []
    for seq in range(1, count + 1):
        received = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
        concluded = received + timedelta(days=rng.randrange(1, 60)) if rng.random() < 0.85 else None
        rows.append(
            {
                "organ_id": organ_id,
                "number": f"B-{seq:06d}",
                "year": 1,
                "seq": seq,
                "channel": "online",
                "arrived_at": datetime.combine(received, datetime.min.time()),
                "received_on": received,
                "applicant_kind": rng.choice(APPLICANT_KINDS),
                "applicant_name": "申请人",
                "applicant_id": "",
                "applicant_contact": "",
                "subject": "某信息",
                "form_wanted": "",
                "status": "已办结" if concluded else "办理中",
                "outcome": rng.choice(OUTCOMES) if concluded else None,
                "concluded_on": concluded,
                "event_count": 2 if concluded else 1,
            }
        )
    return rows


def registration(n: int):
    """The ``n``-th of a run of registrations, spread over 300 days of 2025."""
    day = date(2025, 1, 2) + timedelta(days=n % 300)
    return make_registration(
        channel=Channel.IN_PERSON,
        arrived=datetime.combine(day, datetime.min.time()),
        confirmed_on=None,
        applicant_kind=APPLICANT_KINDS[n % len(APPLICANT_KINDS)],
        applicant_name=f"申请人{n}",
        subject="某信息",
    )


def measure(url: str, label: str, requests: int, registrations: int) -> None:
    factory = open_store(url)
    with transaction(factory) as s:
        organ = add_organ(s, f"bench-{uuid.uuid4().hex[:8]}", "基准测试局", actor="bench")
        organ_id = organ.id
    rows = bulk_requests(organ_id, requests)
    started = time.perf_counter()
    with transaction(factory) as s:
        for i in range(0, len(rows), 5000):
            s.execute(insert(Request), rows[i : i + 5000])
    loaded = time.perf_counter() - started
    timings = []
    for _ in range(3):
        with transaction(factory) as s:
            organ = s.get(type(organ), organ_id)
            started = time.perf_counter()
            report = build_year(s, organ, YEAR)
            timings.append(time.perf_counter() - started)
    print(
        f"{label:10} build the {YEAR} report from {requests:,} requests: best {min(timings):.3f} s of 3 "
        f"(new {report.requests.new.total:,}, concluded {report.requests.total.total:,}, "
        f"carried over {report.requests.carried_over.total:,}; bulk load {loaded:.1f} s)"
    )

    for one_transaction in (False, True):
        with transaction(factory) as s:
            clerk = add_organ(s, f"bench-{uuid.uuid4().hex[:8]}", "登记测试局", actor="bench")
            calendar = work_calendar(s)
        events = [registration(n) for n in range(registrations)]
        started = time.perf_counter()
        if one_transaction:  # as an import of an old system's records would
            with transaction(factory) as s:
                organ = s.merge(clerk, load=False)
                for event in events:
                    register(s, organ, event, calendar, actor="bench")
        else:  # one transaction per request, as the CLI and the web do
            for event in events:
                with transaction(factory) as s:
                    register(s, s.merge(clerk, load=False), event, calendar, actor="bench")
        elapsed = time.perf_counter() - started
        how = "in one transaction" if one_transaction else "one transaction each"
        print(
            f"{label:10} register {registrations:,} requests, {how}: {elapsed:.2f} s ({registrations / elapsed:,.0f}/s)"
        )
    factory.kw["bind"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--register", type=int, default=10_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "GONGKAI_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{folder}/bench.db", "SQLite", args.requests, args.register)
    schema = f"gk_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(args.postgres, connect_args={"connect_timeout": 3})
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # no server
        print(f"PostgreSQL not measured: {type(exc).__name__} at {args.postgres}")
        return
    separator = "&" if "?" in args.postgres else "?"
    try:
        measure(
            f"{args.postgres}{separator}options=-csearch_path%3D{schema}",
            "PostgreSQL",
            args.requests,
            args.register,
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
