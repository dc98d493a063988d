"""Demo data for ``make run``: the demo unit list, a unit admin and a member in three
units and the authority (國健署), and the three subsystems (婦幼 mch, 癌整 cancer,
戒菸 cessation) registered as clients. ``hospadmin01`` holds two 婦幼 bindings (an admin
account at 示範綜合醫院, a member account at 示範診所) and one each to 癌整 and 戒菸; the
legacy 婦幼 accounts in ``idp/data/demo_legacy_mch.csv`` are imported unbound, their old
password being ``LEGACY_PASSWORD``; ``hospuser02`` is dormant, for 復權 to be tried on.
The authority has published a few announcements, the weekly maintenance banner among
them.

Client secrets are kept in ``instance/demo_clients.json`` for the demo subsystems to
read; loading again keeps them (or issues new ones if that file is gone).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .hub import Hub
from .models import (
    Account,
    AccountRole,
    AccountStatus,
    Announcement,
    SubsystemAccount,
    Unit,
    utcnow,
)
from .services import audit, policy
from .services.accounts.directory import create_account, find_by_username
from .services.portal import announcements
from .services.subsystems.bindings import bind_new_subsystem_account
from .services.subsystems.clients import (
    ClientRegistration,
    find_client,
    register_client,
    reset_secret,
)
from .services.subsystems.legacy_import import import_accounts
from .services.tokens import signing_keys
from .services.units.directory import find_by_code
from .services.units.importing import load_demo_units

DEMO_PASSWORD = "Demo~Pass2026"
#: The old 婦幼 password of the demo's legacy accounts (mch_legacy01, mch_legacy02).
LEGACY_PASSWORD = "Legacy~Mch2019"
DEMO_LEGACY_MCH = Path(__file__).resolve().parent / "data" / "demo_legacy_mch.csv"
#: The demo person with several bindings, and their second 婦幼 account's unit.
SWITCHING_PERSON = "hospadmin01"
SECOND_MCH_UNIT = "3501200000"


@dataclass(frozen=True)
class DemoSubsystem:
    client_id: str
    name: str
    #: Its port after the first demo subsystem's.
    offset: int


SUBSYSTEMS = (
    DemoSubsystem("mch", "婦幼健康管理整合系統", 0),
    DemoSubsystem("cancer", "癌症篩檢與追蹤管理資訊整合系統", 1),
    DemoSubsystem("cessation", "戒菸服務系統", 2),
)
FIRST_RP_PORT = 5001
#: A member who has not signed in for longer than the dormancy policy allows, for a unit
#: admin to restore (復權).
DORMANT_PERSON = "hospuser02"
DORMANT_UNIT = "0101090517"

#: Demo units (from ``idp/data/demo_units.csv``) with accounts, and their account prefixes.
#: The authority's admin (hpaadmin01) reviews unit-admin applications of every unit; the
#: 臺北市 bureau's (bureauadmin01) oversees 示範綜合醫院.
UNITS = (
    ("376570300I", "hs"),
    ("0101090517", "hosp"),
    ("3501200000", "clinic"),
    ("9901000001", "bureau"),
    ("9900000001", "hpa"),
)


def demo_clients_file(hub: Hub) -> Path:
    return hub.settings.instance_dir() / "demo_clients.json"


def load_demo(db: Session, hub: Hub, rp_base: str, first_port: int = FIRST_RP_PORT) -> str:
    signing_keys.ensure_keys(db, hub.key_box)
    policy.ensure_policy(db)
    lines = ["Demo accounts (password for all: " + DEMO_PASSWORD + "):"]
    load_demo_units(db)
    for code, short in UNITS:
        unit = find_by_code(db, code)
        assert unit is not None, code
        for role, suffix, person in (
            (AccountRole.UNIT_ADMIN, "admin", "管理者"),
            (AccountRole.MEMBER, "user", "使用者"),
        ):
            username = f"{short}{suffix}01"
            account = find_by_username(db, username)
            if account is None:
                account = create_account(
                    db,
                    hub.passwords,
                    username=username,
                    password=DEMO_PASSWORD,
                    name=f"{unit.name}{person}",
                    email=f"{username}@example.org",
                    phone=unit.phone,
                    unit=unit,
                    role=role,
                )
                audit.record(db, "account.create", actor="demo", target=username)
            if role is AccountRole.UNIT_ADMIN and short != "hpa":
                _hold_subsystem_admin_accounts(db, hub, account, unit)
            lines.append(f"  {username:<14} {role.value:<10} {unit.name} ({code})")
    if find_by_username(db, "secadmin01") is None:
        security_admin = create_account(
            db,
            hub.passwords,
            username="secadmin01",
            password=DEMO_PASSWORD,
            name="資安管理者",
            email="secadmin01@example.org",
        )
        security_admin.is_security_admin = True
        audit.record(db, "account.create", actor="demo", target="secadmin01")
    lines.append("  secadmin01     security admin (policy, locks, mail outbox in development)")
    _dormant_member(db, hub)
    lines.append(f"  {DORMANT_PERSON:<14} member     dormant, for a unit admin to restore (復權)")
    _hold_second_mch_account(db, hub)
    _announce(db, hub)
    import_accounts(db, hub.catalogues["mch"], DEMO_LEGACY_MCH)
    lines.append(
        f"Legacy 婦幼 accounts to bind (old password {LEGACY_PASSWORD}): mch_legacy01, mch_legacy02"
    )

    path = demo_clients_file(hub)
    known: dict[str, dict[str, object]] = json.loads(path.read_text()) if path.exists() else {}
    clients: dict[str, dict[str, object]] = {}
    for sub in SUBSYSTEMS:
        port = first_port + sub.offset
        base = f"{rp_base}:{port}"
        client = find_client(db, sub.client_id)
        secret = str(known.get(sub.client_id, {}).get("client_secret", ""))
        if client is None:
            client, new_secret = register_client(
                db,
                hub.client_secrets,
                ClientRegistration(
                    client_id=sub.client_id,
                    name=sub.name,
                    redirect_uris=[f"{base}/callback"],
                    post_logout_redirect_uris=[f"{base}/"],
                    backchannel_logout_uri=f"{base}/backchannel-logout",
                    initiate_login_uri=f"{base}/initiate-login",
                    grant_types=["authorization_code", "refresh_token"],
                ),
            )
            secret = new_secret or ""
            audit.record(db, "client.create", actor="demo", target=sub.client_id)
        elif not secret or not hub.client_secrets.check(client.secret_hash, secret):
            secret = reset_secret(db, hub.client_secrets, client)
        # Demo data from before switch-in: the subsystems take it now.
        client.initiate_login_uri = f"{base}/initiate-login"
        client.scope = ClientRegistration(name=sub.name).scope
        clients[sub.client_id] = {
            "client_secret": secret,
            "name": sub.name,
            "port": port,
            "url": base,
        }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(clients, handle, ensure_ascii=False, indent=2)
    lines.append("Apply for an account: " + hub.settings.issuer_url + "/apply")
    lines.append("Demo subsystems:")
    lines.extend(f"  {sub.name}: {rp_base}:{first_port + sub.offset}/" for sub in SUBSYSTEMS)
    return "\n".join(lines)


def _dormant_member(db: Session, hub: Hub) -> None:
    if find_by_username(db, DORMANT_PERSON) is not None:
        return
    unit = find_by_code(db, DORMANT_UNIT)
    assert unit is not None
    account = create_account(
        db,
        hub.passwords,
        username=DORMANT_PERSON,
        password=DEMO_PASSWORD,
        name=f"{unit.name}久未登入者",
        email=f"{DORMANT_PERSON}@example.org",
        phone=unit.phone,
        unit=unit,
        status=AccountStatus.DORMANT,
    )
    account.last_signin_at = utcnow() - timedelta(days=200)
    audit.record(db, "account.create", actor="demo", target=DORMANT_PERSON)


def _hold_subsystem_admin_accounts(db: Session, hub: Hub, account: Account, unit: Unit) -> None:
    """Give a demo unit admin a bound admin account in each subsystem, with the first duty
    the unit's kind may hold, so that they can review their unit's subsystem requests."""
    for subsystem in hub.catalogues.values():
        duties = subsystem.duties_for(unit.kind)
        username = f"{account.username}@{unit.code}"
        if not duties or db.scalar(
            select(SubsystemAccount).where(
                SubsystemAccount.subsystem == subsystem.code, SubsystemAccount.username == username
            )
        ):
            continue
        duty = duties[0]
        bind_new_subsystem_account(
            db,
            subsystem,
            account.id,
            SubsystemAccount(
                subsystem=subsystem.code,
                username=username,
                unit_id=unit.id,
                role=AccountRole.UNIT_ADMIN,
                duty=duty.code,
                menu_roles=[role.code for role in duty.menu_roles[:2]],
            ),
        )


#: Demo announcements by the authority (title, category, pinned, audience roles).
DEMO_ANNOUNCEMENTS = (
    ("本系統於每週六 22:00 至 02:00 進行例行性維護，請避免於該時段使用", "maintenance", True, ()),
    ("【新功能上線】登入後請點選「帳號簽入」前往子系統", "notice", False, ()),
    ("單位業務管理者請於每月檢視所屬人員帳號", "notice", False, ("unit_admin",)),
)


def _announce(db: Session, hub: Hub) -> None:
    """The demo's announcements, written by the authority's admin (once)."""
    if db.scalar(select(Announcement.id).limit(1)) is not None:
        return
    author = find_by_username(db, "hpaadmin01")
    assert author is not None
    for order, (title, category, pinned, roles) in enumerate(DEMO_ANNOUNCEMENTS):
        announcements.save(
            db,
            hub.catalogues,
            author,
            announcements.AnnouncementForm(
                title=title,
                body=f"<p>{title}</p>",
                category=category,
                subsystem="",
                starts_at=utcnow() - timedelta(days=1),
                audience_roles=roles,
                sort_order=order * 10,
                pinned=pinned,
                published=True,
            ),
            ip="demo",
        )


def _hold_second_mch_account(db: Session, hub: Hub) -> None:
    """A 婦幼 member account at another unit for the demo person, so that switching
    between two bindings of one subsystem can be tried."""
    account = find_by_username(db, SWITCHING_PERSON)
    unit = find_by_code(db, SECOND_MCH_UNIT)
    assert account is not None and unit is not None
    username = f"{SWITCHING_PERSON}@{SECOND_MCH_UNIT}"
    if db.scalar(
        select(SubsystemAccount).where(
            SubsystemAccount.subsystem == "mch", SubsystemAccount.username == username
        )
    ):
        return
    duty = hub.catalogues["mch"].duties_for(unit.kind)[0]
    bind_new_subsystem_account(
        db,
        hub.catalogues["mch"],
        account.id,
        SubsystemAccount(
            subsystem="mch",
            username=username,
            unit_id=unit.id,
            role=AccountRole.MEMBER,
            duty=duty.code,
            menu_roles=[role.code for role in duty.menu_roles[:1]],
        ),
    )
