"""Schema migrations with Alembic, run at start-up (``open_database``) or by `navigator db upgrade`.

The migration scripts ship inside the package (``bot/db/migrations``), so an installed navigator
can upgrade its database without the source tree. Several hosts starting at once take turns: on
PostgreSQL an advisory lock held for the upgrade's transaction, on SQLite the ``BEGIN IMMEDIATE``
write transaction (DDL is transactional on both).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bot.db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_UPGRADE_LOCK = 0x6E617669  # "navi": the advisory lock key of schema upgrades


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates '%': a password may contain one
    url = database.engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction; a no-op when it is there already."""
    config = alembic_config(database)
    with database.write() as conn:
        if database.is_postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(database: Database) -> str | None:
    with database.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()
