"""administration: the subsystem registry (contact, a rotated secret's grace period),
所屬部門 of accounts

Revision ID: 0014_administration
Revises: 0013_scale_indexes
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0014_administration"
down_revision = "0013_scale_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("department", sa.String(length=100), server_default="", nullable=False)
        )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "previous_secret_hash", sa.String(length=128), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("previous_secret_until", idp.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("contact", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("previous_secret_until")
        batch_op.drop_column("previous_secret_hash")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("department")
