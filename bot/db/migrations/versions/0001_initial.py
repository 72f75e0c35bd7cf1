"""The store's first schema: conversations, feedback, Slack event ids, ingest jobs, login attempts,
and the staff console's accounts, audit log and taught questions.

A data folder from before the SQLAlchemy store already has ``sessions``, ``turns`` and ``feedback``
in ``conversations.sqlite3`` with these very columns: existing tables and indexes are kept as they
are, only what is missing is created.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def _index(name: str, table: str, columns: list[str], unique: bool = False) -> None:
    existing = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes(table)}
    if name not in existing:
        op.create_index(name, table, columns, unique=unique)


def _table(name: str, *columns: sa.Column) -> None:
    if not _has_table(name):
        op.create_table(name, *columns)


def upgrade() -> None:
    _table(
        "sessions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_key", sa.Text, unique=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    _index("sessions_by_updated", "sessions", ["updated"])
    _table(
        "turns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(40), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("cited_ids", sa.Text, nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("context", sa.Text, nullable=False, server_default="{}"),
    )
    _index("turns_by_session", "turns", ["session_id", "id"])
    _index("turns_by_status", "turns", ["status", "id"])
    _index("turns_by_created", "turns", ["created"])
    _table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.Integer, sa.ForeignKey("turns.id"), nullable=False),
        sa.Column("session_id", sa.String(40), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("cited_ids", sa.Text, nullable=False),
        sa.Column("user", sa.Text),
        sa.Column("channel", sa.String(16), nullable=False),
    )
    _index("feedback_by_rating", "feedback", ["rating", "id"])
    _index("feedback_by_created", "feedback", ["created"])
    _index("feedback_by_turn", "feedback", ["turn_id"])
    _table(
        "slack_events",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
    )
    _index("slack_events_by_time", "slack_events", ["at"])
    _table(
        "ingest_jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("finished", sa.Float),
        sa.Column("progress", sa.Text, nullable=False),
        sa.Column("report", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("owner", sa.Text, nullable=False, server_default=""),
    )
    _index("ingest_jobs_by_status", "ingest_jobs", ["status"])
    _table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    _index("login_attempts_by_key", "login_attempts", ["key", "at"])
    _table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(32), nullable=False, server_default="staff"),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    _table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    _index("audit_log_by_time", "audit_log", ["at"])
    _table(
        "taught_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("record_ids", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    for table in (
        "taught_questions",
        "audit_log",
        "accounts",
        "login_attempts",
        "ingest_jobs",
        "slack_events",
        "feedback",
        "turns",
        "sessions",
    ):
        op.drop_table(table)
