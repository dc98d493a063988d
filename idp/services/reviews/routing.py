"""The routing table (``policies/review_routes.yaml``): which tier decides each kind of role
change and privilege request, per subsystem. Read and checked once at start; a mistake
names its place and stops the start, like a catalogue's.

A change is routed when it is submitted and keeps its tier. ``health_bureau`` is the
衛生局 over the unit; a unit without one goes to the authority.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ...models import ReviewTier, RoleChangeKind, Unit
from ..policy import POLICY_DIR
from ..subsystems.catalogues import CatalogueError, Catalogues

ROUTES_FILE = POLICY_DIR / "review_routes.yaml"
#: What a hub account's own role (no subsystem account) is routed by.
HUB = "hub"

Table = Mapping[RoleChangeKind, ReviewTier]
#: A unit admin files these requests, so their own unit's admins are no tier for them.
ROLE_CHANGE_TIERS = (ReviewTier.HEALTH_BUREAU, ReviewTier.AUTHORITY)


class RoutingError(CatalogueError):
    """Every problem found in the routing table."""


@dataclass(frozen=True)
class ReviewRoutes:
    default: Table
    #: Per subsystem (or ``HUB``): the kinds routed otherwise than by default.
    overrides: Mapping[str, Table] = field(default_factory=dict)

    def tier(self, kind: RoleChangeKind, subsystem: str | None, unit: Unit) -> ReviewTier:
        """Who decides ``kind`` for ``subsystem`` (None: the hub account's role) in ``unit``."""
        tier = self.overrides.get(subsystem or HUB, {}).get(kind, self.default[kind])
        if tier is ReviewTier.HEALTH_BUREAU and unit.bureau_id is None:
            return ReviewTier.AUTHORITY
        return tier


def load_review_routes(catalogues: Catalogues, path: Path = ROUTES_FILE) -> ReviewRoutes:
    """The table in ``path``; RoutingError lists every problem (unknown kinds, tiers or
    subsystems, a default missing a kind)."""
    problems: list[str] = []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RoutingError([f"{path.name}: cannot be read ({error})"]) from None
    if not isinstance(document, dict) or set(document) - {"default", "subsystems"}:
        raise RoutingError([f"{path.name}: must be a mapping of default and subsystems"])
    default = _table(document.get("default"), f"{path.name}: default", problems)
    for kind in RoleChangeKind:
        if kind not in default:
            problems.append(f"{path.name}: default: {kind.value} missing")
    overrides: dict[str, Table] = {}
    raw_overrides = document.get("subsystems") or {}
    if not isinstance(raw_overrides, dict):
        problems.append(f"{path.name}: subsystems: must be a mapping")
        raw_overrides = {}
    for subsystem, raw in raw_overrides.items():
        where = f"{path.name}: subsystems.{subsystem}"
        if subsystem != HUB and subsystem not in catalogues:
            problems.append(f"{where}: no such subsystem (known: {', '.join(catalogues)}, {HUB})")
        overrides[subsystem] = _table(raw or {}, where, problems)
    if problems:
        raise RoutingError(problems)
    return ReviewRoutes(default, overrides)


def _table(raw: Any, where: str, problems: list[str]) -> dict[RoleChangeKind, ReviewTier]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping of request kind to tier")
        return {}
    table: dict[RoleChangeKind, ReviewTier] = {}
    kinds = ", ".join(kind.value for kind in RoleChangeKind)
    tiers = ", ".join(tier.value for tier in ROLE_CHANGE_TIERS)
    for key, value in raw.items():
        try:
            kind = RoleChangeKind(key)
        except ValueError:
            problems.append(f"{where}: unknown request kind {key!r} (known: {kinds})")
            continue
        tier = next((tier for tier in ROLE_CHANGE_TIERS if tier.value == value), None)
        if tier is None:
            problems.append(f"{where}.{key}: unknown tier {value!r} (known: {tiers})")
        else:
            table[kind] = tier
    return table
