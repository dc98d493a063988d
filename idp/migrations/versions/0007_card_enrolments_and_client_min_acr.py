"""card enrolments and per-client minimum acr

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:02:52.744490
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("not_after", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_card_enrolment_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_enrolment")),
        sa.UniqueConstraint("person_key", name=op.f("uq_card_enrolment_person_key")),
    )
    with op.batch_alter_table("card_enrolment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_enrolment_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_acr", sa.String(length=64), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("min_acr")

    with op.batch_alter_table("card_enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_enrolment_account_id"))

    op.drop_table("card_enrolment")
