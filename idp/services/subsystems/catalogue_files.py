"""Reading the subsystem catalogues from ``policies/subsystems/*.yaml``. Every file is
checked when loaded; a mistake anywhere refuses them all, with every problem named by
file and place, so the hub does not start on a half-read catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ...models.account import AccountRole
from ...models.unit import UnitKind
from ..policy import POLICY_DIR
from .catalogues import (
    CODE_PATTERN,
    RESERVED_PATTERN,
    AdminQuota,
    CatalogueError,
    Catalogues,
    Duty,
    MenuRole,
    Name,
    QuotaScope,
    Role,
    Subsystem,
)

CATALOGUE_DIR = POLICY_DIR / "subsystems"


def load_catalogues(directory: Path = CATALOGUE_DIR) -> Catalogues:
    """Every ``*.yaml`` in ``directory``; CatalogueError lists every problem found."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CatalogueError([f"{_label(directory)}: no subsystem catalogues (*.yaml)"])
    problems: list[str] = []
    subsystems = []
    for path in paths:
        reader = _Reader(_label(path))
        subsystem = reader.file(path)
        problems.extend(reader.problems)
        if subsystem is not None:
            subsystems.append(subsystem)
    if problems:
        raise CatalogueError(problems)
    return Catalogues(subsystems)


def _label(path: Path) -> str:
    """The path as a reader of the repository knows it, else as given."""
    try:
        return path.resolve().relative_to(POLICY_DIR.parent).as_posix()
    except ValueError:
        return str(path)


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


