"""The development cards (a real SoftHSM2 token, made by ``idp card dev-setup``), the
card agent running against them, and a person answering the hub's card forms with them,
for tests that go from the card to the hub."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from idp.models import AccountRole
from idp.services.accounts.directory import create_account
from idp.services.cards.challenge import CardProof
from idp.services.cards.devcard import DEV_POLICY_OID
from idp.services.cards.provisioning import DEV_CARD_PIN, SOFTHSM2_MODULE
from idp.services.units.directory import ensure_unit

from .helpers import PASSWORD, Person, forms
from .hub import LiveHub, free_port

INSTITUTION_UNIT = "376570300I"


@dataclass(frozen=True)
class DevCards:
    folder: Path

    @property
    def conf(self) -> Path:
        return self.folder / "softhsm2.conf"

    def hub_settings(self) -> dict[str, object]:
        return {
            "card_trust_dir": str(self.folder / "trust"),
            "card_crls": str(self.folder / "dev-ca.crl"),
            "card_policy_oids": DEV_POLICY_OID,
        }


def make_dev_cards(instance: Path) -> DevCards:
    """Runs ``idp card dev-setup`` with ``instance`` as the instance folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    env.update(IDP_ENV="development", IDP_INSTANCE_PATH=str(instance))
    subprocess.run(
        [sys.executable, "-m", "idp.cli", "card", "dev-setup"],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    return DevCards(instance / "card")


@dataclass
class Agent:
    url: str
    origin: str

    def call(
        self, method: str, path: str, origin: str | None = None, host: str = "", **kw: Any
    ) -> Any:
        headers = {"Origin": origin or self.origin}
        if host:
            headers["Host"] = host
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kw)

    def card(self, label_part: str) -> dict[str, str]:
        listed = self.call("GET", "/certificates").json()["certificates"]
        return next(c for c in listed if label_part in c["token_label"])

    def sign(self, challenge: str, card: str = "Institution", pin: str = DEV_CARD_PIN) -> Any:
        chosen = self.card(card)
        body = {
            "challenge": challenge,
            "pin": pin,
            "token": chosen["token"],
            "key_id": chosen["key_id"],
        }
        return self.call("POST", "/sign", json=body)

    def proof(self, challenge: str, card: str = "Institution") -> CardProof:
        response = self.sign(challenge, card)
        assert response.status_code == 200, response.text
        answer = response.json()
        return CardProof(
            challenge=challenge,
            certificate=base64.b64decode(answer["certificate"]),
            signature=base64.b64decode(answer["signature"]),
            signature_format=answer["signature_format"],
        )


@contextmanager
def running_agent(cards: DevCards, origin: str, port: int | None = None) -> Iterator[Agent]:
    port = port or free_port()
    env = {**os.environ, "SOFTHSM2_CONF": str(cards.conf)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clients.cardagent",
            "--module",
            SOFTHSM2_MODULE,
            "--origin",
            origin,
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    agent = Agent(f"http://127.0.0.1:{port}", origin)
    try:
        for _ in range(100):
            try:
                agent.call("GET", "/status")
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield agent
    finally:
        process.terminate()
        process.wait(timeout=10)


# A person at the hub's card forms ---------------------------------------------------


def add_unit_admin(hub: LiveHub, username: str = "admin001", unit: str = INSTITUTION_UNIT) -> None:
    with hub.hub.database.unit_of_work() as db:
        create_account(
            db,
            hub.hub.passwords,
            username=username,
            password=PASSWORD,
            name="陳管理",
            email="admin@example.org",
            phone="02-12345678",
            unit=ensure_unit(db, unit, "測試衛生所"),
            role=AccountRole.UNIT_ADMIN,
        )


def card_answer(
    person: Person, agent: Agent, page: requests.Response, action: str, purpose: str, card: str
) -> dict[str, Any]:
    """The card form's fields as the page's script fills them: a challenge from the hub,
    signed by the agent with the card."""
    form = next(f for f in forms(page.text) if f["action"].endswith(action))
    data = dict(form["fields"])
    challenge = person.http.post(
        urljoin(page.url, "/card/challenge"),
        data={"purpose": purpose, "csrf_token": data["csrf_token"]},
    ).json()["challenge"]
    proof = agent.proof(challenge, card)
    data.update(
        challenge=challenge,
        certificate=base64.b64encode(proof.certificate).decode(),
        signature=base64.b64encode(proof.signature).decode(),
        signature_format=proof.signature_format,
    )
    data["_action"] = urljoin(page.url, form["action"])
    return data


def post(person: Person, data: dict[str, Any]) -> requests.Response:
    action = data.pop("_action")
    return person.http.post(action, data=data, allow_redirects=False)


def card_sign_in(
    person: Person, agent: Agent, page: requests.Response, card: str, **fields: str
) -> requests.Response:
    data = card_answer(person, agent, page, "/signin/card", "signin", card)
    data.update(fields)
    return post(person, data)
