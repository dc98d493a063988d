"""The approval chains of 資料異動申請: for each kind of change request, the reviewer
tiers that decide it in turn. They ship as ``policies/change_requests.yaml`` and are read
and checked when the hub starts; a mistake refuses the whole file, naming every problem,
so the hub never runs on a half-read policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...models import ChangeRequestKind, ReviewTier
from ..policy import POLICY_DIR

CHANGE_POLICY = POLICY_DIR / "change_requests.yaml"


class ChainError(ValueError):
    """The policy file refused; ``problems`` lists each as ``file: place: what``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChangeChains:
    """Each kind's tiers, first to last."""

    chains: Mapping[ChangeRequestKind, tuple[ReviewTier, ...]]

    def of(self, kind: ChangeRequestKind) -> tuple[ReviewTier, ...]:
        return self.chains[kind]


def load_change_chains(path: Path = CHANGE_POLICY) -> ChangeChains:
    """The chains in ``path``; ChainError lists every problem found."""
    label = path.name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ChainError([f"{label}: cannot be read ({error})"]) from None
    return parse_change_chains(document, label)


def parse_change_chains(document: Any, label: str = "change_requests.yaml") -> ChangeChains:
    if not isinstance(document, dict):
        raise ChainError([f"{label}: must be a mapping of request kinds to lists of tiers"])
    kinds = [kind.value for kind in ChangeRequestKind]
    tiers = [tier.value for tier in ReviewTier]
    problems: list[str] = []
    chains: dict[ChangeRequestKind, tuple[ReviewTier, ...]] = {}
    for key, raw in document.items():
        if key not in kinds:
            problems.append(f"{label}: {key}: unknown request kind (known: {', '.join(kinds)})")
            continue
        if not isinstance(raw, list) or not raw:
            problems.append(f"{label}: {key}: must be a non-empty list of tiers")
            continue
        chain: list[ReviewTier] = []
        for index, tier in enumerate(raw):
            if tier not in tiers:
                problems.append(
                    f"{label}: {key}[{index}]: unknown tier {tier!r} (known: {', '.join(tiers)})"
                )
            elif ReviewTier(tier) in chain:
                problems.append(f"{label}: {key}[{index}]: tier {tier!r} listed twice")
            else:
                chain.append(ReviewTier(tier))
        chains[ChangeRequestKind(key)] = tuple(chain)
    problems += [f"{label}: {kind}: missing" for kind in kinds if kind not in document]
    if problems:
        raise ChainError(problems)
    return ChangeChains(chains)
