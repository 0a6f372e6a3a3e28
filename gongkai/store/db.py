"""Opening the store: the database URL, the engine, migrations brought up to date, sessions.

A SQLite file by default (``$GONGKAI_HOME/gongkai.db``, ``~/.local/share/gongkai`` when unset);
PostgreSQL or any other database SQLAlchemy knows through ``GONGKAI_DATABASE_URL``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from gongkai import settings
from gongkai.model.text import clean_text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The store cannot be opened or used; the message says what to do."""


def home() -> Path:
    """The folder gongkai keeps its own files in (``GONGKAI_HOME``, see :mod:`gongkai.settings`)."""
    return settings.current().data_home


def database_url() -> str:
    """``GONGKAI_DATABASE_URL``, or the SQLite file in :func:`home`."""
    return settings.current().store_url


def _alembic_config() -> Config:
    # Alembic is imported when a database is opened, not with every gongkai command.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")  # a writer waits its turn rather than fail
    cursor.close()


READ_ONLY = {"gongkai_read_only": True}  # execution options of a transaction that only reads


def _sqlite_begin(connection) -> None:
    # BEGIN IMMEDIATE takes the write lock at the start (waiting busy_timeout for it): a read that
    # later wants to write cannot fail with "database is locked" when two clerks work at once. A
    # transaction that only reads (a page being shown) begins deferred and never waits for writers.
    read_only = connection.get_execution_options().get("gongkai_read_only")
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _clean_parameters(_connection, _cursor, statement, parameters, _context, executemany):
    # Issue 14 §9: no statement sends a NUL or another control character, so that a lookup by a
    # typed text (a login, a tracking code) behaves alike on both databases instead of failing on
    # PostgreSQL, whose text cannot hold a NUL. Text to be stored is cleaned before (forms, imports,
    # the flush guard below); this is the last net, for every statement.
    # executemany gives a list of parameter sets, except in insertmanyvalues batches (one set)
    if (
        executemany
        and isinstance(parameters, list)
        and parameters
        and isinstance(parameters[0], dict | tuple)
    ):
        return statement, [_clean_set(p) for p in parameters]
    return statement, _clean_set(parameters)


def _clean_set(parameters):
    if isinstance(parameters, dict):
        return {k: clean_text(v) if isinstance(v, str) else v for k, v in parameters.items()}
    if isinstance(parameters, tuple | list):
        return type(parameters)(clean_text(v) if isinstance(v, str) else v for v in parameters)
    return parameters


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`); a SQLite file's folder is created."""
    url = url or database_url()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # A web server's requests each hold a connection: more than SQLAlchemy's default five, and more
    # than the web app lets work on the database at once (gongkai.web.deps.DB_REQUESTS_AT_ONCE), so
    # that taking a connection never waits.
    pool = {"pool_size": 10, "max_overflow": 30} if ":memory:" not in url else {}
    try:
        engine = create_engine(url, **pool)
    except Exception as exc:  # a malformed URL or a missing driver
        raise StoreError(f"无法使用数据库地址 {url}：{exc}") from exc
    event.listen(engine, "before_cursor_execute", _clean_parameters, retval=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration shipped with this version of gongkai."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the database's tables up to the newest migration."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _clean(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _clean_flushed_text(session: Session, _context, _instances) -> None:
    # The last guard of issue 14 §9: whatever way text came in (a form, an import, a command), no
    # NUL or other control character reaches the database, where PostgreSQL would refuse a NUL and
    # SQLite keep it. Forms and imports clean their text where it enters; this catches the rest.
    for row in (*session.new, *session.dirty):
        state = inspect(row)
        loaded = state.dict  # only what is in memory: an expired column is not loaded for this
        for attr in state.mapper.column_attrs:
            value = loaded.get(attr.key)
            if isinstance(value, str | dict | list) and (cleaned := _clean(value)) != value:
                setattr(row, attr.key, cleaned)


def open_store(url: str | None = None) -> sessionmaker[Session]:
    """A session factory on an up-to-date database."""
    engine = make_engine(url)
    try:
        if current_revision(engine) != head_revision():
            upgrade(engine)
    except StoreError:
        raise
    except Exception as exc:  # the server is down, the file is not a database…
        raise StoreError(f"无法打开数据库 {engine.url.render_as_string(hide_password=True)}：{exc}") from exc
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _clean_flushed_text)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed together, or not at all when anything fails."""
    with factory() as session, session.begin():
        yield session
