"""operations: signing keys published before they sign; the request id of a sign-out
carried to its back-channel logout calls

Revision ID: 0012_operations
Revises: 0010_address_confirmation
Create Date: 2026-12-02 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0012_operations"
down_revision = "0010_address_confirmation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signing_key") as batch:
        batch.add_column(sa.Column("activates_at", idp.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("logout_delivery") as batch:
        batch.add_column(
            sa.Column("request_id", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("logout_delivery") as batch:
        batch.drop_column("request_id")
    with op.batch_alter_table("signing_key") as batch:
        batch.drop_column("activates_at")
