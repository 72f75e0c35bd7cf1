"""Console sign-ins kept in the store, accounts whose ids are never reused, one rating per turn.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite hands a deleted row's id to the next insert unless the table is AUTOINCREMENT: a
        # re-created account must never get the id of the removed one (PostgreSQL's serial never
        # reuses one).
        with op.batch_alter_table(
            "accounts", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            batch.alter_column("name", existing_type=sa.String(200))
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),  # what the account page shows
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the cookie's token
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    op.create_index("console_sessions_by_account", "console_sessions", ["account_id"])
    op.create_index("console_sessions_by_expiry", "console_sessions", ["expires"])
    # One rating per turn: keep each turn's newest, then let the index hold it.
    op.execute(
        "DELETE FROM feedback WHERE id NOT IN (SELECT max_id FROM "
        "(SELECT MAX(id) AS max_id FROM feedback GROUP BY turn_id) AS newest)"
    )
    op.create_index("feedback_one_per_turn", "feedback", ["turn_id"], unique=True)


def downgrade() -> None:
    op.drop_index("feedback_one_per_turn", "feedback")
    op.drop_index("console_sessions_by_expiry", "console_sessions")
    op.drop_index("console_sessions_by_account", "console_sessions")
    op.drop_table("console_sessions")
