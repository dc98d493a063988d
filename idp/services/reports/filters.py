"""What the admin lists' filters share: days in Taipei time, date ranges, and codes
shown in words."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select

from ...models.base import TAIPEI
from .. import names
from ..subsystems.catalogues import Catalogues


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, TAIPEI)


def between(query: Select[Any], column: Any, since: date | None, until: date | None) -> Select[Any]:
    if since:
        query = query.where(column >= day_start(since))
    if until:
        query = query.where(column < day_start(until + timedelta(days=1)))
    return query


def named(value: Any) -> str:
    """A status, role or kind in words (``services.names``)."""
    return names.name_of(value)


def subsystem_name(catalogues: Catalogues) -> Any:
    def shown(code: str) -> str:
        return str(names.subsystem(catalogues, code))

    return shown
