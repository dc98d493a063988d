"""Card sign-in, step-up, enrolment and application verification over HTTP: a live hub,
the card agent running against SoftHSM2 development cards, and a real OIDC client."""

from __future__ import annotations

import requests

from idp.models import AuditEvent, CardEnrolment
from idp.services.signin.steps import ACR_CARD, ACR_PASSWORD, ACR_PHISHING_RESISTANT

from ..support.applications import add_unit, apply_confirmed
from ..support.cards import (
    INSTITUTION_UNIT,
    Agent,
    add_unit_admin,
    card_answer,
    card_sign_in,
    post,
)
from ..support.helpers import PASSWORD, Person, add_account, add_client, form_with, query
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start, verify_id_token


def test_discovery_lists_the_card_level_last(card_hub: LiveHub) -> None:
    metadata = requests.get(card_hub.url + "/.well-known/openid-configuration", timeout=10).json()
    levels = metadata["acr_values_supported"]
    assert levels[0] == ACR_PASSWORD and levels[-1] == ACR_CARD


def test_a_card_meets_the_phishing_resistant_level(card_hub: LiveHub, agent: Agent) -> None:
    """A subsystem asking for a passkey or a card: the sign-in page offers both, and the
    card's sign-in answers it with the card level."""
    add_unit_admin(card_hub)
    client = add_client(card_hub.hub)
    person = Person(card_hub.hub, card_hub.url, "admin001")
    session = oidc_client(card_hub, client)
    url, verifier, nonce = start(card_hub, session, acr_values=ACR_PHISHING_RESISTANT)
    page = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(page, requests.Response)
    assert "此系統需要以通行密鑰或卡片登入" in page.text
    answer = card_sign_in(
        person,
        agent,
        page,
        "Institution",
        card_kind="institution",
        username="admin001",
        password=PASSWORD,
        rid=form_with(page.text, "rid")["fields"]["rid"],
    )
    callback = person.follow(answer)
    assert isinstance(callback, str), callback
    token = exchange(card_hub, session, callback, verifier)
    claims = verify_id_token(card_hub, token["id_token"], client.client_id, nonce)
    assert claims["acr"] == ACR_CARD


def test_institution_card_and_password_step_up_for_a_client_that_requires_the_card(
    card_hub: LiveHub, agent: Agent
) -> None:
    add_unit_admin(card_hub)
    client = add_client(card_hub.hub, min_acr=ACR_CARD)
    person = Person(card_hub.hub, card_hub.url, "admin001")
    person.sign_in_at_home()  # password only
    session = oidc_client(card_hub, client)
    url, verifier, nonce = start(card_hub, session)
    page = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(page, requests.Response)
    assert "此系統需要以卡片登入" in page.text  # no code for a password-only session
    rid = form_with(page.text, "rid")["fields"]["rid"]
    answer = card_sign_in(
        person,
        agent,
        page,
        "Institution",
        card_kind="institution",
        username="admin001",
        password=PASSWORD,
        rid=rid,
    )
    callback = person.follow(answer)
    assert isinstance(callback, str), callback
    token = exchange(card_hub, session, callback, verifier)
    claims = verify_id_token(card_hub, token["id_token"], client.client_id, nonce)
    assert claims["acr"] == ACR_CARD
    assert sorted(claims["amr"]) == ["mfa", "pin", "pwd", "sc"]
    # A resource server learns the level from introspection (RFC 9470 section 6.1).
    introspected = requests.post(
        card_hub.url + "/introspect",
        auth=(client.client_id, client.secret or ""),
        data={"token": token["access_token"]},
        timeout=10,
    ).json()
    assert introspected["acr"] == ACR_CARD
    assert introspected["auth_time"] == claims["auth_time"]
    with card_hub.hub.database.unit_of_work() as db:
        event = db.query(AuditEvent).filter_by(action="signin.success", actor="admin001").all()[-1]
        assert sorted(event.details["amr"]) == ["mfa", "pin", "pwd", "sc"]


def test_acr_values_asks_for_the_card_and_password_only_clients_are_not_bothered(
    card_hub: LiveHub, agent: Agent
) -> None:
    add_unit_admin(card_hub)
    client = add_client(card_hub.hub)
    person = Person(card_hub.hub, card_hub.url, "admin001")
    person.sign_in_at_home()
    session = oidc_client(card_hub, client)
    url, verifier, nonce = start(card_hub, session)
    callback = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(callback, str)
    claims = verify_id_token(
        card_hub,
        exchange(card_hub, session, callback, verifier)["id_token"],
        client.client_id,
        nonce,
    )
    assert claims["acr"] == ACR_PASSWORD
    url, _, _ = start(card_hub, oidc_client(card_hub, client), acr_values=ACR_CARD)
    page = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(page, requests.Response) and "此系統需要以卡片登入" in page.text
    url, _, _ = start(card_hub, oidc_client(card_hub, client), acr_values=ACR_CARD, prompt="none")
    refused = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(refused, str) and query(refused)["error"] == "login_required"


def test_institution_card_of_another_unit_is_refused(card_hub: LiveHub, agent: Agent) -> None:
    add_unit_admin(card_hub, "admin002", unit="0101090517")
    person = Person(card_hub.hub, card_hub.url, "admin002")
    page = person.http.get(card_hub.url + "/signin")
    answer = card_sign_in(
        person,
        agent,
        page,
        "Institution",
        card_kind="institution",
        username="admin002",
        password=PASSWORD,
    )
    assert answer.status_code == 401
    assert "此卡片無法登入此帳號" in answer.text
    with card_hub.hub.database.unit_of_work() as db:
        event = db.query(AuditEvent).filter_by(action="signin.failure").all()[-1]
        assert event.details["reason"] == "card:other_unit"


