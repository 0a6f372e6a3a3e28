"""Alembic environment: migrations run on the connection :func:`gongkai.store.db.upgrade` passes."""

from __future__ import annotations

from alembic import context

from gongkai.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: connect to the URL in the config
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///gongkai.db")
    connection = engine.connect()
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
