"""second factors: passkeys, authenticator apps, recovery codes, enrolment due date

Revision ID: 0009_second_factors
Revises: 0008_portal
Create Date: 2026-12-02 07:13:12.848239
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0009_second_factors"
down_revision = "0008_portal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authenticator_app",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret_sealed", sa.String(length=200), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_authenticator_app_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authenticator_app")),
        sa.UniqueConstraint("account_id", name=op.f("uq_authenticator_app_account_id")),
    )
    op.create_table(
        "passkey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("synced", sa.Boolean(), nullable=False),
        sa.Column("transports", sa.JSON(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_passkey_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkey_credential_id")),
    )
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passkey_account_id"), ["account_id"], unique=False)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_recovery_code_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_code_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("second_factor_due_at", idp.models.base.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("second_factor_due_at")

    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_account_id"))

    op.drop_table("recovery_code")
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passkey_account_id"))

    op.drop_table("passkey")
    op.drop_table("authenticator_app")
