"""The sections of the security policy as typed values: each field with its bounds and
the rules between fields (``problems``), and the whole ``Policy`` in force. How a
document becomes a ``Policy`` and how versions are stored is ``policy``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from .errors import Text, text

SECTIONS = ("password", "lockout", "captcha", "session", "dormancy", "mfa", "account_name")


def _pair(name: str, other: str, section: str = "password") -> dict[str, str]:
    """The two settings a rule between fields names (``name`` and ``other``)."""
    return {"name": f"{section}.{name}", "other": f"{section}.{other}"}


def _limit(low: int, high: int) -> dict[str, Any]:
    return {"low": low, "high": high}


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = field(metadata=_limit(8, 128))
    max_length: int = field(metadata=_limit(64, 1024))
    require_upper: bool
    require_lower: bool
    require_digit: bool
    require_symbol: bool
    symbols: str
    only_listed_symbols: bool
    min_strength: int = field(metadata=_limit(0, 4))
    forbid_personal_data: bool
    forbid_common: bool
    history: int = field(metadata=_limit(0, 24))
    remind_after_days: int = field(metadata=_limit(0, 3650))
    max_age_days: int = field(metadata=_limit(0, 3650))
    reset_link_minutes: int = field(metadata=_limit(5, 1440))

    def problems(self) -> list[Text]:
        found = []
        if self.max_length < self.min_length:
            found.append(
                text(
                    "{name} 不可小於 {other}",
                    name="password.max_length",
                    other="password.min_length",
                )
            )
        if not self.symbols.isascii() or any(c.isalnum() or c.isspace() for c in self.symbols):
            found.append(text("{name} 只能是英文符號", name="password.symbols"))
        if (self.require_symbol or self.only_listed_symbols) and not self.symbols:
            found.append(text("{name} 不可為空", name="password.symbols"))
        if 0 < self.max_age_days < self.remind_after_days:
            found.append(
                text(
                    "{name} 不可大於 {other}",
                    name="password.remind_after_days",
                    other="password.max_age_days",
                )
            )
        return found


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = field(metadata=_limit(1, 100))
    lock_minutes: int = field(metadata=_limit(1, 10080))
    address_failures: int = field(metadata=_limit(1, 1000))
    address_window_minutes: int = field(metadata=_limit(1, 1440))
    signin_per_minute: int = field(metadata=_limit(1, 10000))
    captcha_per_minute: int = field(metadata=_limit(1, 10000))
    forgot_password_per_hour: int = field(metadata=_limit(1, 10000))
    status_lookup_per_hour: int = field(metadata=_limit(1, 10000))
    apply_per_hour: int = field(metadata=_limit(1, 10000))
    #: Trusted networks (a hospital's or a 衛生局's public address) with their own limit:
    #: ``203.0.113.0/24=300, 198.51.100.7=120``. An address in one may fail that many
    #: times per window instead of ``address_failures``, and no per-address request limit
    #: is lower than it.
    trusted_networks: str
    client_requests_per_minute: int = field(metadata=_limit(1, 1000000))

    def problems(self) -> list[Text]:
        try:
            self.trusted()
        except ValueError:
            return [
                text(
                    "{name} 須為「網段=次數」，以逗號分隔，次數為 1 至 100000",
                    name="lockout.trusted_networks",
                )
            ]
        return []

    def trusted(self) -> tuple[tuple[IPv4Network | IPv6Network, int], ...]:
        """The trusted networks and their limits; ValueError when an entry is wrong."""
        found = []
        for entry in self.trusted_networks.replace("\n", ",").split(","):
            if not entry.strip():
                continue
            network, equals, limit = entry.partition("=")
            if not equals or not limit.strip().isascii() or not limit.strip().isdigit():
                raise ValueError(entry)
            number = int(limit.strip())
            if not 1 <= number <= 100000:
                raise ValueError(entry)
            found.append((ip_network(network.strip(), strict=False), number))
        return tuple(found)

    def trusted_limit(self, address: str) -> int | None:
        """The limit of the trusted network ``address`` is in; None when in none."""
        try:
            ip = ip_address(address)
        except ValueError:
            return None
        return next((limit for network, limit in self.trusted() if ip in network), None)


@dataclass(frozen=True)
class CaptchaPolicy:
    mode: str = field(metadata={"choices": ("always", "after_failure")})
    length: int = field(metadata=_limit(4, 8))
    ttl_seconds: int = field(metadata=_limit(30, 900))

    def problems(self) -> list[Text]:
        return []


@dataclass(frozen=True)
class SessionPolicy:
    idle_minutes: int = field(metadata=_limit(1, 1440))
    max_hours: int = field(metadata=_limit(1, 72))
    warn_minutes: int = field(metadata=_limit(0, 60))

    def problems(self) -> list[Text]:
        if self.warn_minutes >= self.idle_minutes:
            return [
                text(
                    "{name} 須小於 {other}",
                    name="session.warn_minutes",
                    other="session.idle_minutes",
                )
            ]
        if self.idle_minutes > self.max_hours * 60:
            return [
                text(
                    "{name} 不可超過 {other}",
                    name="session.idle_minutes",
                    other="session.max_hours",
                )
            ]
        return []


@dataclass(frozen=True)
class DormancyPolicy:
    idle_days: int = field(metadata=_limit(0, 3650))

    def problems(self) -> list[Text]:
        return []


@dataclass(frozen=True)
class AccountNamePolicy:
    """帳號 and 姓名 (``services.accounts.naming``). The account column holds 20 characters."""

    min_length: int = field(metadata=_limit(4, 20))
    max_length: int = field(metadata=_limit(6, 20))
    require_letters_and_digits: bool = field()
    #: Comma-separated words a person's name may not end in (an institution's name).
    institution_words: str = field()

    def words(self) -> tuple[str, ...]:
        return tuple(w.strip() for w in self.institution_words.split(",") if w.strip())

    def problems(self) -> list[Text]:
        if self.min_length > self.max_length:
            return [
                text(
                    "{name} 不可大於 {other}",
                    **_pair("min_length", "max_length", "account_name"),
                )
            ]
        return []


#: Kinds of second factor a role's rule can count: passkeys (and security keys), and
#: authenticator-app codes. A card sign-in always counts (it is two factors itself).
FACTOR_KINDS = ("passkey", "totp")
#: Roles a second-factor rule is kept for (``factors.requirement.roles_of``).
MFA_ROLES = ("member", "unit_admin", "health_bureau_admin", "authority", "security_admin")


@dataclass(frozen=True)
class RoleRule:
    """One role's rule: whether a second factor is required, which kinds count, and how
    many days a person has to enrol one."""

    required: bool
    kinds: tuple[str, ...]
    grace_days: int


def _kinds() -> dict[str, Any]:
    return {"subset": FACTOR_KINDS}


@dataclass(frozen=True)
class MfaPolicy:
    """兩步驟驗證, per role; and whether a passkey may sign in without the password."""

    passwordless: bool
    member_required: bool
    member_kinds: str = field(metadata=_kinds())
    member_grace_days: int = field(metadata=_limit(0, 365))
    unit_admin_required: bool
    unit_admin_kinds: str = field(metadata=_kinds())
    unit_admin_grace_days: int = field(metadata=_limit(0, 365))
    health_bureau_admin_required: bool
    health_bureau_admin_kinds: str = field(metadata=_kinds())
    health_bureau_admin_grace_days: int = field(metadata=_limit(0, 365))
    authority_required: bool
    authority_kinds: str = field(metadata=_kinds())
    authority_grace_days: int = field(metadata=_limit(0, 365))
    security_admin_required: bool
    security_admin_kinds: str = field(metadata=_kinds())
    security_admin_grace_days: int = field(metadata=_limit(0, 365))

    def rule(self, role: str) -> RoleRule:
        return RoleRule(
            required=getattr(self, f"{role}_required"),
            kinds=tuple(getattr(self, f"{role}_kinds").split(",")),
            grace_days=getattr(self, f"{role}_grace_days"),
        )

    def problems(self) -> list[Text]:
        return []


SECTION_TYPES: dict[str, type[Any]] = {
    "password": PasswordPolicy,
    "lockout": LockoutPolicy,
    "captcha": CaptchaPolicy,
    "session": SessionPolicy,
    "dormancy": DormancyPolicy,
    "mfa": MfaPolicy,
    "account_name": AccountNamePolicy,
}


@dataclass(frozen=True)
class Policy:
    password: PasswordPolicy
    lockout: LockoutPolicy
    captcha: CaptchaPolicy
    session: SessionPolicy
    dormancy: DormancyPolicy
    mfa: MfaPolicy
    account_name: AccountNamePolicy
    version: int = 0

    def document(self) -> dict[str, dict[str, Any]]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS}

    def flat(self) -> dict[str, Any]:
        """``{"password.min_length": 12, …}``, the names ``idp policy set`` takes."""
        return {
            f"{section}.{key}": value
            for section, values in self.document().items()
            for key, value in values.items()
        }