class _Reader:
    """Reads one catalogue file, noting each problem; builders return None on one."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[str] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.label}: {where}: {what}" if where else f"{self.label}: {what}")

    def file(self, path: Path) -> Subsystem | None:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            self.problem("", f"not valid YAML ({error})")
            return None
        if not isinstance(document, dict) or len(document) != 1:
            self.problem("", "must hold one mapping, keyed by the subsystem's short name")
            return None
        ((code, body),) = document.items()
        if code != path.stem:
            self.problem("", f"short name {code!r} does not match the file name {path.stem!r}")
        elif not CODE_PATTERN.fullmatch(code):
            self.problem("", f"short name {code!r} must be lower-case ASCII letters, digits, _")
        subsystem = self.subsystem(code, body)
        return subsystem if not self.problems else None

    def subsystem(self, code: str, raw: Any) -> Subsystem | None:
        keys = ("name", "abbreviation", "roles", "admin_quota", "duties")
        data = self.fields(raw, "", keys, optional=("reserved_account_names",))
        name = self.name(data, "name", "")
        abbreviation = self.name(data, "abbreviation", "")
        roles = self.roles(data)
        quota = self.admin_quota(data)
        duties = self.duties(data)
        reserved = self.reserved_names(data)
        if name and abbreviation and roles and quota and duties:
            return Subsystem(code, name, abbreviation, roles, quota, duties, reserved)
        return None

    def reserved_names(self, data: dict[str, Any]) -> tuple[str, ...]:
        raw = self.items(data, "reserved_account_names", "") or []
        names = []
        for index, value in enumerate(raw):
            if not isinstance(value, str) or not RESERVED_PATTERN.fullmatch(value):
                self.problem(
                    f"reserved_account_names[{index}]",
                    "must be lower-case letters and digits, with an optional trailing *",
                )
                continue
            names.append(value)
        return tuple(names)

    def fields(
        self, raw: Any, where: str, keys: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The mapping at ``where``, with unknown and missing keys noted."""
        if not isinstance(raw, dict):
            self.problem(where, "must be a mapping")
            return {}
        for key in raw:
            if key not in keys and key not in optional:
                self.problem(where, f"unknown key {key!r}")
        for key in keys:
            if key not in raw:
                self.problem(where, f"{key} missing")
        return raw

    def items(self, data: dict[str, Any], key: str, where: str) -> list[Any] | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, list) or not value:
            self.problem(_at(where, key), "must be a non-empty list")
            return None
        return value

    def text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(_at(where, key), "must be a non-empty text")
            return None
        return value.strip()

    def code(self, data: dict[str, Any], where: str) -> str | None:
        value = self.text(data, "code", where)
        if value is not None and not CODE_PATTERN.fullmatch(value):
            self.problem(
                _at(where, "code"),
                f"{value!r} must be lower-case ASCII letters, digits and _ (at most 40)",
            )
            return None
        return value

    def name(self, data: dict[str, Any], key: str, where: str) -> Name | None:
        if key not in data:
            return None
        place = _at(where, key)
        fields = self.fields(data[key], place, ("zh-TW", "en"))
        zh_tw = self.text(fields, "zh-TW", place)
        english = self.text(fields, "en", place)
        return Name(zh_tw, english) if zh_tw and english else None

    def roles(self, data: dict[str, Any]) -> tuple[Role, ...] | None:
        entries = self.items(data, "roles", "")
        if entries is None:
            return None
        known = [role.value for role in AccountRole]
        roles: list[Role | None] = []
        seen: dict[str, str] = {}
        for index, raw in enumerate(entries):
            where = _at("roles", index)
            fields = self.fields(raw, where, ("code", "name"))
            code = self.text(fields, "code", where)
            name = self.name(fields, "name", where)
            if code is not None and code not in known:
                self.problem(
                    _at(where, "code"), f"unknown role {code!r} (known: {', '.join(known)})"
                )
                code = None
            if code is not None and self.unique(code, seen, _at(where, "code")):
                roles.append(Role(AccountRole(code), name) if name else None)
            else:
                roles.append(None)
        if not all(roles):
            return None
        if set(seen) != set(known):
            self.problem("roles", f"must list {' and '.join(known)}")
            return None
        return tuple(role for role in roles if role)

    def admin_quota(self, data: dict[str, Any]) -> AdminQuota | None:
        if "admin_quota" not in data:
            return None
        fields = self.fields(data["admin_quota"], "admin_quota", ("per", "count"))
        per = self.text(fields, "per", "admin_quota")
        scopes = [scope.value for scope in QuotaScope]
        if per is not None and per not in scopes:
            self.problem("admin_quota.per", f"must be one of {', '.join(scopes)}")
            per = None
        count = fields.get("count")
        if "count" in fields and (
            not isinstance(count, int) or isinstance(count, bool) or count < 1
        ):
            self.problem("admin_quota.count", f"{count!r} is not a positive integer")
            count = None
        return AdminQuota(QuotaScope(per), count) if per and count else None

    def duties(self, data: dict[str, Any]) -> tuple[Duty, ...] | None:
        entries = self.items(data, "duties", "")
        if entries is None:
            return None
        duty_codes: dict[str, str] = {}
        menu_role_codes: dict[str, str] = {}
        duties = [
            self.duty(raw, _at("duties", index), duty_codes, menu_role_codes)
            for index, raw in enumerate(entries)
        ]
        return tuple(duty for duty in duties if duty) if all(duties) else None

    def duty(
        self, raw: Any, where: str, duty_codes: dict[str, str], menu_role_codes: dict[str, str]
    ) -> Duty | None:
        fields = self.fields(raw, where, ("code", "name", "unit_kinds", "menu_roles"))
        code = self.code(fields, where)
        unique = code is not None and self.unique(code, duty_codes, _at(where, "code"))
        name = self.name(fields, "name", where)
        unit_kinds = self.unit_kinds(fields, where)
        entries = self.items(fields, "menu_roles", where)
        menu_roles = [
            self.menu_role(raw_role, _at(_at(where, "menu_roles"), index), menu_role_codes)
            for index, raw_role in enumerate(entries or [])
        ]
        if code and unique and name and unit_kinds and entries and all(menu_roles):
            return Duty(code, name, unit_kinds, tuple(role for role in menu_roles if role))
        return None

    def unit_kinds(self, data: dict[str, Any], where: str) -> tuple[UnitKind, ...] | None:
        entries = self.items(data, "unit_kinds", where)
        if entries is None:
            return None
        known = [kind.value for kind in UnitKind]
        for index, kind in enumerate(entries):
            if kind not in known:
                self.problem(
                    _at(_at(where, "unit_kinds"), index),
                    f"unknown unit kind {kind!r} (known: {', '.join(known)})",
                )
        if any(kind not in known for kind in entries):
            return None
        return tuple(UnitKind(kind) for kind in dict.fromkeys(entries))

    def menu_role(self, raw: Any, where: str, seen: dict[str, str]) -> MenuRole | None:
        fields = self.fields(raw, where, ("code", "name"), optional=("business_category",))
        code = self.code(fields, where)
        unique = code is not None and self.unique(code, seen, _at(where, "code"))
        name = self.name(fields, "name", where)
        category = fields.get("business_category", False)
        if not isinstance(category, bool):
            self.problem(_at(where, "business_category"), "must be true or false")
            return None
        return MenuRole(code, name, category) if code and unique and name else None

    def unique(self, code: str, seen: dict[str, str], where: str) -> bool:
        """Whether ``code`` is new; notes where it was first seen if not."""
        if code in seen:
            self.problem(where, f"duplicate code {code!r} (first at {seen[code]})")
            return False
        seen[code] = where
        return True
