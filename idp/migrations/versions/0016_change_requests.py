"""change requests: 資料異動申請, the steps of their approval chains, their scans

Revision ID: 0016_change_requests
Revises: 0015_privacy_requests
Create Date: 2026-12-02 19:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0016_change_requests"
down_revision = "0015_privacy_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "account",
                "profile",
                "duty",
                "identity",
                "other",
                name="changerequestkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "unit_admin",
                "health_bureau",
                "authority",
                name="changetier",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                name="changerequeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("closed_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_change_request_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_change_request_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request")),
    )
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_request_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index("ix_change_request_tier", ["tier", "unit_id"], unique=False)

    op.create_table(
        "change_request_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["change_request.id"],
            name=op.f("fk_change_request_attachment_request_id_change_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request_attachment")),
    )
    with op.batch_alter_table("change_request_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_request_attachment_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "change_request_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "unit_admin",
                "health_bureau",
                "authority",
                name="changetier",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "allowed",
                "refused",
                "skipped",
                name="changestepoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["change_request.id"],
            name=op.f("fk_change_request_decision_request_id_change_request"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["account.id"],
            name=op.f("fk_change_request_decision_reviewer_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request_decision")),
    )
    with op.batch_alter_table("change_request_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_request_decision_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("change_request_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_request_decision_request_id"))

    op.drop_table("change_request_decision")
    with op.batch_alter_table("change_request_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_request_attachment_request_id"))

    op.drop_table("change_request_attachment")
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.drop_index("ix_change_request_tier")
        batch_op.drop_index(batch_op.f("ix_change_request_account_id"))

    op.drop_table("change_request")
