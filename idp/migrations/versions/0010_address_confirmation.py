"""address confirmation: when each e-mail address was confirmed by link, and which
address a pending change is for

Revision ID: 0010_address_confirmation
Revises: 0009_second_factors
Create Date: 2026-12-02 10:50:00.000000

Existing primary addresses count as confirmed (they were given on a reviewed application
or by a unit admin, and 忘記密碼 has always mailed them); existing backup addresses do not
(anyone signed in could set one, unannounced): their holders confirm them again on
個人資料 before a reset link goes there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0010_address_confirmation"
down_revision = "0009_second_factors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(
            sa.Column("email_confirmed_at", idp.models.base.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column("email_backup_confirmed_at", idp.models.base.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("email_change") as batch:
        batch.add_column(
            sa.Column("field", sa.String(length=20), nullable=False, server_default="email")
        )
    account = sa.table(
        "account",
        sa.column("email", sa.String()),
        sa.column("updated_at", idp.models.base.UTCDateTime()),
        sa.column("email_confirmed_at", idp.models.base.UTCDateTime()),
    )
    op.execute(
        account.update()
        .where(account.c.email != "")
        .values(email_confirmed_at=account.c.updated_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("email_change") as batch:
        batch.drop_column("field")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("email_backup_confirmed_at")
        batch.drop_column("email_confirmed_at")
