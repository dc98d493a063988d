"""Who must hold a second factor, of which kinds, and by when: the policy's rule for each
of the person's roles (``policy_sections.MfaPolicy``), and what they hold."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ...models import Account, AccountRole, AuthenticatorApp, Passkey
from ..permissions import is_authority, is_bureau_admin, is_security_admin
from ..policy_sections import MfaPolicy

#: The ``amr`` values (RFC 8176) that show a kind of second factor was used.
KIND_METHODS = {"passkey": ("hwk", "swk"), "totp": ("otp",)}


def roles_of(account: Account) -> list[str]:
    """The person's roles, each with a rule of its own: a 衛生局's admins are unit admins
    too, and so are the authority's."""
    roles = ["unit_admin" if account.role is AccountRole.UNIT_ADMIN else "member"]
    if is_bureau_admin(account):
        roles.append("health_bureau_admin")
    if is_authority(account):
        roles.append("authority")
    if is_security_admin(account):
        roles.append("security_admin")
    return roles


@dataclass(frozen=True)
class Requirement:
    """What the rules of a person's roles ask together: for each role that requires a
    second factor, one of the kinds it counts."""

    kind_sets: tuple[frozenset[str], ...]
    grace_days: int

    @property
    def required(self) -> bool:
        return bool(self.kind_sets)

    @property
    def kinds(self) -> frozenset[str]:
        """Kinds that count for every one of the roles (the ones to offer first)."""
        common = frozenset.intersection(*self.kind_sets) if self.kind_sets else frozenset()
        return common or frozenset().union(*self.kind_sets)

    def met_by(self, kinds: Iterable[str]) -> bool:
        held = set(kinds)
        return all(held & wanted for wanted in self.kind_sets)


def requirement_for(policy: MfaPolicy, account: Account) -> Requirement:
    rules = [policy.rule(role) for role in roles_of(account)]
    required = [rule for rule in rules if rule.required]
    return Requirement(
        kind_sets=tuple(frozenset(rule.kinds) for rule in required),
        grace_days=min((rule.grace_days for rule in required), default=0),
    )


def held_kinds(db: Session, account: Account) -> frozenset[str]:
    """The kinds of second factor the person holds (recovery codes are no kind: they
    stand in for the others)."""
    passkey, totp = db.execute(
        select(
            exists().where(Passkey.account_id == account.id),
            exists().where(AuthenticatorApp.account_id == account.id),
        )
    ).one()
    return frozenset(kind for kind, held in (("passkey", passkey), ("totp", totp)) if held)


def kinds_used(amr: Sequence[str]) -> frozenset[str]:
    """The kinds of second factor a session's ``amr`` shows were used."""
    return frozenset(
        kind for kind, methods in KIND_METHODS.items() if any(m in amr for m in methods)
    )


def enrolment_due(
    db: Session, policy: MfaPolicy, account: Account, held: frozenset[str], now: datetime
) -> datetime | None:
    """When the person must hold a second factor the rules of their roles count, or None
    when they need none or already hold one. The grace period starts at the first
    sign-in under the rule (a reset by an admin makes it due at once)."""
    requirement = requirement_for(policy, account)
    if not requirement.required or requirement.met_by(held):
        account.second_factor_due_at = None
        return None
    if account.second_factor_due_at is None:
        account.second_factor_due_at = now + timedelta(days=requirement.grace_days)
    return account.second_factor_due_at
