"""Demo data for ``make run``: three units, a unit admin and a member in each, and the
three subsystems (婦幼 mch, 癌整 cancer, 戒菸 cessation) registered as clients.

Client secrets are kept in ``instance/demo_clients.json`` for the demo subsystems to
read; loading again keeps them (or issues new ones if that file is gone).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from .hub import Hub
from .models import AccountRole
from .services import audit, policy, signing_keys
from .services.accounts import create_account, find_by_username
from .services.clients import ClientRegistration, find_client, register_client, reset_secret
from .services.units import ensure_unit

DEMO_PASSWORD = "Demo~Pass2026"


@dataclass(frozen=True)
class DemoSubsystem:
    client_id: str
    name: str
    port: int


SUBSYSTEMS = (
    DemoSubsystem("mch", "婦幼健康管理整合系統", 5001),
    DemoSubsystem("cancer", "癌症篩檢與追蹤管理資訊整合系統", 5002),
    DemoSubsystem("cessation", "戒菸服務系統", 5003),
)

UNITS = (
    ("376570300I", "臺中市示範區衛生所", "hs"),
    ("0101090517", "示範綜合醫院", "hosp"),
    ("3501200000", "示範診所", "clinic"),
)


def demo_clients_file(hub: Hub) -> Path:
    return hub.settings.instance_dir() / "demo_clients.json"


def load_demo(db: Session, hub: Hub, rp_base: str) -> str:
    signing_keys.ensure_keys(db, hub.key_box)
    policy.ensure_policy(db)
    lines = ["Demo accounts (password for all: " + DEMO_PASSWORD + "):"]
    for code, name, short in UNITS:
        unit = ensure_unit(db, code, name)
        for role, suffix, person in (
            (AccountRole.UNIT_ADMIN, "admin", "管理者"),
            (AccountRole.MEMBER, "user", "使用者"),
        ):
            username = f"{short}{suffix}01"
            if find_by_username(db, username) is None:
                create_account(
                    db,
                    hub.passwords,
                    username=username,
                    password=DEMO_PASSWORD,
                    name=f"{name}{person}",
                    email=f"{username}@example.org",
                    unit=unit,
                    role=role,
                )
                audit.record(db, "account.create", actor="demo", target=username)
            lines.append(f"  {username:<14} {role.value:<10} {name} ({code})")
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

    path = demo_clients_file(hub)
    known: dict[str, dict[str, object]] = json.loads(path.read_text()) if path.exists() else {}
    clients: dict[str, dict[str, object]] = {}
    for sub in SUBSYSTEMS:
        base = f"{rp_base}:{sub.port}"
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
                    grant_types=["authorization_code", "refresh_token"],
                ),
            )
            secret = new_secret or ""
            audit.record(db, "client.create", actor="demo", target=sub.client_id)
        elif not secret or not hub.client_secrets.check(client.secret_hash, secret):
            secret = reset_secret(db, hub.client_secrets, client)
        clients[sub.client_id] = {
            "client_secret": secret,
            "name": sub.name,
            "port": sub.port,
            "url": base,
        }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(clients, handle, ensure_ascii=False, indent=2)
    lines.append("Demo subsystems:")
    lines.extend(f"  {sub.name}: {rp_base}:{sub.port}/" for sub in SUBSYSTEMS)
    return "\n".join(lines)
