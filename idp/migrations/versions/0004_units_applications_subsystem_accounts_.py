"""units, applications, subsystem accounts, bindings, inbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:37:17.338058
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subsystem_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subsystem", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("unit_admin", "member", name="accountrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("menu_roles", sa.JSON(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_subsystem_account_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsystem_account")),
        sa.UniqueConstraint("subsystem", "username", name=op.f("uq_subsystem_account_subsystem")),
    )
    with op.batch_alter_table("subsystem_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsystem_account_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("unit_admin", "member", name="accountrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "route",
            sa.Enum(
                "unit_admin", "paper", "card", name="reviewroute", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "pending",
                "approved",
                "returned",
                name="applicationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("national_id_hash", sa.String(length=64), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=False),
        sa.Column("consent_accepted_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("decided_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scan", sa.LargeBinary(), nullable=True),
        sa.Column("scan_media_type", sa.String(length=40), nullable=False),
        sa.Column("scan_sha256", sa.String(length=64), nullable=False),
        sa.Column("scan_uploaded_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_application_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["account.id"], name=op.f("fk_application_decided_by_id_account")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_application_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "ix_application_person", ["national_id_hash", "unit_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_application_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subsystem_account_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_binding_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["subsystem_account_id"],
            ["subsystem_account.id"],
            name=op.f("fk_binding_subsystem_account_id_subsystem_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding")),
        sa.UniqueConstraint("subsystem_account_id", name=op.f("uq_binding_subsystem_account_id")),
    )
    with op.batch_alter_table("binding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_binding_account_id"), ["account_id"], unique=False)

    op.create_table(
        "inbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("read_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_inbox_message_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_message")),
    )
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_message_account", ["account_id", "read_at"], unique=False)

    op.create_table(
        "subsystem_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subsystem", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("unit_admin", "member", name="accountrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("menu_roles", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "pending",
                "approved",
                "returned",
                name="applicationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("decided_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("subsystem_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_subsystem_request_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_subsystem_request_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["account.id"],
            name=op.f("fk_subsystem_request_decided_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["subsystem_account_id"],
            ["subsystem_account.id"],
            name=op.f("fk_subsystem_request_subsystem_account_id_subsystem_account"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_subsystem_request_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsystem_request")),
    )
    with op.batch_alter_table("subsystem_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subsystem_request_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_subsystem_request_review", ["subsystem", "status", "unit_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_subsystem_request_unit_id"), ["unit_id"], unique=False)

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit_phone", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "national_id_sealed", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("national_id_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index(
            batch_op.f("ix_account_national_id_hash"), ["national_id_hash"], unique=False
        )

    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "hospital",
                    "clinic",
                    "health_station",
                    "health_bureau",
                    "authority",
                    "vendor",
                    name="unitkind",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="clinic",
            )
        )
        batch_op.add_column(
            sa.Column("county", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("district", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("phone", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("address", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("bureau_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "updated_at",
                idp.models.base.UTCDateTime(),
                nullable=False,
                server_default=sa.func.now(),
            )
        )
        batch_op.create_index(batch_op.f("ix_unit_county"), ["county"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_unit_bureau_id_unit"), "unit", ["bureau_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_unit_bureau_id_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_unit_county"))
        batch_op.drop_column("updated_at")
        batch_op.drop_column("closed_on")
        batch_op.drop_column("bureau_id")
        batch_op.drop_column("address")
        batch_op.drop_column("phone")
        batch_op.drop_column("district")
        batch_op.drop_column("county")
        batch_op.drop_column("kind")

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_national_id_hash"))
        batch_op.drop_column("national_id_hash")
        batch_op.drop_column("national_id_sealed")
        batch_op.drop_column("unit_phone")

    with op.batch_alter_table("subsystem_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsystem_request_unit_id"))
        batch_op.drop_index("ix_subsystem_request_review")
        batch_op.drop_index(batch_op.f("ix_subsystem_request_account_id"))

    op.drop_table("subsystem_request")
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_message_account")

    op.drop_table("inbox_message")
    with op.batch_alter_table("binding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_binding_account_id"))

    op.drop_table("binding")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_unit_id"))
        batch_op.drop_index("ix_application_person")
        batch_op.drop_index(batch_op.f("ix_application_account_id"))

    op.drop_table("application")
    with op.batch_alter_table("subsystem_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsystem_account_unit_id"))

    op.drop_table("subsystem_account")
