"""Binding (業務子系統帳號綁定): proving a subsystem account is yours by its old password,
throttled and locked like sign-in; labels; one hub account per subsystem account."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from idp.hub import Hub
from idp.models import Account, AuditEvent, Binding, InboxMessage
from idp.services.accounts.directory import find_by_username
from idp.services.errors import InvalidInput, NotFound
from idp.services.subsystems import bindings
from idp.services.subsystems.bindings import BindingRefused

from ..support.helpers import add_account, client_sign_in, page_fields
from ..support.switch_in import LEGACY_PASSWORD, legacy_account


def _attempt(
    hub: Hub, owner: str, username: str, password: str, label: str
) -> str | BindingRefused | InvalidInput:
    """One binding attempt in its own unit of work, committed either way (as the page
    does): the binding's public id, or the refusal."""
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, owner)
        assert account is not None
        try:
            binding = bindings.bind(
                db,
                hub.throttle(),
                account,
                hub.catalogues["mch"],
                label=label,
                username=username,
                password=password,
                ip="192.0.2.10",
            )
        except (BindingRefused, InvalidInput) as refused:
            return refused
        return binding.public_id


def _bind(hub: Hub, owner: str, username: str, password: str, label: str = "婦幼舊帳號") -> str:
    result = _attempt(hub, owner, username, password, label)
    assert isinstance(result, str), result
    return result


def _refused(hub: Hub, owner: str, username: str, password: str, label: str = "婦幼舊帳號") -> str:
    result = _attempt(hub, owner, username, password, label)
    assert not isinstance(result, str), "bound"
    return result.message


def test_binding_needs_the_old_password_and_locks_after_repeated_failures(hub: Hub) -> None:
    add_account(hub)
    legacy_account(hub, "mch_old01")
    max_failures = hub.policy.current().lockout.max_failures
    unknown = _refused(hub, "tester01", "no_such_account", "whatever")
    wrong = _refused(hub, "tester01", "mch_old01", "wrong password")
    assert unknown == wrong  # no telling which subsystem accounts exist
    for _ in range(max_failures - 1):
        _refused(hub, "tester01", "mch_old01", "wrong password")
    # Locked now: even the right password is refused, with the same message.
    assert _refused(hub, "tester01", "mch_old01", LEGACY_PASSWORD) == wrong
    with hub.database.unit_of_work() as db:
        actions = list(db.scalars(select(AuditEvent.action)))
    assert "subsystem_account.locked" in actions
    assert actions.count("binding.failure") == max_failures + 2


def test_binding_is_throttled_per_address(hub: Hub) -> None:
    add_account(hub)
    legacy_account(hub, "mch_old01")
    lockout = hub.policy.current().lockout
    for number in range(lockout.address_failures):
        _refused(hub, "tester01", f"unknown{number}", "x")
    assert "稍後" in _refused(hub, "tester01", "mch_old01", LEGACY_PASSWORD)


def test_binding_with_the_right_password_is_audited_and_told(hub: Hub) -> None:
    add_account(hub)
    legacy_account(hub, "mch_old01")
    public_id = _bind(hub, "tester01", "mch_old01", LEGACY_PASSWORD)
    assert public_id.startswith("bnd_") and len(public_id) > 20
    with hub.database.unit_of_work() as db:
        binding = db.scalar(select(Binding).where(Binding.public_id == public_id))
        assert binding is not None and binding.label == "婦幼舊帳號"
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "binding.create"))
        assert event is not None and event.target == "mch_old01"
        assert LEGACY_PASSWORD not in str(event.details)
        assert db.scalar(select(InboxMessage).where(InboxMessage.subject.contains("已綁定")))


@pytest.mark.parametrize("label", ["", "   ", "一二三四五六七八九十一"])
def test_label_is_required_and_at_most_ten_characters(hub: Hub, label: str) -> None:
    add_account(hub)
    legacy_account(hub, "mch_old01")
    _refused(hub, "tester01", "mch_old01", LEGACY_PASSWORD, label=label)
    assert _bind(hub, "tester01", "mch_old01", LEGACY_PASSWORD, label="一二三四五六七八九十")


def test_a_subsystem_account_is_bound_to_one_hub_account_only(hub: Hub) -> None:
    add_account(hub)
    add_account(hub, "other001", email="other@example.org")
    legacy_account(hub, "mch_old01")
    _bind(hub, "tester01", "mch_old01", LEGACY_PASSWORD)
    assert "其他單一入口帳號" in _refused(hub, "other001", "mch_old01", LEGACY_PASSWORD)
    assert "您的帳號" in _refused(hub, "tester01", "mch_old01", LEGACY_PASSWORD)


def test_relabel_and_unbind_only_ones_own_bindings(hub: Hub) -> None:
    add_account(hub)
    add_account(hub, "other001", email="other@example.org")
    legacy_account(hub, "mch_old01")
    public_id = _bind(hub, "tester01", "mch_old01", LEGACY_PASSWORD)
    with hub.database.unit_of_work() as db:
        other = find_by_username(db, "other001")
        assert other is not None
        with pytest.raises(NotFound):
            bindings.relabel(db, other, public_id, "搶來的", "192.0.2.1")
        with pytest.raises(NotFound):
            bindings.unbind(db, hub.revocation, other, public_id, "192.0.2.1")
    with hub.database.unit_of_work() as db:
        owner = find_by_username(db, "tester01")
        assert owner is not None
        with pytest.raises(InvalidInput):
            bindings.relabel(db, owner, public_id, "x" * 11, "192.0.2.1")
        bindings.relabel(db, owner, public_id, "新名稱", "192.0.2.1")
        bindings.unbind(db, hub.revocation, owner, public_id, "192.0.2.1")
    with hub.database.unit_of_work() as db:
        assert db.scalar(select(Binding)) is None
        actions = set(db.scalars(select(AuditEvent.action)))
        assert {"binding.relabel", "binding.delete"} <= actions
        assert len(list(db.scalars(select(InboxMessage)))) == 3
    # Unbound, the subsystem account can be bound again.
    _bind(hub, "other001", "mch_old01", LEGACY_PASSWORD)


def test_binding_page_binds_lists_and_refuses_long_labels(app: Flask, hub: Hub) -> None:
    add_account(hub)
    legacy_account(hub, "mch_old01")
    client = app.test_client()
    client_sign_in(client, hub)
    page = client.get("/apply/subsystems").get_data(as_text=True)
    assert 'maxlength="10"' not in page  # a long label is refused with a message, not cut
    token = page_fields(page)["csrf_token"]
    form = {
        "csrf_token": token,
        "label": "一二三四五六七八九十一",
        "subsystem": "mch",
        "username": "mch_old01",
        "password": LEGACY_PASSWORD,
    }
    refused = client.post("/apply/subsystems/bind", data=form)
    assert refused.status_code == 400
    assert "綁定名稱最多 10 個字" in refused.get_data(as_text=True)
    assert client.post("/apply/subsystems/bind", data=dict(form, csrf_token="")).status_code == 400
    done = client.post("/apply/subsystems/bind", data=dict(form, label="婦幼舊帳號"))
    assert done.status_code == 302
    listed = client.get("/apply/subsystems").get_data(as_text=True)
    assert "婦幼舊帳號" in listed and "mch_old01" in listed
    assert "帳號簽入" in listed
    with hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "tester01"))
        assert account is not None
        held = db.scalar(select(Binding).where(Binding.account_id == account.id))
        assert held is not None
        assert held.subsystem_account.legacy_password_hash not in listed
