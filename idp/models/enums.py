"""Column type for Python enums (stored as their values in a plain string column), and
the review tiers several requests share."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


class ReviewTier(enum.StrEnum):
    """Who decides a request, or one step of a chain: the unit's admins, the 衛生局 over
    the unit, or the authority (國健署)."""

    UNIT_ADMIN = "unit_admin"
    HEALTH_BUREAU = "health_bureau"
    AUTHORITY = "authority"


def enum_column(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
