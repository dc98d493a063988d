"""What a request's text means as a number, an id or a date, read in one place: ASCII
digits only (``"²".isdigit()`` is true in Python), ids no wider than the databases
store, days within the years a person can mean. Anything else reads as absent, and the
page refuses or ignores it as it does a missing value; it never reaches the database."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from werkzeug.routing import IntegerConverter, Map

from ..models.base import TAIPEI

#: The largest id the id columns hold everywhere (INTEGER: 32 bits on PostgreSQL).
MAX_ID = 2**31 - 1
#: The days a filter or a form may name: later or earlier is a typing error, and
#: arithmetic on it (the day after, Taiwan time to UTC) would overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_DIGITS = re.compile(r"[0-9]{1,19}")


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a longer number is a page not found."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def whole_number(value: str | None, below: int = MAX_ID + 1) -> int | None:
    """A non-negative integer written in ASCII digits and below ``below``, else None."""
    if value is None or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number < below else None


def row_ids(values: list[str], limit: int) -> list[int]:
    """The ids among ``values`` (others dropped), at most ``limit`` of them."""
    found = (whole_number(v) for v in values)
    return [number for number in found if number is not None][:limit]


def calendar_day(value: str | None) -> date | None:
    """An ISO date between ``FIRST_DAY`` and ``LAST_DAY``, else None."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def taipei_time(value: str | None) -> datetime | None:
    """A ``datetime-local`` field, read as Taiwan time, within the days above."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None or calendar_day(moment.date().isoformat()) is None:
        return None
    return moment.replace(tzinfo=TAIPEI)
