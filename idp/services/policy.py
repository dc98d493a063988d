"""Security policy (password, lockout, captcha, session, dormancy, second factors) as
versioned data.

Security admins change it on the admin page or with ``idp policy``; every change is a
new version with who, when and why, and the newest version is the one in force. The
defaults ship as YAML in ``policies/``. Each field has one validation rule, in
``policy_sections``, used by the page, the command line and the defaults alike.
"""

from __future__ import annotations

import dataclasses
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Account, PolicyVersion
from . import audit
from .errors import DomainError, Text, text
from .policy_sections import SECTION_TYPES, SECTIONS, Policy

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
PRESETS = ("seeds", "nist")


class PolicyError(DomainError):
    """A policy value refused; ``problems`` lists each one."""

    def __init__(self, problems: list[Text]) -> None:
        super().__init__("；".join(str(p) for p in problems))
        self.problems = problems


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
