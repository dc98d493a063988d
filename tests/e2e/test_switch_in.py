"""Switch-in (帳號簽入): third-party-initiated login (OpenID Connect Core section 4), the
binding a ``login_hint`` names, the account chooser, and the ``subsystem`` claims — with
Authlib's client against a live hub."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import select

from clients.demo_rp import RelyingParty, create_rp
from idp.models import AccountRole, AuditEvent, SubsystemSignin
from idp.services.accounts.directory import find_by_username
from idp.services.reports import listings
from idp.services.reviews import decisions as reviews

from ..support.applications import (
    APPLICANT_PASSWORD,
    HOSPITAL,
    MCH_MEMBER,
    add_admin,
    add_unit,
    applying,
    member_form,
    submit_confirmed,
)
from ..support.helpers import (
    REDIRECT_URI,
    ClientInfo,
    Person,
    add_account,
    add_client,
    form_with,
    forms,
    query,
)
from ..support.hub import LiveHub
from ..support.listing import rows
from ..support.oidc import exchange, oidc_client, start, verify_id_token
from ..support.switch_in import CLINIC, hold

SCOPE = "openid profile unit subsystem"
INITIATE = "http://127.0.0.1:9/initiate-login"


@pytest.fixture
def mch(live_hub: LiveHub) -> ClientInfo:
    return add_client(live_hub.hub, client_id="mch", initiate_login_uri=INITIATE)


@pytest.fixture
def cancer(live_hub: LiveHub) -> ClientInfo:
    return add_client(live_hub.hub, client_id="cancer")


@pytest.fixture
def person(live_hub: LiveHub) -> Person:
    add_account(live_hub.hub)
    person = Person(live_hub.hub, live_hub.url)
    person.sign_in_at_home()
    return person


def sign_in_as(
    live: LiveHub, client: ClientInfo, person: Person, **params: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A code flow with Authlib's client: the verified ID token's claims and userinfo."""
    session = oidc_client(live, client, scope=SCOPE)
    url, verifier, nonce = start(live, session, **params)
    callback = person.authorize(url)
    token = exchange(live, session, callback, verifier)
    claims = verify_id_token(live, token["id_token"], client.client_id, nonce)
    userinfo = session.get(live.url + "/userinfo").json()
    return claims, userinfo


def test_switch_in_sends_the_browser_to_initiate_login_uri(
    live_hub: LiveHub, mch: ClientInfo, person: Person
) -> None:
    admin = hold(live_hub.hub, "tester01", "mch", "mch_admin", role=AccountRole.UNIT_ADMIN)
    response = person.http.get(
        live_hub.url + f"/switch-in/{admin.public_id}", allow_redirects=False
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(INITIATE + "?")
    params = query(location)
    assert params == {
        "iss": live_hub.url,
        "login_hint": admin.public_id,
        "target_link_uri": "http://127.0.0.1:9/",
    }
    # Someone else's binding, or none: not found, and no redirect.
    add_account(live_hub.hub, "other001", email="other@example.org")
    theirs = hold(live_hub.hub, "other001", "mch", "mch_theirs")
    for public_id in (theirs.public_id, "bnd_unknown"):
        refused = person.http.get(live_hub.url + f"/switch-in/{public_id}", allow_redirects=False)
        assert refused.status_code == 404


def test_login_hint_picks_the_binding_and_claims_describe_it(
    live_hub: LiveHub, mch: ClientInfo, person: Person
) -> None:
    hub = live_hub.hub
    admin = hold(
        hub,
        "tester01",
        "mch",
        "mch_admin",
        role=AccountRole.UNIT_ADMIN,
        menu_roles=("gbs_laboratory",),
    )
    member = hold(hub, "tester01", "mch", "mch_member", unit_code=CLINIC)
    for held, role, unit in ((admin, "unit_admin", "0101090517"), (member, "member", CLINIC)):
        claims, userinfo = sign_in_as(live_hub, mch, person, login_hint=held.public_id)
        for found in (claims, userinfo):
            assert found["subsystem_account"] == held.username
            assert found["role"] == role
            assert found["unit_code"] == unit
            assert "duty" in found and isinstance(found["menu_roles"], list)
        assert claims["sub"] == userinfo["sub"]
    assert userinfo["menu_roles"] == ["prenatal_care"]
    with hub.database.unit_of_work() as db:
        signins = list(db.scalars(select(SubsystemSignin).order_by(SubsystemSignin.id)))
        assert [(s.client_id, s.label) for s in signins] == [
            ("mch", "婦幼單位業務管理者"),
            ("mch", "婦幼一般使用者"),
        ]
        assert all(s.ip == "127.0.0.1" for s in signins)
        events = list(
            db.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "subsystem.signin")
                .order_by(AuditEvent.seq)
            )
        )
        assert [e.target for e in events] == ["mch_admin", "mch_member"]


