"""password reset requests handled in the background

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:38:39.073635
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reset_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_request")),
    )


def downgrade() -> None:
    op.drop_table("reset_request")
