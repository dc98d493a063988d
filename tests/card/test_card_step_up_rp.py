"""RFC 9470 end to end: the demo subsystem's API refuses a password-level token with
insufficient_user_authentication, the subsystem goes back to the hub with those
acr_values, the hub asks for the card, and the API then answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from clients.demo_rp.rfc9470 import ERROR, requested_acr_values, step_up_challenge
from idp.services.signin.steps import ACR_CARD

from ..support.cards import Agent, add_unit_admin, card_sign_in
from ..support.helpers import PASSWORD, Person, form_with
from ..support.hub import LiveHub
from ..support.rps import LiveRP, start_rps

NOWHERE = "http://nowhere.invalid/"


@pytest.fixture
def subsystem(card_hub: LiveHub) -> Iterator[LiveRP]:
    for rps in start_rps(card_hub, ("records",)):
        yield rps[0]


def test_challenge_header_round_trip() -> None:
    header = step_up_challenge(ACR_CARD, "A card sign-in is required")
    assert f'error="{ERROR}"' in header
    assert requested_acr_values(header) == ACR_CARD
    assert requested_acr_values('Bearer error="invalid_token"') is None


def test_api_asks_for_the_card_and_the_subsystem_steps_up(
    card_hub: LiveHub, subsystem: LiveRP, agent: Agent
) -> None:
    add_unit_admin(card_hub)
    person = Person(card_hub.hub, card_hub.url, "admin001")
    page = person.follow(person.http.get(subsystem.url + "/login", allow_redirects=False), NOWHERE)
    assert isinstance(page, requests.Response)
    home = person.follow(person.sign_in_form(page), NOWHERE)
    assert isinstance(home, requests.Response) and "admin001" not in home.url
    assert 'id="signed-in"' in home.text

    refused = requests.get(
        subsystem.url + "/api/card-records",
        headers={"Authorization": "Bearer nonsense"},
        timeout=10,
    )
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    step_up = person.follow(
        person.http.get(subsystem.url + "/card-records", allow_redirects=False), NOWHERE
    )
    assert isinstance(step_up, requests.Response)
    assert "此系統需要以卡片登入" in step_up.text
    rid = form_with(step_up.text, "rid")["fields"]["rid"]
    answer = card_sign_in(
        person,
        agent,
        step_up,
        "Institution",
        card_kind="institution",
        username="admin001",
        password=PASSWORD,
        rid=rid,
    )
    records = person.follow(answer, NOWHERE)
    assert isinstance(records, requests.Response)
    assert records.url == subsystem.url + "/card-records"
    assert "醫事機構資料 (card level)" in records.text
