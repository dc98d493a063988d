"""subsystem account bindings and switch-in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:24:21.851203
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subsystem_signin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subsystem_account_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("signed_in_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_subsystem_signin_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["subsystem_account_id"],
            ["subsystem_account.id"],
            name=op.f("fk_subsystem_signin_subsystem_account_id_subsystem_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsystem_signin")),
    )
    with op.batch_alter_table("subsystem_signin", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subsystem_signin_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_subsystem_signin_client_time", ["client_id", "signed_in_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subsystem_signin_subsystem_account_id"),
            ["subsystem_account_id"],
            unique=False,
        )

    # Existing bindings get their random public id before the column becomes required.
    with op.batch_alter_table("binding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=40), nullable=True))
    binding = sa.table(
        "binding", sa.column("id", sa.Integer()), sa.column("public_id", sa.String())
    )
    connection = op.get_bind()
    for (binding_id,) in connection.execute(sa.select(binding.c.id)).all():
        connection.execute(
            binding.update()
            .where(binding.c.id == binding_id)
            .values(public_id="bnd_" + secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("binding", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_binding_public_id"), ["public_id"])

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "initiate_login_uri", sa.String(length=500), server_default="", nullable=False
            )
        )

    with op.batch_alter_table("oauth_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subsystem_account_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_oauth_grant_subsystem_account_id"),
            ["subsystem_account_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_oauth_grant_subsystem_account_id_subsystem_account"),
            "subsystem_account",
            ["subsystem_account_id"],
            ["id"],
        )

    with op.batch_alter_table("subsystem_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "legacy_password_hash", sa.String(length=255), server_default="", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("subsystem_account", schema=None) as batch_op:
        batch_op.drop_column("legacy_password_hash")

    with op.batch_alter_table("oauth_grant", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_oauth_grant_subsystem_account_id_subsystem_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_oauth_grant_subsystem_account_id"))
        batch_op.drop_column("subsystem_account_id")

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("initiate_login_uri")

    with op.batch_alter_table("binding", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_binding_public_id"), type_="unique")
        batch_op.drop_column("public_id")

    with op.batch_alter_table("subsystem_signin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsystem_signin_subsystem_account_id"))
        batch_op.drop_index("ix_subsystem_signin_client_time")
        batch_op.drop_index(batch_op.f("ix_subsystem_signin_account_id"))

    op.drop_table("subsystem_signin")
