"""Documents admins upload, and their kept previous copies, in the store.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.Float, nullable=False),
        sa.Column("replaced_at", sa.Float),
    )
    op.create_index("documents_by_name", "documents", ["name", "id"])
    # one current document per name (both PostgreSQL and SQLite have partial indexes)
    op.create_index(
        "documents_current_name",
        "documents",
        ["name"],
        unique=True,
        postgresql_where=sa.text("replaced_at IS NULL"),
        sqlite_where=sa.text("replaced_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("documents")