def test_a_hint_naming_someone_elses_or_no_binding_is_refused_alike(
    live_hub: LiveHub, mch: ClientInfo, cancer: ClientInfo, person: Person
) -> None:
    hub = live_hub.hub
    add_account(hub, "other001", email="other@example.org")
    theirs = hold(hub, "other001", "mch", "mch_theirs")
    mine_elsewhere = hold(hub, "tester01", "cancer", "cancer_mine")
    answers = []
    for client, hint in (
        (mch, theirs.public_id),
        (mch, "bnd_" + "x" * 22),
        (mch, mine_elsewhere.public_id),  # a cancer binding named to mch
    ):
        session = oidc_client(live_hub, client, scope=SCOPE)
        url, _, _ = start(live_hub, session, login_hint=hint, state="s1")
        callback = person.authorize(url)
        assert callback.startswith(REDIRECT_URI)
        params = query(callback)
        assert "code" not in params
        answers.append((params["error"], params.get("error_description")))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == "invalid_request"
    assert "other001" not in str(answers) and "mch_theirs" not in str(answers)
    with hub.database.unit_of_work() as db:
        refusals = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "subsystem.signin_refused")
        )
        assert len(list(refusals)) == 3


def test_a_subsystem_never_gets_claims_about_another_subsystems_accounts(
    live_hub: LiveHub, mch: ClientInfo, cancer: ClientInfo, person: Person
) -> None:
    hub = live_hub.hub
    hold(hub, "tester01", "mch", "mch_mine")
    hold(hub, "tester01", "cancer", "cancer_mine", menu_roles=())
    mch_claims, mch_info = sign_in_as(live_hub, mch, person)
    cancer_claims, cancer_info = sign_in_as(live_hub, cancer, person)
    assert mch_claims["subsystem_account"] == mch_info["subsystem_account"] == "mch_mine"
    assert cancer_claims["subsystem_account"] == cancer_info["subsystem_account"] == "cancer_mine"
    assert "mch_mine" not in str(cancer_claims) + str(cancer_info)
    # A client that is no subsystem learns of no subsystem account, whatever it asks.
    other = add_client(hub, scope="openid profile subsystem")
    claims, info = sign_in_as(live_hub, other, person)
    assert "subsystem_account" not in claims and "subsystem_account" not in info


def test_several_bindings_and_no_hint_get_the_chooser(
    live_hub: LiveHub, mch: ClientInfo, person: Person
) -> None:
    hub = live_hub.hub
    hold(hub, "tester01", "mch", "mch_first")
    second = hold(hub, "tester01", "mch", "mch_second", unit_code=CLINIC)
    session = oidc_client(live_hub, mch, scope=SCOPE)
    url, verifier, nonce = start(live_hub, session)
    page = person.http.get(url)
    assert page.status_code == 200 and 'name="binding"' in page.text
    assert "mch_first" in page.text and "mch_second" in page.text
    form = form_with(page.text, "rid")
    data = dict(form["fields"], binding=second.public_id, decision="choose")
    callback = person.follow(
        person.http.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)
    )
    assert isinstance(callback, str)
    token = exchange(live_hub, session, callback, verifier)
    claims = verify_id_token(live_hub, token["id_token"], "mch", nonce)
    assert claims["subsystem_account"] == "mch_second"
    # prompt=none cannot ask: account_selection_required.
    url, _, _ = start(live_hub, session, prompt="none")
    assert query(person.authorize(url))["error"] == "account_selection_required"


