"""Codes in the page's language: ``services.names`` says what each code is called, this
puts it in the language of the page. Templates use these as filters (``named``,
``subsystem_name``, ``auth_methods``, ``failure_reason``, ``policy_setting``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

from ..models import RoleChangeKind
from ..services import names
from ..services.errors import Text
from ..services.subsystems.catalogues import Name
from .context import current_hub
from .i18n import current_locale, gettext


def named(value: enum.Enum | Name) -> str:
    """A status, role, route, kind (``services.names``) or a catalogue name, in words."""
    if isinstance(value, Name):
        return value.in_locale(current_locale())
    return gettext(names.name_of(value))


def subsystem_name(code: str) -> str:
    """婦幼, 癌整, 戒菸 — never ``mch``."""
    return names.subsystem(current_hub().catalogues, code).in_locale(current_locale())


def subsystem_full_name(code: str) -> str:
    return names.subsystem_full(current_hub().catalogues, code).in_locale(current_locale())


def duty_name(subsystem_code: str, code: str) -> str:
    return names.duty(current_hub().catalogues, subsystem_code, code).in_locale(current_locale())


def menu_role_names(subsystem_code: str, codes: Sequence[str]) -> str:
    catalogues = current_hub().catalogues
    locale = current_locale()
    return "、".join(
        names.menu_role(catalogues, subsystem_code, code).in_locale(locale) for code in codes
    )


def auth_methods(amr: Sequence[str]) -> str:
    return "、".join(gettext(name) for name in names.auth_methods(amr))


def failure_reason(reason: str) -> str:
    return gettext(names.signin_failure(reason))


def policy_setting(key: str) -> str:
    return gettext(names.policy_setting(key))


def policy_choice(key: str, value: str) -> str:
    return gettext(names.policy_choice(key, value))


def policy_problem(problem: Text) -> str:
    """A refused policy value, naming the settings by their labels."""
    labelled = names.policy_text(problem)
    params = {k: gettext(v) if isinstance(v, str) else v for k, v in labelled.params.items()}
    return gettext(labelled.template, **params)


def message_params(params: Mapping[str, str]) -> dict[str, Any]:
    """An inbox message's parameters for the page: a subsystem code (``subsystem``) and a
    role change kind (``change``) are stored as codes and named here, in the reader's
    language."""
    shown: dict[str, Any] = dict(params)
    if shown.get("subsystem") in current_hub().catalogues:
        shown["subsystem"] = subsystem_name(shown["subsystem"])
    if shown.get("change") in {kind.value for kind in RoleChangeKind}:
        shown["change"] = named(RoleChangeKind(shown["change"]))
    return shown


def acr_level(code: str) -> str:
    return gettext(names.acr_level(code))


FILTERS = {
    "acr_level": acr_level,
    "named": named,
    "subsystem_name": subsystem_name,
    "subsystem_full_name": subsystem_full_name,
    "duty_name": duty_name,
    "menu_role_names": menu_role_names,
    "auth_methods": auth_methods,
    "failure_reason": failure_reason,
    "policy_setting": policy_setting,
    "policy_problem": policy_problem,
    "message_params": message_params,
}
