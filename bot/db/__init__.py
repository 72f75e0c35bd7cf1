"""The store: every piece of state a host keeps (conversations, feedback, Slack event ids, ingest
jobs, login attempts, …) in one SQL database through SQLAlchemy Core.

SQLite in the data folder by default (no setup), PostgreSQL (``NAVIGATOR_DATABASE_URL``) when
several hosts must share the state. ``open_database`` gives the process's one engine per URL with
its schema migrated (Alembic, ``bot/db/migrations``).
"""

from bot.db.engine import Database, open_database

__all__ = ["Database", "open_database"]
