"""What a person sees of a page (its text, and the labels read out by a screen reader),
and the codes that must never be part of it: enum values, subsystem, duty and menu role
codes, ``amr`` values and the security policy's keys."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from idp.models import (
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    ReviewRoute,
    RoleChangeKind,
    UnitKind,
)
from idp.services import policy
from idp.services.subsystems.catalogues import Catalogues

#: Not read as words: scripts, styles, the title, comments, and identifiers a person copies
#: as they are (``<code data-identifier>``: a subsystem's client_id on 子系統介接設定).
HIDDEN = re.compile(
    r"<(script|style|title)\b.*?</\1>|<!--.*?-->|<code data-identifier>[^<]*</code>", re.S | re.I
)
SPOKEN = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    page = HIDDEN.sub(" ", page)
    spoken = " ".join(SPOKEN.findall(page))
    return html.unescape(TAG.sub(" ", page) + " " + spoken)


def raw_codes(catalogues: Catalogues) -> set[str]:
    codes: set[str] = {"pwd", "mfa"}
    for kind in (AccountRole, AccountStatus, ApplicationStatus, ReviewRoute, RoleChangeKind):
        codes |= {member.value for member in kind}
    codes |= {member.value for member in UnitKind}
    codes |= set(policy.parse_policy(policy.default_document()).flat())
    for subsystem in catalogues.values():
        codes.add(subsystem.code)
        for duty in subsystem.duties:
            codes.add(duty.code)
            codes |= {role.code for role in duty.menu_roles}
    return codes


def looks_like_code(code: str) -> bool:
    """Codes no English sentence contains as they are (``unit_admin``, ``password.history``,
    ``mch``), checked on English pages too; the others (``active``) only on Chinese ones."""
    return "_" in code or "." in code or code in {"mch", "pwd", "mfa"}


def codes_in(text: str, codes: Iterable[str]) -> list[str]:
    return sorted(
        code for code in codes if re.search(rf"(?<![\w.@/-]){re.escape(code)}(?![\w@/-])", text)
    )
