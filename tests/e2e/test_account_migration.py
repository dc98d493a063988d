"""Cut-over from the old portal, end to end: ``idp subsystems import-accounts`` and
``idp accounts import`` as programs, then a migrated person at a live hub — signing in to
婦幼 (Authlib's client) with the old password, made to choose a new one first, and
arriving as the bound 婦幼 account."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from urllib.parse import urljoin

from passlib import hash as passlib_hash
from sqlalchemy import select

from idp.models import Account, AuditEvent
from idp.services.accounts.migration import HEADER

from ..support.applications import HOSPITAL, add_unit, national_id
from ..support.cli import idp
from ..support.helpers import Person, add_client, form_with
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start, verify_id_token

OLD_PASSWORD = "old-portal-pw1"
NEW_PASSWORD = "Brand~New2Password"


def test_a_migrated_person_signs_in_changes_the_password_and_reaches_the_bound_account(
    live_hub: LiveHub, tmp_path: Path
) -> None:
    hub = live_hub.hub
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    mch = add_client(hub, client_id="mch")
    legacy = tmp_path / "mch.csv"
    sha = passlib_hash.sha256_crypt.using(rounds=1000).hash("mch-old-pw")
    legacy.write_text(
        "account,unit_code,role,duty,menu_roles,status,password_hash\n"
        f"mchold01,{HOSPITAL},member,medical_institution,prenatal_care,active,{sha}\n",
        encoding="utf-8",
    )
    loaded = idp(hub, "subsystems", "import-accounts", "mch", str(legacy))
    assert loaded.returncode == 0, loaded.stderr
    portal = tmp_path / "portal.csv"
    with portal.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        old_hash = hashlib.md5(OLD_PASSWORD.encode()).hexdigest()  # noqa: S324 - old format
        writer.writerow(
            [
                HOSPITAL,
                "oldwang01",
                "王舊人",
                national_id(),
                "wang@example.org",
                "02-12345678",
                "",
                "member",
                "active",
                old_hash,
                "mch:mchold01",
            ]
        )
        writer.writerow([HOSPITAL, "x", "王", "", "", "", "", "member", "active", "", ""])
    imported = idp(hub, "accounts", "import", str(portal))
    assert imported.returncode == 0, imported.stderr
    assert "line 3:" in imported.stdout and "created 1" in imported.stdout
    assert (
        idp(hub, "accounts", "import", str(portal))
        .stdout.strip()
        .endswith("created 0, updated 0, unchanged 1, rejected 1")
    )

    person = Person(hub, live_hub.url, username="oldwang01", password=OLD_PASSWORD)
    session = oidc_client(live_hub, mch, scope="openid profile subsystem")
    url, verifier, nonce = start(live_hub, session)
    page = person.follow(person.http.get(url, allow_redirects=False))
    assert not isinstance(page, str)
    page = person.follow(person.sign_in_form(page))
    # The old password is good for one thing: choosing a new one.
    assert not isinstance(page, str) and 'name="new_password"' in page.text
    form = form_with(page.text, "new_password")
    data = dict(
        form["fields"],
        current_password=OLD_PASSWORD,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    callback = person.follow(
        person.http.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)
    )
    if not isinstance(callback, str):  # consent, when the hub asks for it
        callback = person.authorize(callback.url)
    token = exchange(live_hub, session, callback, verifier)
    claims = verify_id_token(live_hub, token["id_token"], "mch", nonce)
    assert claims["subsystem_account"] == "mchold01"
    assert session.get(live_hub.url + "/userinfo").json()["subsystem_account"] == "mchold01"

    with hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "oldwang01"))
        assert account is not None and not account.must_change_password
        assert account.password_hash.startswith("$argon2")
        assert hub.passwords.check(account.password_hash, NEW_PASSWORD)
        assert db.query(AuditEvent).filter_by(action="accounts.import").count() == 2
    # Loading the file again never brings the old password back.
    again = idp(hub, "accounts", "import", str(portal))
    assert again.stdout.strip().endswith("created 0, updated 0, unchanged 1, rejected 1")
    with hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "oldwang01"))
        assert account is not None and hub.passwords.check(account.password_hash, NEW_PASSWORD)
