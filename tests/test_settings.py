"""One settings object (issue 15 §3): every ``GONGKAI_*`` variable read in gongkai/settings.py,
checked once when a command starts, and nothing else in gongkai reads the environment."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gongkai import settings
from gongkai.casework.law import Channel
from gongkai.casework.requests import FeeNoticed, FeePaid, RequestCase, make_registration
from gongkai.casework.workdays import WorkCalendar
from gongkai.cli import app
from gongkai.cli.reports import _limits

PACKAGE = Path(settings.__file__).parent


def test_settings_come_from_their_variables_and_blank_keeps_the_default() -> None:
    loaded = settings.load(
        {
            "GONGKAI_HOME": "/srv/gongkai",
            "GONGKAI_TODAY": " 2027-01-04 ",
            "GONGKAI_DOCUMENT_SECONDS": "45",
            "GONGKAI_SECURE_COOKIES": "yes",
            "GONGKAI_FEE_PERIOD_PAUSES_ANSWER": "0",
            "GONGKAI_RATE_LIMIT_STORAGE": "  ",
            "GONGKAI_USER": "",
        }
    )
    assert (loaded.today, loaded.document_seconds, loaded.secure_cookies) == (date(2027, 1, 4), 45, True)
    assert not loaded.fee_period_pauses_answer
    assert (loaded.rate_limit_storage, loaded.user, loaded.worker_memory_mb) == ("memory://", None, 1024)
    assert loaded.store_url == "sqlite:////srv/gongkai/gongkai.db"
    assert settings.load({"XDG_DATA_HOME": "/data"}).data_home == Path("/data/gongkai")
    url = "postgresql+psycopg://db/gk"
    assert settings.load({"GONGKAI_DATABASE_URL": url}).store_url == url


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GONGKAI_TODAY", "2027-13-01", "环境变量 GONGKAI_TODAY「2027-13-01」不是 YYYY-MM-DD 格式的日期"),
        ("GONGKAI_DOCUMENT_SECONDS", "half", "环境变量 GONGKAI_DOCUMENT_SECONDS「half」应为整数"),
        ("GONGKAI_WORKER_MEMORY_MB", "5", "环境变量 GONGKAI_WORKER_MEMORY_MB「5」应在 128 到 65536 之间"),
        (
            "GONGKAI_SECURE_COOKIES",
            "maybe",
            "环境变量 GONGKAI_SECURE_COOKIES「maybe」应为 1 或 0（true/false）",
        ),
    ],
)
def test_a_bad_variable_stops_a_command_with_one_line_naming_it(variable, value, message) -> None:
    with pytest.raises(settings.SettingsError) as caught:
        settings.load({variable: value})
    assert str(caught.value) == message
    result = CliRunner().invoke(app, ["rules"], env={variable: value})
    assert result.exit_code == 2 and result.stderr.strip() == message


def test_the_limits_of_reading_default_to_the_settings(monkeypatch) -> None:
    assert _limits(None, None) == (30, 1024)
    monkeypatch.setenv("GONGKAI_DOCUMENT_SECONDS", "7")
    monkeypatch.setenv("GONGKAI_WORKER_MEMORY_MB", "512")
    settings.reload()
    assert _limits(None, None) == (7, 512)
    assert _limits(60, None) == (60, 512)  # an option wins over the setting


def test_the_fee_period_pauses_the_answer_unless_the_setting_says_otherwise(monkeypatch) -> None:
    calendar = WorkCalendar()

    def answer_due() -> date:
        registration = make_registration(
            channel=Channel.IN_PERSON,
            arrived=datetime(2026, 3, 2, 9, 0),
            confirmed_on=None,
            applicant_kind="natural",
            applicant_name="张三",
            subject="某路段拓宽工程的立项批复",
        )
        case = RequestCase.replay(calendar, [registration])
        case.apply(
            FeeNoticed(
                on=date(2026, 3, 10),
                received_on=date(2026, 3, 10),
                method="per_request",
                quantity=11,
                yuan=100,
            )
        )
        case.apply(FeePaid(on=date(2026, 3, 12)))
        due = case.answer_due()
        assert due is not None and due.due is not None
        return due.due

    assert answer_due() == calendar.add_working_days(date(2026, 3, 2), 22)  # two days not counted
    monkeypatch.setenv("GONGKAI_FEE_PERIOD_PAUSES_ANSWER", "0")
    settings.reload()
    assert answer_due() == calendar.add_working_days(date(2026, 3, 2), 20)


_ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def _reads_the_environment(tree: ast.AST) -> list[int]:
    """Lines using ``os.environ`` and the like, or importing them from ``os``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr in _ENVIRONMENT) == ("os", True)
        )
        or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {a.name for a in node.names} & _ENVIRONMENT
        )
    ]


def test_nothing_but_the_settings_module_reads_the_environment() -> None:
    found = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "settings.py"
        and (lines := _reads_the_environment(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}, f"read the environment through gongkai.settings: {found}"
    # and the check finds what it looks for
    assert _reads_the_environment(ast.parse("import os\nos.environ.get('X')\nfrom os import getenv")) == [
        3,
        2,
    ]


def test_export_sets_a_variable_for_the_processes_started_after(monkeypatch) -> None:
    monkeypatch.setenv("GONGKAI_DOCUMENT_SECONDS", "30")  # undone after the test, as export's change
    assert settings.export(document_seconds="9").document_seconds == 9
    assert settings.load().document_seconds == 9  # what a spawned worker or a --workers process reads
    assert settings.export(document_seconds=None).document_seconds == 30
    with pytest.raises(ValueError):
        settings.export(no_such_setting="1")
