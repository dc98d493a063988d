"""Column type for Python enums: stored as their values in a plain string column."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
