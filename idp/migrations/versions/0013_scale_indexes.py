"""scale indexes: sign-in logs by time and by person, a unit's accounts, accounts by role
and status, audit events by kind and time, the account sweep's conditions, and trigram
indexes for searches inside names (PostgreSQL)

Revision ID: 0013_scale_indexes
Revises: 0012_operations
Create Date: 2026-12-02 10:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_scale_indexes"
down_revision = "0012_operations"
branch_labels = None
depends_on = None

IDLE = "status = 'active' AND NOT is_security_admin"
SCHEDULED = "disable_on IS NOT NULL"
#: Trigram indexes (index name, table, column), PostgreSQL only.
TRIGRAMS = (
    ("ix_account_name_trgm", "account", "name"),
    ("ix_account_username_trgm", "account", "username"),
    ("ix_unit_name_trgm", "unit", "name"),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_index("ix_hub_session_account_id", table_name="hub_session")
    op.create_index("ix_hub_session_account_time", "hub_session", ["account_id", "created_at"])
    op.create_index("ix_hub_session_created_at", "hub_session", ["created_at"])
    op.drop_index("ix_subsystem_signin_account_id", table_name="subsystem_signin")
    op.create_index(
        "ix_subsystem_signin_account_time", "subsystem_signin", ["account_id", "signed_in_at"]
    )
    op.create_index("ix_subsystem_signin_signed_in_at", "subsystem_signin", ["signed_in_at"])
    op.create_index("ix_account_unit_username", "account", ["unit_id", "username"])
    op.create_index("ix_account_role_status", "account", ["role", "status"])
    op.drop_index("ix_audit_event_action", table_name="audit_event")
    op.create_index("ix_audit_event_action_at", "audit_event", ["action", "at"])
    op.create_index(
        "ix_account_idle",
        "account",
        ["idle_since"],
        postgresql_where=sa.text(IDLE),
        sqlite_where=sa.text(IDLE),
    )
    op.create_index(
        "ix_account_disable_on",
        "account",
        ["disable_on"],
        postgresql_where=sa.text(SCHEDULED),
        sqlite_where=sa.text(SCHEDULED),
    )
    if _postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAMS:
            op.create_index(
                name,
                table,
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )


def downgrade() -> None:
    if _postgresql():
        for name, table, _column in TRIGRAMS:
            op.drop_index(name, table_name=table)
    op.drop_index("ix_account_disable_on", table_name="account")
    op.drop_index("ix_account_idle", table_name="account")
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.drop_index("ix_audit_event_action_at", table_name="audit_event")
    op.drop_index("ix_account_role_status", table_name="account")
    op.drop_index("ix_account_unit_username", table_name="account")
    op.drop_index("ix_subsystem_signin_signed_in_at", table_name="subsystem_signin")
    op.drop_index("ix_subsystem_signin_account_time", table_name="subsystem_signin")
    op.create_index("ix_subsystem_signin_account_id", "subsystem_signin", ["account_id"])
    op.drop_index("ix_hub_session_created_at", table_name="hub_session")
    op.drop_index("ix_hub_session_account_time", table_name="hub_session")
    op.create_index("ix_hub_session_account_id", "hub_session", ["account_id"])
