"""Alembic's environment: migrations run on the connection `bot.db.migrate.upgrade` hands over
(inside its transaction and lock), or, when run by the alembic command, on the app's own URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.db.engine import make_engine
from ingest.settings import get_settings


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic -c …` by hand: the URL the app would use
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or get_settings().store_url)
    with engine.begin() as conn:
        _run(conn)
