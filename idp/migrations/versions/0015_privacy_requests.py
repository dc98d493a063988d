"""privacy requests: a person asks to stop processing or to delete (個資法)

Revision ID: 0015_privacy_requests
Revises: 0014_administration
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0015_privacy_requests"
down_revision = "0014_administration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("stop", "delete", name="privacyrequestkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                name="privacyrequeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("decided_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_privacy_request_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["account.id"],
            name=op.f("fk_privacy_request_decided_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_request")),
    )
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_request_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index("ix_privacy_request_status", ["status", "submitted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_request_status")
        batch_op.drop_index(batch_op.f("ix_privacy_request_account_id"))
    op.drop_table("privacy_request")
