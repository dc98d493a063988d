"""review tiers: who decides a role change (衛生局 or 國健署), from the routing table

Revision ID: 0017_review_tiers
Revises: 0016_change_requests
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_review_tiers"
down_revision = "0016_change_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_change", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "tier",
                sa.Enum(
                    "unit_admin",
                    "health_bureau",
                    "authority",
                    name="reviewtier",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="authority",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("role_change", schema=None) as batch_op:
        batch_op.drop_column("tier")
