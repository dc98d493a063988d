"""The card agent against a real SoftHSM2 token, and the hub verifying what it signed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from idp.config import Settings
from idp.hub import Hub
from idp.services.cards import challenge as card_challenge
from idp.services.cards.certificates import CardKind, CardRefused
from idp.services.cards.challenge import Purpose, verify_proof

from ..support.cards import INSTITUTION_UNIT, Agent, DevCards, running_agent
from ..support.hub import prepared_hub

SESSION = "browser-session"


@pytest.fixture
def card_hub(settings_for, dev_cards: DevCards) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    """A hub that need not serve HTTP (in place of the live one of card/conftest.py)."""
    settings: Settings = settings_for(**dev_cards.hub_settings())
    the_hub = prepared_hub(settings)
    yield the_hub
    the_hub.close()


@pytest.fixture
def agent(card_hub: Hub, dev_cards: DevCards) -> Iterator[Agent]:
    with running_agent(dev_cards, card_hub.settings.issuer_url) as running:
        yield running


def challenge(hub: Hub, purpose: Purpose = Purpose.SIGNIN) -> str:
    return card_challenge.issue(hub.store, hub.settings.issuer_url, purpose, SESSION)


def verify(hub: Hub, agent: Agent, text: str, card: str, kind: CardKind) -> object:
    return verify_proof(
        hub.store,
        hub.card_trust,
        agent.proof(text, card),
        issuer=hub.settings.issuer_url,
        purpose=Purpose.SIGNIN,
        session_key=SESSION,
        kind=kind,
    )


def test_agent_lists_the_cards(agent: Agent) -> None:
    listed = agent.call("GET", "/certificates").json()["certificates"]
    assert {c["token_label"] for c in listed} == {
        "OneDoor Dev Institution Card",
        "OneDoor Dev Personnel Card",
    }
    assert any(INSTITUTION_UNIT in c["subject"] for c in listed)


def test_no_reader_without_a_pcsc_service(agent: Agent) -> None:
    answer = agent.call("GET", "/status")
    assert answer.status_code == 200
    assert answer.json()["readers"] == []


def test_agent_signs_and_hub_verifies_the_institution_card(card_hub: Hub, agent: Agent) -> None:
    holder = verify(card_hub, agent, challenge(card_hub), "Institution", CardKind.INSTITUTION)
    assert holder.unit_code == INSTITUTION_UNIT  # type: ignore[attr-defined]


def test_personnel_card_is_not_an_institution_card(card_hub: Hub, agent: Agent) -> None:
    with pytest.raises(CardRefused) as caught:
        verify(card_hub, agent, challenge(card_hub), "Personnel", CardKind.INSTITUTION)
    assert caught.value.reason == "kind"


def test_agent_answers_only_allowlisted_origins(agent: Agent) -> None:
    for method, path in (("GET", "/certificates"), ("OPTIONS", "/sign"), ("POST", "/sign")):
        answer = agent.call(method, path, origin="https://evil.example", json={})
        assert answer.status_code == 403
        assert "Access-Control-Allow-Origin" not in answer.headers
    allowed = agent.call("OPTIONS", "/sign")
    assert allowed.headers["Access-Control-Allow-Origin"] == agent.origin


def test_agent_refuses_a_foreign_host_header(agent: Agent) -> None:
    answer = agent.call("GET", "/certificates", host="attacker.example")
    assert answer.status_code == 403


def test_agent_signs_only_fresh_hub_challenges(card_hub: Hub, agent: Agent) -> None:
    real = challenge(card_hub)
    *head, nonce, _ = real.split("|")
    other_site = real.replace(card_hub.settings.issuer_url, "https://evil.example")
    stale = "|".join([*head, nonce, str(int(time.time()) - 3600)])
    for text in ("please sign this contract", real + "|extra", other_site, stale):
        answer = agent.sign(text)
        assert answer.status_code == 400, text
        assert answer.json()["error"] == "not_a_challenge"


def test_wrong_pin_is_a_plain_answer(card_hub: Hub, agent: Agent) -> None:
    answer = agent.sign(challenge(card_hub), pin="000000")
    assert answer.status_code == 409
    assert answer.json()["error"] == "wrong_pin"
    assert agent.sign(challenge(card_hub)).status_code == 200
