"""A throwaway database for a test or a bench: a SQLite file in a folder, or a schema of its own on
a PostgreSQL server, dropped afterwards (tests/conftest.py and bench/catalogue.py share it)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def scratch_database(server_url: str | None, folder: Path, prefix: str) -> Iterator[str]:
    """A fresh, empty database URL: ``folder``'s ``gongkai.db`` when ``server_url`` is None, else a
    schema named ``prefix`` plus a random suffix on that server, dropped when the block ends."""
    if not server_url:
        yield f"sqlite:///{folder / 'gongkai.db'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextlib.contextmanager
def migrated_to(engine, revision: str) -> Iterator[object]:
    """A connection (in a transaction) to ``engine``'s database, migrated to ``revision`` first: a
    migration's test writes rows as an older store held them, then migrates them to ``head``."""
    from alembic import command

    from gongkai.store.db import _alembic_config

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        yield connection
