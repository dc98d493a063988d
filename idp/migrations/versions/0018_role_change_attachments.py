"""role change attachments: the 單位切結書, 授權使用人員一覽表 and licences sent along

Revision ID: 0018_role_change_attachments
Revises: 0017_review_tiers
Create Date: 2026-12-02 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0018_role_change_attachments"
down_revision = "0017_review_tiers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "role_change_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["role_change.id"],
            name=op.f("fk_role_change_attachment_change_id_role_change"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_change_attachment")),
    )
    with op.batch_alter_table("role_change_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_change_attachment_change_id"), ["change_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("role_change_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_change_attachment_change_id"))
    op.drop_table("role_change_attachment")
