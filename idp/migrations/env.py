"""Alembic environment: runs against the engine handed over by ``idp.migrate``."""

from __future__ import annotations

from typing import Any

from alembic import context

from idp.models import Base
from idp.models.base import POSTGRESQL_ONLY

engine = context.config.attributes["engine"]


def include_object(
    item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    """Items that exist on PostgreSQL alone (trigram indexes) are not missing elsewhere."""
    info = getattr(compare_to if reflected else item, "info", None) or {}
    return engine.dialect.name == "postgresql" or not info.get(POSTGRESQL_ONLY)


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    context.run_migrations()
