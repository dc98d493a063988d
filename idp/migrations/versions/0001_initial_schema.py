"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:31:20.732642
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_actor_account_id"), ["actor_account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("token_endpoint_auth_method", sa.String(length=32), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.JSON(), nullable=False),
        sa.Column("backchannel_logout_uri", sa.String(length=500), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("first_party", sa.Boolean(), nullable=False),
        sa.Column("id_token_signed_response_alg", sa.String(length=10), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("disabled_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_client_client_id")),
    )
    op.create_table(
        "kv_entry",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kv_entry")),
    )
    with op.batch_alter_table("kv_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kv_entry_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "logout_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("sid", sa.String(length=43), nullable=False),
        sa.Column("jti", sa.String(length=43), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("abandoned_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logout_delivery")),
    )
    with op.batch_alter_table("logout_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_logout_delivery_pending", ["delivered_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("alg", sa.String(length=10), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("retired_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("expires_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
        sa.UniqueConstraint("kid", name=op.f("uq_signing_key_kid")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("password_changed_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum("unit_admin", "member", name="accountrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "active",
                "returned",
                "disabled",
                "dormant",
                name="accountstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_signin_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_account_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("subject", name=op.f("uq_account_subject")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    op.create_table(
        "hub_session",
        sa.Column("sid", sa.String(length=43), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("store_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("ended_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=50), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("acr", sa.String(length=100), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_hub_session_account_id_account")
        ),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_hub_session")),
    )
    with op.batch_alter_table("hub_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_session_account_id"), ["account_id"], unique=False)

    op.create_table(
        "oauth_grant",
        sa.Column("id", sa.String(length=43), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=43), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("acr", sa.String(length=100), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_oauth_grant_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_grant")),
    )
    with op.batch_alter_table("oauth_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_grant_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_grant_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_grant_sid"), ["sid"], unique=False)

    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=43), nullable=False),
        sa.Column("issued_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["oauth_grant.id"], name=op.f("fk_refresh_token_grant_id_oauth_grant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index("ix_refresh_token_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_token_grant_id"), ["grant_id"], unique=False)

    op.create_table(
        "session_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=43), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sid"], ["hub_session.sid"], name=op.f("fk_session_client_sid_hub_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_client")),
        sa.UniqueConstraint("sid", "client_id", name=op.f("uq_session_client_sid")),
    )
    with op.batch_alter_table("session_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_client_sid"), ["sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("session_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_client_sid"))

    op.drop_table("session_client")
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_grant_id"))
        batch_op.drop_index("ix_refresh_token_expires_at")

    op.drop_table("refresh_token")
    with op.batch_alter_table("oauth_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_grant_sid"))
        batch_op.drop_index(batch_op.f("ix_oauth_grant_client_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_grant_account_id"))

    op.drop_table("oauth_grant")
    with op.batch_alter_table("hub_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_session_account_id"))

    op.drop_table("hub_session")
    op.drop_table("account")
    op.drop_table("unit")
    op.drop_table("signing_key")
    with op.batch_alter_table("logout_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_logout_delivery_pending")

    op.drop_table("logout_delivery")
    with op.batch_alter_table("kv_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kv_entry_expires_at"))

    op.drop_table("kv_entry")
    op.drop_table("client")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_account_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
