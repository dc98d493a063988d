"""security policy, password history and resets, mail outbox, profile fields

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:05:32.581186
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("sent_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_message_pending", ["sent_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "policy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_version")),
        sa.UniqueConstraint("version", name=op.f("uq_policy_version_version")),
    )
    op.create_table(
        "email_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_email_change_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_change")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_change_token_hash")),
    )
    with op.batch_alter_table("email_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_change_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_password_history_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
    )
    with op.batch_alter_table("password_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_history_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_password_reset_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_reset_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("title", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("email_backup", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("phone_backup", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("mobile", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("is_security_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("is_security_admin")
        batch_op.drop_column("mobile")
        batch_op.drop_column("phone_backup")
        batch_op.drop_column("email_backup")
        batch_op.drop_column("title")
        batch_op.drop_column("must_change_password")

    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_account_id"))

    op.drop_table("password_reset")
    with op.batch_alter_table("password_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_history_account_id"))

    op.drop_table("password_history")
    with op.batch_alter_table("email_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_change_account_id"))

    op.drop_table("email_change")
    op.drop_table("policy_version")
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_message_pending")

    op.drop_table("mail_message")
