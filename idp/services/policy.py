"""Security policy (password, lockout, captcha, session, dormancy, second factors) as
versioned data.

Security admins change it on the admin page or with ``idp policy``; every change is a
new version with who, when and why, and the newest version is the one in force. The
defaults ship as YAML in ``policies/``. Each field has one validation rule here, used
by the page, the command line and the defaults alike.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Account, PolicyVersion
from . import audit
from .errors import DomainError, Text, text

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
SECTIONS = ("password", "lockout", "captcha", "session", "dormancy", "mfa", "account_name")
PRESETS = ("seeds", "nist")


class PolicyError(DomainError):
    """A policy value refused; ``problems`` lists each one."""

    def __init__(self, problems: list[Text]) -> None:
        super().__init__("；".join(str(p) for p in problems))
        self.problems = problems


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


def _convert(name: str, spec: dataclasses.Field[Any], raw: Any) -> Any:
    if spec.type in (bool, "bool"):
        if isinstance(raw, bool):
            return raw
        lowered = str(raw).strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise PolicyError([text("{name} 須為 true 或 false", name=name)])
    if spec.type in (int, "int"):
        if isinstance(raw, bool):
            raise PolicyError([text("{name} 須為整數", name=name)])
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise PolicyError([text("{name} 須為整數", name=name)]) from None
        low, high = spec.metadata["low"], spec.metadata["high"]
        if not low <= value <= high:
            raise PolicyError(
                [text("{name} 須介於 {low} 與 {high} 之間", name=name, low=low, high=high)]
            )
        return value
    subset = spec.metadata.get("subset")
    if subset:
        return _subset(name, subset, raw)
    chosen = str(raw)
    choices = spec.metadata.get("choices")
    if choices and chosen not in choices:
        raise PolicyError(
            [text("{name} 須為 {choices} 其中之一", name=name, choices=" / ".join(choices))]
        )
    return chosen


def _subset(name: str, allowed: tuple[str, ...], raw: Any) -> str:
    """Comma-separated values out of ``allowed``, at least one, in ``allowed``'s order."""
    given = {part.strip() for part in str(raw).split(",") if part.strip()}
    if not given or given - set(allowed):
        raise PolicyError(
            [text("{name} 須為 {choices} 其中至少一項", name=name, choices=" / ".join(allowed))]
        )
    return ",".join(value for value in allowed if value in given)


def subset_choices(name: str) -> tuple[str, ...]:
    """The values a many-choice field (``mfa.member_kinds``) takes; empty for others."""
    section, _, key = name.partition(".")
    cls = SECTION_TYPES.get(section)
    known = {f.name: f for f in fields(cls)} if cls else {}
    spec = known.get(key)
    return tuple(spec.metadata.get("subset", ())) if spec else ()


def parse_policy(document: dict[str, Any], version: int = 0) -> Policy:
    """A policy from a document, every field checked; PolicyError lists what is wrong."""
    problems: list[Text] = []
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        values = document.get(section)
        if not isinstance(values, dict):
            problems.append(text("缺少 {section} 設定", section=section))
            continue
        cls = SECTION_TYPES[section]
        known = {f.name: f for f in fields(cls)}
        for key in values:
            if key not in known:
                problems.append(text("未知的設定 {name}", name=f"{section}.{key}"))
        parsed: dict[str, Any] = {}
        for key, spec in known.items():
            if key not in values:
                problems.append(text("缺少設定 {name}", name=f"{section}.{key}"))
                continue
            try:
                parsed[key] = _convert(f"{section}.{key}", spec, values[key])
            except PolicyError as error:
                problems.extend(error.problems)
        if len(parsed) == len(known):
            sections[section] = cls(**parsed)
            problems.extend(sections[section].problems())
    if problems:
        raise PolicyError(problems)
    return Policy(**sections, version=version)


def default_document(policy_dir: Path = POLICY_DIR) -> dict[str, Any]:
    return {
        section: yaml.safe_load((policy_dir / f"{section}.yaml").read_text(encoding="utf-8"))
        for section in SECTIONS
    }


def preset_changes(name: str, policy_dir: Path = POLICY_DIR) -> dict[str, Any]:
    """The flat changes a preset makes: ``seeds`` (the shipped defaults) or ``nist``."""
    if name == "seeds":
        document = default_document(policy_dir)
    elif name == "nist":
        document = yaml.safe_load((policy_dir / "nist.yaml").read_text(encoding="utf-8"))
    else:
        raise PolicyError(
            [
                text(
                    "未知的預設組合 {name}（可用：{presets}）",
                    name=name,
                    presets=", ".join(PRESETS),
                )
            ]
        )
    return {
        f"{section}.{key}": value
        for section, values in document.items()
        for key, value in values.items()
    }


def latest_version(db: Session) -> PolicyVersion | None:
    return db.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1))


def latest_version_number(db: Session) -> int | None:
    """What changes whenever the policy in force does (versions are never edited)."""
    return db.scalar(select(func.max(PolicyVersion.version)))


def complete_document(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored version brought up to this release: fields added since take their
    defaults, fields since removed are dropped."""
    document = default_document()
    for section, values in document.items():
        for key, value in (stored.get(section) or {}).items():
            if key in values:
                values[key] = value
    return document


def current_policy(db: Session) -> Policy:
    row = latest_version(db)
    if row is None:
        return parse_policy(default_document())
    return parse_policy(complete_document(row.document), row.version)


def ensure_policy(db: Session) -> PolicyVersion | None:
    """Store the shipped defaults as version 1 if there is no policy yet."""
    if latest_version(db) is not None:
        return None
    parse_policy(default_document())  # the shipped files must be valid
    row = PolicyVersion(
        version=1,
        document=default_document(),
        created_by="system",
        reason="預設值 (policies/*.yaml)",
    )
    db.add(row)
    db.flush()
    return row


def change_policy(
    db: Session,
    changes: dict[str, Any],
    *,
    actor: str,
    reason: str,
    actor_account_id: int | None = None,
    expire_passwords: bool = False,
    ip: str = "",
) -> Policy:
    """A new version with ``changes`` (flat names) applied; refused as a whole if any
    value is wrong. ``expire_passwords`` makes every account change its password at the
    next sign-in."""
    if not reason.strip():
        raise PolicyError([text("請說明變更原因")])
    ensure_policy(db)
    current = current_policy(db)
    document = current.document()
    unknown = [name for name in changes if name not in current.flat()]
    if unknown:
        raise PolicyError([text("未知的設定 {name}", name=name) for name in unknown])
    for name, value in changes.items():
        section, key = name.split(".", 1)
        document[section][key] = value
    new = parse_policy(document, current.version + 1)
    changed = {name: value for name, value in new.flat().items() if current.flat()[name] != value}
    version = (db.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    db.add(
        PolicyVersion(
            version=version,
            document=new.document(),
            created_by=actor,
            created_by_account_id=actor_account_id,
            reason=reason.strip(),
        )
    )
    if expire_passwords:
        db.execute(update(Account).values(must_change_password=True))
    audit.record(
        db,
        "policy.change",
        actor=actor,
        actor_account_id=actor_account_id,
        target=f"v{version}",
        ip=ip,
        changed=changed,
        reason=reason.strip(),
        expire_all=expire_passwords,
    )
    db.flush()
    return dataclasses.replace(new, version=version)


def history(db: Session) -> list[PolicyVersion]:
    return list(db.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc())))
