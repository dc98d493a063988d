"""An audit record's details as a person reads them: the codes it holds (sign-in methods,
why a sign-in failed, statuses, roles, kinds) named by ``services.names``; the rest as
recorded."""

from __future__ import annotations

import json
from typing import Any

from ...models import AccountRole, AccountStatus, ApplicationStatus, RoleChangeKind
from .. import names

#: Detail keys whose value is a code with a name, and how to name it.
_NAMED: dict[str, Any] = {
    "amr": lambda v: "、".join(names.auth_methods(v)) if isinstance(v, list) else v,
    "reason": lambda v: names.signin_failure(v) if v in names.SIGNIN_FAILURE else v,
    "role": lambda v: _enum(AccountRole, v),
    "status": lambda v: _enum(AccountStatus, v) or _enum(ApplicationStatus, v),
    "kind": lambda v: _enum(RoleChangeKind, v),
}


def _enum(kind: Any, value: Any) -> str:
    try:
        return names.name_of(kind(value))
    except ValueError:
        return ""


def describe(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, value) pairs, a code's value in words (zh-TW, for the page to translate)."""
    shown = []
    for key, value in sorted(details.items()):
        named = _NAMED[key](value) if key in _NAMED else ""
        text = named or (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        shown.append((key, str(text)))
    return shown


def as_text(details: dict[str, Any]) -> str:
    """The details on one line, for an export."""
    return "; ".join(f"{key}={value}" for key, value in describe(details))