def test_no_binding_explains_how_to_apply_or_bind(
    live_hub: LiveHub, mch: ClientInfo, person: Person
) -> None:
    session = oidc_client(live_hub, mch, scope=SCOPE)
    url, _, _ = start(live_hub, session, state="s2")
    page = person.http.get(url)
    assert page.status_code == 200
    assert "/apply/subsystems" in page.text and "尚無此子系統的帳號" in page.text
    form = form_with(page.text, "rid")
    callback = person.follow(
        person.http.post(
            urljoin(page.url, form["action"]),
            data=dict(form["fields"], decision="cancel"),
            allow_redirects=False,
        )
    )
    assert isinstance(callback, str)
    assert query(callback)["error"] == "access_denied" and query(callback)["state"] == "s2"


def test_unbinding_stops_the_subsystems_tokens(
    live_hub: LiveHub, mch: ClientInfo, person: Person
) -> None:
    held = hold(live_hub.hub, "tester01", "mch", "mch_mine")
    session = oidc_client(live_hub, mch, scope=SCOPE)
    url, verifier, _ = start(live_hub, session, login_hint=held.public_id)
    exchange(live_hub, session, person.authorize(url), verifier)
    assert session.get(live_hub.url + "/userinfo").status_code == 200
    page = person.http.get(live_hub.url + "/apply/subsystems")
    form = next(f for f in forms(page.text) if f["action"].endswith("/unbind"))
    done = person.http.post(urljoin(page.url, form["action"]), data=form["fields"])
    assert done.status_code == 200 and "已解除綁定" in done.text
    assert session.get(live_hub.url + "/userinfo").status_code == 401


# The demo subsystem's side of section 4 ------------------------------------------------


def test_demo_subsystem_checks_iss_and_target_link_uri(live_hub: LiveHub) -> None:
    rp = RelyingParty(
        name="mch",
        client_id="mch",
        client_secret="unused",
        issuer=live_hub.url,
        base_url="http://127.0.0.1:9",
    )
    client = create_rp(rp).test_client()
    hint = "bnd_" + "a" * 22
    good = {"iss": live_hub.url, "login_hint": hint, "target_link_uri": "http://127.0.0.1:9/"}
    assert (
        client.get(
            "/initiate-login", query_string=dict(good, iss="https://evil.example")
        ).status_code
        == 400
    )
    assert client.get("/initiate-login", query_string={"login_hint": hint}).status_code == 400
    for foreign in ("https://evil.example/", "http://127.0.0.1:10/", "//evil.example/"):
        answer = client.get("/initiate-login", query_string=dict(good, target_link_uri=foreign))
        assert answer.status_code == 400, foreign
    for started in (
        client.get("/initiate-login", query_string=good),
        client.post("/initiate-login", data=good),
    ):
        assert started.status_code == 302
        authorize = query(started.headers["Location"])
        assert started.headers["Location"].startswith(live_hub.url + "/authorize?")
        assert authorize["login_hint"] == hint
        assert "subsystem" in authorize["scope"].split()
        assert authorize["code_challenge_method"] == "S256"
    assert (
        requests.get(live_hub.url + "/.well-known/openid-configuration", timeout=5)
        .json()["scopes_supported"]
        .count("subsystem")
        == 1
    )


def test_an_approved_newcomer_reaches_the_subsystem_as_the_new_account(
    live_hub: LiveHub, mch: ClientInfo
) -> None:
    """帳號申請 to 婦幼: the unit admin approves the account, the 婦幼 admin the 婦幼
    request, and the newcomer's first sign-in at 婦幼 is as the new subsystem account."""
    hub = live_hub.hub
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_admin(hub, "hospadmin", HOSPITAL, subsystems={"mch": ("medical_institution", [])})
    with hub.database.unit_of_work() as db:
        application = submit_confirmed(db, applying(hub), member_form())
        application_id = application.id
    with hub.database.unit_of_work() as db:
        admin = find_by_username(db, "hospadmin")
        assert admin is not None
        reviews.decide_applications(db, admin, [application_id], approve=True)
        (request,) = rows(
            db, listings.subsystem_requests(admin, listings.ReviewFilter(), hub.catalogues)
        )
        reviews.decide_requests(db, hub.catalogues, admin, [request.id], approve=True)
    newcomer = Person(hub, live_hub.url, "newcomer01", APPLICANT_PASSWORD)
    claims, userinfo = sign_in_as(live_hub, mch, newcomer)
    for found in (claims, userinfo):
        assert found["subsystem_account"] == f"newcomer01@{HOSPITAL}"
        assert found["unit_code"] == HOSPITAL
        assert found["role"] == "member"
        assert found["menu_roles"] == list(MCH_MEMBER.menu_roles)
