"""The scale indexes: the migration adds them and takes them away again, on SQLite and
(when configured) PostgreSQL, where the trigram indexes come too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from idp.migrate import alembic_config

ADDED = {
    "hub_session": {"ix_hub_session_account_time", "ix_hub_session_created_at"},
    "subsystem_signin": {"ix_subsystem_signin_account_time", "ix_subsystem_signin_signed_in_at"},
    "account": {
        "ix_account_unit_username",
        "ix_account_role_status",
        "ix_account_idle",
        "ix_account_disable_on",
    },
    "audit_event": {"ix_audit_event_action_at"},
}
REPLACED = {
    "hub_session": {"ix_hub_session_account_id"},
    "subsystem_signin": {"ix_subsystem_signin_account_id"},
    "audit_event": {"ix_audit_event_action"},
}
TRIGRAMS = {
    "account": {"ix_account_name_trgm", "ix_account_username_trgm"},
    "unit": {"ix_unit_name_trgm"},
}


def _indexes(engine: object) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {
        table: {i["name"] for i in inspector.get_indexes(table) if i["name"]}
        for table in ("hub_session", "subsystem_signin", "account", "unit", "audit_event")
    }


def test_index_migration_upgrades_and_downgrades(database_url: str) -> None:
    engine = create_engine(database_url)
    config = alembic_config(engine)
    postgresql = engine.dialect.name == "postgresql"
    try:
        command.downgrade(config, "0012_operations")
        before = _indexes(engine)
        for table, names in ADDED.items():
            assert not names & before[table]
        for table, names in REPLACED.items():
            assert names <= before[table]
        for table, names in TRIGRAMS.items():
            assert not names & before[table]

        command.upgrade(config, "head")
        after = _indexes(engine)
        for table, names in ADDED.items():
            assert names <= after[table]
        for table, names in REPLACED.items():
            assert not names & after[table]
        for table, names in TRIGRAMS.items():
            assert (names <= after[table]) if postgresql else not names & after[table]
    finally:
        command.upgrade(config, "head")
        engine.dispose()