def test_replayed_card_answer_is_refused(card_hub: LiveHub, agent: Agent) -> None:
    add_unit_admin(card_hub)
    person = Person(card_hub.hub, card_hub.url, "admin001")
    page = person.http.get(card_hub.url + "/signin")
    data = card_answer(person, agent, page, "/signin/card", "signin", "Institution")
    data.update(card_kind="institution", username="admin001", password="wrong-password")
    first = post(person, dict(data))
    assert first.status_code == 401
    data["password"] = PASSWORD
    again = post(person, data)
    assert again.status_code == 401
    assert "驗證已逾時" in again.text


def test_personnel_card_signs_in_alone_once_enrolled(card_hub: LiveHub, agent: Agent) -> None:
    add_account(card_hub.hub, "member01")
    stranger = Person(card_hub.hub, card_hub.url, "nobody")
    page = stranger.http.get(card_hub.url + "/signin")
    refused = card_sign_in(stranger, agent, page, "Personnel", card_kind="personnel")
    assert refused.status_code == 401 and "此卡片無法登入此帳號" in refused.text

    member = Person(card_hub.hub, card_hub.url, "member01")
    member.sign_in_at_home()
    page = member.http.get(card_hub.url + "/account/card")
    assert page.status_code == 200
    institution = card_answer(member, agent, page, "/account/card", "enrol", "Institution")
    assert post(member, institution).status_code == 400  # an institution card is no personnel card
    enrolled = post(member, card_answer(member, agent, page, "/account/card", "enrol", "Personnel"))
    assert enrolled.status_code == 302
    with card_hub.hub.database.unit_of_work() as db:
        assert db.query(CardEnrolment).count() == 1
        assert db.query(AuditEvent).filter_by(action="card.enrol", actor="member01").count() == 1

    fresh = Person(card_hub.hub, card_hub.url)
    page = fresh.http.get(card_hub.url + "/signin")
    home = card_sign_in(fresh, agent, page, "Personnel", card_kind="personnel")
    assert home.status_code == 302
    client = add_client(card_hub.hub, min_acr=ACR_CARD)
    session = oidc_client(card_hub, client)
    url, verifier, nonce = start(card_hub, session)
    callback = fresh.follow(fresh.http.get(url, allow_redirects=False))
    assert isinstance(callback, str)
    claims = verify_id_token(
        card_hub,
        exchange(card_hub, session, callback, verifier)["id_token"],
        client.client_id,
        nonce,
    )
    assert claims["acr"] == ACR_CARD
    assert sorted(claims["amr"]) == ["pin", "sc"]


# 醫事機構卡驗證 of a unit-admin application ------------------------------------------


def unit_admin_application(live: LiveHub, unit: str) -> Person:
    add_unit(live.hub, unit, "申請單位")
    applicant = Person(live.hub, live.url, "newadmin01")
    answer = apply_confirmed(
        live,
        applicant.http,
        role="unit_admin",
        unit_code=unit,
        subsystems=[],
        username="newadmin01",
    )
    assert answer.status_code == 302, answer.text[:500]
    return applicant


def account_status(live: LiveHub, username: str) -> str:
    from idp.models import Account

    with live.hub.database.unit_of_work() as db:
        return db.query(Account).filter_by(username=username).one().status.value


def test_application_verified_by_the_units_institution_card_is_active_at_once(
    card_hub: LiveHub, agent: Agent
) -> None:
    applicant = unit_admin_application(card_hub, INSTITUTION_UNIT)
    page = applicant.http.get(card_hub.url + "/apply/progress")
    assert "驗證機構卡" in page.text
    personnel = card_answer(applicant, agent, page, "/apply/card", "verify", "Personnel")
    assert post(applicant, personnel).status_code == 400  # wrong kind of card
    signin_challenge = card_answer(applicant, agent, page, "/apply/card", "signin", "Institution")
    assert post(applicant, signin_challenge).status_code == 400  # made for another purpose
    assert account_status(card_hub, "newadmin01") == "pending"
    verified = post(
        applicant, card_answer(applicant, agent, page, "/apply/card", "verify", "Institution")
    )
    assert verified.status_code == 302
    assert account_status(card_hub, "newadmin01") == "active"
    done = applicant.http.get(card_hub.url + "/apply/progress?verified=1")
    assert "醫事機構卡驗證成功" in done.text and "驗證機構卡" not in done.text
    with card_hub.hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="application.card_verified").count() == 1


def test_institution_card_of_another_unit_leaves_the_application_on_paper(
    card_hub: LiveHub, agent: Agent
) -> None:
    applicant = unit_admin_application(card_hub, "0101090517")
    page = applicant.http.get(card_hub.url + "/apply/progress")
    refused = post(
        applicant, card_answer(applicant, agent, page, "/apply/card", "verify", "Institution")
    )
    assert refused.status_code == 400
    assert "此卡片不是申請單位的醫事機構卡" in refused.text
    assert "紙本審核" in refused.text  # the fallback stays offered
    assert account_status(card_hub, "newadmin01") == "pending"
    with card_hub.hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="application.card_refused").count() == 1
