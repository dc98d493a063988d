"""Addresses a reset link can go to: changed only with the current password, in force once
the person (signed in) follows the link mailed to the new address, announced to the old
one; an admin cannot set one; 忘記密碼 mails only confirmed addresses; audited."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import select

from idp.hub import Hub
from idp.models import Account, AuditEvent, EmailChange, MailMessage, utcnow
from idp.oidc.claims import Principal, user_claims
from idp.services.accounts import lifecycle, profile
from idp.services.accounts.directory import find_by_username
from idp.services.errors import InvalidInput
from idp.services.signin import credentials, lockout

from ..support.applications import HOSPITAL, add_admin, add_unit
from ..support.helpers import PASSWORD, add_account

ISSUER = "http://127.0.0.1:5999"
ATTACKER = "attacker@evil.example"


def person(db, username: str = "tester01") -> Account:  # type: ignore[no-untyped-def]
    account = find_by_username(db, username)
    assert account is not None
    return account


def form(account: Account, **changes: str) -> dict[str, str]:
    values = {name: getattr(account, name) for name in profile.EDITABLE}
    values["title"] = account.title or "護理師"
    values.update(changes)
    return values


def change(hub: Hub, password: str, **changes: str) -> profile.ProfileUpdate:
    with hub.database.unit_of_work() as db:
        account = person(db)
        return profile.update_profile(
            db,
            partial(
                lockout.recheck_password,
                db,
                hub.passwords,
                hub.policy.current(),
                hub.throttle(),
                account,
                ip="",
            ),
            account,
            form(account, **changes),
            current_password=password,
            issuer=ISSUER,
            link_minutes=60,
        )


def mails(hub: Hub, kind: str) -> list[MailMessage]:
    with hub.database.unit_of_work() as db:
        found = db.scalars(select(MailMessage).where(MailMessage.kind == kind)).all()
        db.expunge_all()
        return list(found)


def link_token(message: MailMessage) -> str:
    return next(w for w in message.body.split() if profile.CONFIRM_PATH in w).rsplit("/", 1)[1]


def reset_links_to(hub: Hub, address: str, username: str = "tester01") -> int:
    with hub.database.unit_of_work() as db:
        credentials.request_reset(db, username=username, email=address)
    with hub.database.unit_of_work() as db:
        return credentials.handle_reset_requests(db, hub.policy.current().password, ISSUER)


def test_wrong_current_passwords_count_toward_the_lock(hub: Hub) -> None:
    """A session left open is no way to guess the password: wrong ones given on
    個人資料 and 修改密碼 count like wrong sign-ins, and once the account is locked even
    the right one is refused unchecked, on both pages."""
    add_account(hub)
    max_failures = hub.policy.current().lockout.max_failures
    for _ in range(max_failures - 1):
        with pytest.raises(profile.ProfileErrors):
            change(hub, "Wrong~Password9", email_backup=ATTACKER)
    with hub.database.unit_of_work() as db, pytest.raises(InvalidInput) as refused:
        credentials.change_password(
            db,
            hub.passwords,
            hub.policy.current(),
            hub.throttle(),
            person(db),
            current="Wrong~Password9",
            new="Another~Password42",
            confirm="Another~Password42",
        )
    assert "暫停登入至" in str(refused.value)
    with pytest.raises(profile.ProfileErrors) as locked:
        change(hub, PASSWORD, email_backup=ATTACKER)
    assert "暫停登入至" in str(locked.value.errors["current_password"])
    with hub.database.unit_of_work() as db:
        assert hub.throttle().locked(person(db).id)
        assert person(db).email_backup == ""
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "account.locked"))


def test_a_right_current_password_starts_the_count_again(hub: Hub) -> None:
    add_account(hub)
    max_failures = hub.policy.current().lockout.max_failures
    for _ in range(max_failures - 1):
        with pytest.raises(profile.ProfileErrors):
            change(hub, "Wrong~Password9", email_backup=ATTACKER)
    change(hub, PASSWORD, email_backup="mine@example.org")
    with pytest.raises(profile.ProfileErrors) as refused:
        change(hub, "Wrong~Password9", email_backup=ATTACKER)
    assert "暫停登入至" not in str(refused.value.errors["current_password"])


def test_changing_an_address_asks_for_the_current_password(hub: Hub) -> None:
    add_account(hub)
    for wrong in ("", "Wrong~Password9"):
        with pytest.raises(profile.ProfileErrors) as refused:
            change(hub, wrong, email_backup=ATTACKER)
        assert "current_password" in refused.value.errors
    with hub.database.unit_of_work() as db:
        assert person(db).email_backup == ""
        assert db.scalar(select(EmailChange)) is None
    assert mails(hub, "email_confirm") == []
    # Other fields need no password.
    assert change(hub, "", title="護理長").changed == ["title"]


def test_a_new_address_waits_for_its_link_and_the_old_one_is_told(hub: Hub) -> None:
    add_account(hub)  # wang@example.org, confirmed
    add_account(hub, username="intruder1")
    outcome = change(hub, PASSWORD, email_backup="wang.home@example.org")
    assert outcome.pending == ["email_backup"]
    with hub.database.unit_of_work() as db:
        assert person(db).email_backup == ""  # not yet
    [confirm] = mails(hub, "email_confirm")
    assert confirm.to == "wang.home@example.org"
    [notice] = mails(hub, "address_change_requested")
    assert notice.to == "wang@example.org" and "wang.home@example.org" in notice.body
    assert reset_links_to(hub, "wang.home@example.org") == 0
    token = link_token(confirm)
    with hub.database.unit_of_work() as db:  # someone else signed in cannot confirm it
        assert profile.confirm_email(db, token, person(db, "intruder1")) is None
    with hub.database.unit_of_work() as db:
        assert profile.confirm_email(db, token, person(db)) == "email_backup"
    with hub.database.unit_of_work() as db:
        account = person(db)
        assert account.email_backup == "wang.home@example.org"
        assert account.email_backup_confirmed_at is not None
        actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "profile.address_change_requested" in actions and "profile.email_confirmed" in actions
    assert reset_links_to(hub, "wang.home@example.org") == 1


def test_an_admin_cannot_set_a_recovery_address(hub: Hub) -> None:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_admin(hub, "hospadmin", HOSPITAL)
    add_account(hub)
    with hub.database.unit_of_work() as db:
        manager, account = person(db, "hospadmin"), person(db)
        details = lifecycle.AccountDetails(
            name=account.name,
            title="護理師",
            phone=account.phone,
            email=ATTACKER,
            email_backup="backup." + ATTACKER,
        )
        changed = lifecycle.edit_account(db, hub.managing(), manager, account, details)
        assert {"email", "email_backup"} <= set(changed)
    with hub.database.unit_of_work() as db:
        account = person(db)
        assert (account.email, account.email_backup) == ("wang@example.org", "")
    assert {m.to for m in mails(hub, "address_change_requested")} == {"wang@example.org"}
    for message in mails(hub, "email_confirm"):  # the admin, signed in, opens the links
        with hub.database.unit_of_work() as db:
            assert profile.confirm_email(db, link_token(message), person(db, "hospadmin")) is None
    assert reset_links_to(hub, ATTACKER) == 0
    assert reset_links_to(hub, "backup." + ATTACKER) == 0
    with hub.database.unit_of_work() as db:  # the admin's own reset link: the old address
        credentials.send_reset_link(
            db, hub.policy.current().password, ISSUER, person(db, "hospadmin"), person(db)
        )
    assert [m.to for m in mails(hub, "password_reset")] == ["wang@example.org"]


def test_forgot_password_mails_only_confirmed_addresses(hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:  # as an address set before confirmation existed
        person(db).email_backup = ATTACKER
    assert reset_links_to(hub, ATTACKER) == 0
    assert reset_links_to(hub, "wang@example.org") == 1


def test_email_verified_once_confirmed_by_link(hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        account = person(db)
        assert user_claims(Principal(account), "openid email")["email_verified"] is True
        account.email_confirmed_at = None
        assert user_claims(Principal(account), "openid email")["email_verified"] is False
        account.email_confirmed_at = utcnow()
