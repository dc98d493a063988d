"""portal: announcements, downloads, the audit hash chain

Revision ID: 0008_portal
Revises: 0007
Create Date: 2026-12-02 07:13:31.798418
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.models.base

revision = "0008_portal"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_mark",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_mark")),
    )
    op.create_table(
        "download_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subsystem", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("removed_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_file")),
    )
    with op.batch_alter_table("download_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_download_file_subsystem"), ["subsystem"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_download_file_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("subsystem", sa.String(length=40), nullable=False),
        sa.Column("audience_roles", sa.String(length=40), nullable=False),
        sa.Column("audience_duties", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", idp.models.base.UTCDateTime(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["account.id"], name=op.f("fk_announcement_author_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_announcement_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.create_index("ix_announcement_listing", ["published", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcement_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "download_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["download_file.id"],
            name=op.f("fk_download_version_file_id_download_file"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["account.id"],
            name=op.f("fk_download_version_uploaded_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_version")),
    )
    with op.batch_alter_table("download_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_download_version_file_id"), ["file_id"], unique=False)

    op.create_table(
        "announcement_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", idp.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_attachment_announcement_id_announcement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_attachment")),
    )
    with op.batch_alter_table("announcement_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_announcement_attachment_announcement_id"),
            ["announcement_id"],
            unique=False,
        )

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    with op.batch_alter_table("announcement_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_attachment_announcement_id"))

    op.drop_table("announcement_attachment")
    with op.batch_alter_table("download_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_version_file_id"))

    op.drop_table("download_version")
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_unit_id"))
        batch_op.drop_index("ix_announcement_listing")

    op.drop_table("announcement")
    with op.batch_alter_table("download_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_file_updated_at"))
        batch_op.drop_index(batch_op.f("ix_download_file_subsystem"))

    op.drop_table("download_file")
    op.drop_table("audit_mark")
