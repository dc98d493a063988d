"""Subsystem catalogues (子系統): the account roles, duties (業務權責), menu roles (選單角色)
and unit-admin quota of each subsystem.

They ship as YAML in ``policies/subsystems/``, one file per subsystem named after its
short name, which is also its OpenID Connect client id (``mch``, ``cancer``,
``cessation``), and are read and checked by ``catalogue_files``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ...models.account import AccountRole
from ...models.unit import UnitKind
from ..errors import Text, text

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: A reserved account name: lower-case letters and digits, a trailing ``*`` for any ending.
RESERVED_PATTERN = re.compile(r"[a-z0-9]{1,20}\*?")


class CatalogueError(ValueError):
    """Catalogue files refused; ``problems`` lists each as ``file: place: what``."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Name:
    """A name in zh-TW (the screens' first language) and in English."""

    zh_tw: str
    en: str

    def __str__(self) -> str:
        return self.zh_tw

    def in_locale(self, locale: str) -> str:
        return self.en if locale.lower().startswith("en") else self.zh_tw


class QuotaScope(enum.StrEnum):
    UNIT = "unit"  # 婦幼, 戒菸: so many unit admins per unit
    BUSINESS_CATEGORY = "business_category"  # 癌整: per unit and 業務類別


@dataclass(frozen=True)
class AdminQuota:
    """How many unit admins a unit may have before it needs a 管理員超額申請."""

    per: QuotaScope
    count: int


@dataclass(frozen=True)
class Role:
    """An account role inside the subsystem (單位業務管理者 / 一般使用者)."""

    code: AccountRole
    name: Name


@dataclass(frozen=True)
class MenuRole:
    """選單角色. In 癌整 a 業務類別 is a menu role with ``business_category`` set."""

    code: str
    name: Name
    business_category: bool = False


@dataclass(frozen=True)
class Duty:
    """業務權責: held by units of the listed kinds, offering its menu roles."""

    code: str
    name: Name
    unit_kinds: tuple[UnitKind, ...]
    menu_roles: tuple[MenuRole, ...]

    def menu_role(self, code: str) -> MenuRole | None:
        return next((role for role in self.menu_roles if role.code == code), None)

    def business_categories(self) -> tuple[MenuRole, ...]:
        return tuple(role for role in self.menu_roles if role.business_category)


@dataclass(frozen=True)
class Subsystem:
    #: The short name, also the OpenID Connect client id.
    code: str
    name: Name
    #: 婦幼, 癌整, 戒菸.
    abbreviation: Name
    roles: tuple[Role, ...]
    admin_quota: AdminQuota
    duties: tuple[Duty, ...]
    #: Account names the hub refuses because they are the subsystem's own (lower case; a
    #: trailing ``*`` matches any ending), e.g. 戒菸's ADM accounts.
    reserved_account_names: tuple[str, ...] = ()

    def reserves(self, username: str) -> bool:
        name = username.lower()
        return any(
            name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern
            for pattern in self.reserved_account_names
        )

    def role(self, code: str) -> Role | None:
        return next((role for role in self.roles if role.code == code), None)

    def duty(self, code: str) -> Duty | None:
        return next((duty for duty in self.duties if duty.code == code), None)

    def menu_role(self, code: str) -> MenuRole | None:
        """The menu role with this code in any duty (codes are unique in a subsystem)."""
        return next(
            (role for duty in self.duties if (role := duty.menu_role(code)) is not None), None
        )

    def duties_for(self, unit_kind: UnitKind) -> tuple[Duty, ...]:
        return tuple(duty for duty in self.duties if unit_kind in duty.unit_kinds)

    def validate_request(
        self,
        duty_code: str,
        menu_role_codes: Iterable[str],
        unit_kind: UnitKind,
        *,
        role: AccountRole = AccountRole.MEMBER,
    ) -> list[Text]:
        """What is wrong with asking for this duty and these menu roles from a unit of
        this kind, in this account role; empty when the request may go ahead."""
        if not duty_code:
            return [text("請選擇業務權責")]
        duty = self.duty(duty_code)
        if duty is None:
            return [text("未知的業務權責 {duty}", duty=duty_code)]
        problems: list[Text] = []
        if unit_kind not in duty.unit_kinds:
            problems.append(text("此單位類型不可申請所選的業務權責"))
        codes = list(dict.fromkeys(menu_role_codes))
        if not codes:
            problems.append(text("請至少選擇一項選單角色"))
        problems.extend(
            text("所選的業務權責沒有選單角色 {menu_role}", menu_role=code)
            for code in codes
            if duty.menu_role(code) is None
        )
        if (
            role == AccountRole.UNIT_ADMIN
            and self.admin_quota.per is QuotaScope.BUSINESS_CATEGORY
            and duty.business_categories()
            and not self._categories(duty, codes)
        ):
            problems.append(text("單位業務管理者須至少選擇一項業務類別"))
        return problems

    def admin_quota_keys(self, duty_code: str, menu_role_codes: Iterable[str]) -> tuple[str, ...]:
        """The quotas a unit admin with this duty and these menu roles counts against,
        within their unit: the subsystem (婦幼, 戒菸), or each business category (癌整;
        a duty without categories counts as one)."""
        if self.admin_quota.per is QuotaScope.UNIT:
            return (self.code,)
        duty = self.duty(duty_code)
        categories = self._categories(duty, menu_role_codes) if duty else []
        return tuple(f"{self.code}:{duty_code}:{code}" for code in categories) or (
            f"{self.code}:{duty_code}",
        )

    @staticmethod
    def _categories(duty: Duty, codes: Iterable[str]) -> list[str]:
        wanted = set(codes)
        return [role.code for role in duty.business_categories() if role.code in wanted]


class Catalogues(Mapping[str, Subsystem]):
    """The subsystems by short name, in the order of their file names."""

    def __init__(self, subsystems: Iterable[Subsystem]) -> None:
        self._subsystems = {subsystem.code: subsystem for subsystem in subsystems}

    def __getitem__(self, code: str) -> Subsystem:
        return self._subsystems[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._subsystems)

    def __len__(self) -> int:
        return len(self._subsystems)
