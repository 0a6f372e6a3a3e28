"""The one clock (issue 13 §1): China time whatever the server's zone, a day set by GONGKAI_TODAY,
and the lint rule that keeps every other "today" out of the code."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gongkai import clock

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != clock.TODAY_VARIABLE}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=60
    )


def test_gongkai_today_sets_the_day_of_a_process_and_keeps_the_time_of_day() -> None:
    result = _run(
        "from gongkai import clock; print(clock.today(), clock.now().date(), clock.now().utcoffset())",
        GONGKAI_TODAY="2027-01-04",
    )
    assert result.stdout.split() == ["2027-01-04", "2027-01-04", "8:00:00"]


def test_a_bad_gongkai_today_is_one_clear_message() -> None:
    result = _run("import gongkai.clock", GONGKAI_TODAY="2027-13-01")
    assert result.returncode != 0 and "GONGKAI_TODAY「2027-13-01」不是 YYYY-MM-DD 格式的日期" in result.stderr


def test_the_day_is_chinas_even_on_a_server_kept_in_another_zone() -> None:
    # At 23:30 Beijing time it is still the same day in China, whatever the server's TZ says.
    result = _run(
        "from gongkai import clock; import datetime as d; "
        "print(clock.in_china(d.datetime(2026, 12, 6, 15, 30, tzinfo=d.UTC)).isoformat())",
        TZ="America/Los_Angeles",
    )
    assert result.stdout.strip() == "2026-12-06T23:30:00+08:00"


def test_instants_are_shown_and_dated_in_beijing_time() -> None:
    late_evening = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    assert clock.china_date(late_evening) == date(2026, 12, 6)
    assert clock.china_date(datetime(2026, 12, 6, 16, 30, tzinfo=UTC)) == date(2026, 12, 7)
    assert clock.china_wall_time(late_evening) == datetime(2026, 12, 6, 23, 30)
    # what SQLite hands back carries no offset: it was stored in UTC
    assert clock.in_china(datetime(2026, 12, 6, 15, 30)).hour == 23


def test_a_pinned_day_holds_inside_its_block_only(suite_day: date) -> None:
    with clock.pinned(date(2026, 12, 31)):
        assert clock.today() == date(2026, 12, 31) == clock.now().date()
        assert clock.now_utc().tzinfo == UTC
    assert clock.today() == suite_day


def test_nothing_outside_the_clock_reads_the_system_date(tmp_path: Path) -> None:
    """The lint rule (TID251) finds a stray date.today() or datetime.now()."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed beside this Python (make test installs it)")
    stray = tmp_path / "stray.py"
    stray.write_text(
        "from datetime import date, datetime\n\nA = date.today()\nB = datetime.now()\n", encoding="utf-8"
    )
    config = ROOT / "pyproject.toml"
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "--config", str(config), "--select", "TID251", str(stray)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "datetime.date.today" in result.stdout and "datetime.datetime.now" in result.stdout
