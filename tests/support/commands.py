"""The ``gongkai`` command run in-process against a fresh database (the cli's and the store's tests).

``gk`` is a fixture: a test module imports it (``from support.commands import gk, ok``) to use it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gongkai.cli import app

runner = CliRunner()


@pytest.fixture
def gk(database_url: str, tmp_path: Path, monkeypatch):
    """Run ``gongkai …`` against a fresh database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("GONGKAI_DATABASE_URL", database_url)
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GONGKAI_USER", "王五")

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, [str(a) for a in args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


def ok(result: tuple[int, str, str]) -> str:
    code, stdout, stderr = result
    assert code == 0, stderr or stdout
    return stdout
