"""The migrations build exactly the schema the models describe, on SQLite and (when
configured) PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine

from idp.migrate import alembic_config


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        command.check(alembic_config(engine))  # raises when autogenerate finds a difference
    finally:
        engine.dispose()
