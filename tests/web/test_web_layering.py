"""The web's layering, kept (issue 15): routes parse, call the store, render. Every question a page
asks of the database is a named function of ``gongkai.store``; who may do what is said once, by
the dependencies ``require`` and ``require_in_organ`` of ``gongkai/web/deps.py``.

Read from the source (no import-linter needed): a module of ``gongkai/web`` imports SQLAlchemy
only where the session is made and ended (deps.py), calls no query method on a session, and
raises no 403 of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

WEB = ROOT / "gongkai" / "web"
MODULES = sorted(WEB.rglob("*.py"))
# deps.py opens, commits and closes the request's session: it needs Session and IntegrityError.
SQLALCHEMY_ALLOWED = {"deps.py"}
# What the web may do with a session besides handing it to the store: end its transaction (deps.py
# at the end of each request; a route before a long read of an upload, so that no writer waits for
# it: issue 14 §1).
SESSION_CALLS_ALLOWED = {"commit", "rollback", "close"}
SESSION_NAMES = {"session", "db"}
# deps.py holds the access dependencies and the CSRF check, the web's only 403s.
REFUSALS_ALLOWED = {"deps.py"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(path: Path) -> str:
    return str(path.relative_to(WEB))


def sqlalchemy_imports(tree: ast.Module) -> list[str]:
    """The SQLAlchemy modules the source imports."""
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            imported.append(node.module or "")
    return imported


def session_calls(tree: ast.Module) -> list[str]:
    """Calls of a session's methods (``session.scalars(…)``) but those allowed."""
    return [
        f"line {node.lineno}: {node.func.value.id}.{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in SESSION_NAMES
        and node.func.attr not in SESSION_CALLS_ALLOWED
    ]


def refusals(tree: ast.Module) -> list[str]:
    """Where the source raises a 403 of its own (``HTTPException(403, …)``)."""
    return [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "HTTPException"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == 403
    ]


def test_the_web_modules_are_found() -> None:
    assert {"casework.py", "console.py", "deps.py", "reports.py"} <= {_name(p) for p in MODULES}


def test_the_checks_catch_a_route_written_the_old_way() -> None:
    tree = ast.parse(
        "from sqlalchemy import select\n"
        "import sqlalchemy.orm\n"
        "def route(session, me):\n"
        "    if not me.is_clerk_of(1):\n"
        "        raise HTTPException(403, '只有本机关的经办人可以登记')\n"
        "    session.commit()\n"
        "    request.session.get('user_id')\n"
        "    return session.scalars(select(Organ)).all()\n"
    )
    assert sqlalchemy_imports(tree) == ["sqlalchemy", "sqlalchemy.orm"]
    assert session_calls(tree) == ["line 8: session.scalars()"]
    assert refusals(tree) == ["line 5"]


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_web_module_imports_sqlalchemy(path: Path) -> None:
    if _name(path) not in SQLALCHEMY_ALLOWED:
        imported = sqlalchemy_imports(_tree(path))
        assert not imported, f"{_name(path)} imports {imported}: put the query in gongkai/store"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_web_module_queries_a_session(path: Path) -> None:
    calls = session_calls(_tree(path))
    assert not calls, f"{_name(path)} works the session itself ({calls}): call a gongkai.store function"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_web_module_writes_its_own_403(path: Path) -> None:
    if _name(path) not in REFUSALS_ALLOWED:
        found = refusals(_tree(path))
        assert not found, f"{_name(path)} refuses (403) at {found}: use deps.require or deps.require_in_organ"
