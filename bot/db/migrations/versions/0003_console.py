"""The staff console: feedback marked handled, and unanswered questions marked out of scope.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("handled_at", sa.Float))
        batch.add_column(sa.Column("handled_by", sa.String(200)))
    op.create_table(
        "question_marks",
        sa.Column("key", sa.String(500), primary_key=True),  # the question's normalised text
        sa.Column("status", sa.String(16), nullable=False),  # out_of_scope
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("question_marks")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
