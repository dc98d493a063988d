"""The ``idp`` command, run as a program."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import jwt as pyjwt
import pytest
import requests

from idp.hub import Hub
from idp.models import AuditEvent, SigningKey, utcnow
from idp.services.messaging import mail
from idp.services.tokens import signing_keys
from idp.services.units.directory import find_by_code

from ..support.cli import idp
from ..support.helpers import Person, add_account, add_client
from ..support.hub import start_live_hub
from ..support.oidc import exchange, oidc_client, start, verify_id_token
from ..support.replicas import hub_environment
from ..support.smtp import SmtpServer


def test_init_is_idempotent(hub: Hub) -> None:
    first = idp(hub, "init")
    assert first.returncode == 0, first.stderr
    second = idp(hub, "init")
    assert "created" not in second.stdout  # the fixture's keys exist already


def test_clients_add_prints_json_and_list_shows_it(hub: Hub) -> None:
    result = idp(
        hub,
        "clients",
        "add",
        "--name",
        "婦幼",
        "--client-id",
        "mch",
        "--redirect-uri",
        "http://127.0.0.1:5001/callback",
        "--post-logout-redirect-uri",
        "http://127.0.0.1:5001/",
        "--backchannel-logout-uri",
        "http://127.0.0.1:5001/backchannel-logout",
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["client_id"] == "mch" and len(created["client_secret"]) >= 40
    listed = [json.loads(line) for line in idp(hub, "clients", "list").stdout.splitlines()]
    assert listed[0]["client_id"] == "mch" and listed[0]["name"] == "婦幼"
    assert created["client_secret"] not in json.dumps(listed)
    assert "client_secret" not in listed[0] and "secret_hash" not in listed[0]
    with hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="client.create").count() == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["--name", "x", "--redirect-uri", "http://evil.example/cb"], "https"),
        (["--name", "x"], "redirect"),
        (
            ["--name", "x", "--client-id", "a b", "--redirect-uri", "http://127.0.0.1/cb"],
            "client_id",
        ),
    ],
)
def test_clients_add_refuses_bad_input(hub: Hub, args: list[str], message: str) -> None:
    result = idp(hub, "clients", "add", *args)
    assert result.returncode != 0
    assert message in result.stderr


def test_accounts_create(hub: Hub) -> None:
    result = idp(
        hub,
        "accounts",
        "create",
        "--username",
        "Admin001",
        "--password",
        "Long~Enough~Pass1",
        "--unit",
        "376570300I",
        "--unit-name",
        "示範衛生所",
        "--unit-admin",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["username"] == "admin001"
    again = idp(hub, "accounts", "create", "--username", "admin001", "--password", "x")
    assert again.returncode == 1 and "已有人使用" in again.stderr
    bad = idp(hub, "accounts", "create", "--username", "ab", "--password", "x")
    assert bad.returncode == 1


def test_accounts_create_without_unit_name_keeps_the_units_name(hub: Hub) -> None:
    def create(username: str, *unit: str) -> None:
        result = idp(
            hub,
            "accounts",
            "create",
            "--username",
            username,
            "--password",
            "Long~Enough~Pass1",
            *unit,
        )
        assert result.returncode == 0, result.stderr

    create("unitkeep01", "--unit", "3501200001", "--unit-name", "示範診所")
    create("unitkeep02", "--unit", "3501200001")
    with hub.database.unit_of_work() as db:
        assert find_by_code(db, "3501200001").name == "示範診所"  # type: ignore[union-attr]
    create("unitkeep03", "--unit", "3501200002")  # a new unit without a name: named by its code
    with hub.database.unit_of_work() as db:
        assert find_by_code(db, "3501200002").name == "3501200002"  # type: ignore[union-attr]


def test_keys_rotate_publishes_before_signing(settings_for) -> None:  # type: ignore[no-untyped-def]
    """A rotated key is in the JWKS at once but signs only after its lead time; with
    ``--now`` it signs at once, and the old keys stay published for their tokens."""
    for live in start_live_hub(settings_for):
        add_account(live.hub)
        client = add_client(live.hub)
        person = Person(live.hub, live.url)
        session = oidc_client(live, client)
        url, verifier, old_nonce = start(live, session)
        old_token = exchange(live, session, person.authorize(url), verifier)["id_token"]
        old_kid = pyjwt.get_unverified_header(old_token)["kid"]
        result = idp(live.hub, "keys", "rotate")
        assert result.returncode == 0, result.stderr
        assert "published now, signing from" in result.stdout
        live.hub.keyring.reload()
        kids = {k["kid"] for k in requests.get(live.url + "/jwks", timeout=5).json()["keys"]}
        assert len(kids) == 4 and old_kid in kids  # two new (not signing yet), two old
        url, verifier, _ = start(live, session)
        still_old = exchange(live, session, person.authorize(url), verifier)["id_token"]
        assert pyjwt.get_unverified_header(still_old)["kid"] == old_kid
        listing = idp(live.hub, "keys", "list").stdout
        assert listing.count("published, signing from") == 2 and listing.count("signing\n") == 2

        result = idp(live.hub, "keys", "rotate", "--now")
        assert result.returncode == 0, result.stderr
        live.hub.keyring.reload()
        verify_id_token(live, old_token, client.client_id, old_nonce)
        url, verifier, nonce = start(live, session)
        new_token = exchange(live, session, person.authorize(url), verifier)["id_token"]
        new_kid = pyjwt.get_unverified_header(new_token)["kid"]
        assert new_kid != old_kid
        published = {k["kid"] for k in requests.get(live.url + "/jwks", timeout=5).json()["keys"]}
        assert {old_kid, new_kid} <= published
        verify_id_token(live, new_token, client.client_id, nonce)


def test_a_rotated_key_signs_from_its_activation(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        before = signing_keys.load_keyring(db, hub.key_box).signer("ES256").kid
        created = signing_keys.rotate_keys(
            db, hub.key_box, timedelta(seconds=120), timedelta(seconds=900)
        )
        new = next(key.kid for key in created if key.alg == "ES256")
    now = utcnow()
    with hub.database.unit_of_work() as db:
        soon = signing_keys.load_keyring(db, hub.key_box, now + timedelta(seconds=119))
        later = signing_keys.load_keyring(db, hub.key_box, now + timedelta(seconds=121))
        gone = signing_keys.load_keyring(db, hub.key_box, now + timedelta(seconds=1100))
    assert soon.signer("ES256").kid == before
    assert {new, before} <= {k["kid"] for k in json.loads(soon.jwks_json)["keys"]}
    assert later.signer("ES256").kid == new
    assert before in {k["kid"] for k in json.loads(later.jwks_json)["keys"]}
    assert before not in {k["kid"] for k in json.loads(gone.jwks_json)["keys"]}


def test_rotated_keys_leave_the_jwks_once_expired(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        signing_keys.rotate_keys(db, hub.key_box, timedelta(seconds=0), timedelta(seconds=0))
    with hub.database.unit_of_work() as db:
        ring = signing_keys.load_keyring(db, hub.key_box)
    assert len(json.loads(ring.jwks_json)["keys"]) == 2


def test_private_keys_are_encrypted_at_rest(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        for row in db.query(SigningKey):
            assert b"PRIVATE KEY" not in row.private_key_encrypted
            assert b"PRIVATE KEY" in hub.key_box.open(row.private_key_encrypted, row.kid)


def test_demo_load_is_repeatable(hub: Hub, tmp_path: Path) -> None:
    first = idp(hub, "demo", "load")
    assert first.returncode == 0, first.stderr
    assert "hsadmin01" in first.stdout and "Demo~Pass2026" in first.stdout
    secrets_file = Path(hub.settings.instance_path) / "demo_clients.json"
    before = json.loads(secrets_file.read_text())
    assert idp(hub, "demo", "load").returncode == 0
    assert json.loads(secrets_file.read_text()) == before


def test_logout_deliver_command(hub: Hub) -> None:
    result = idp(hub, "logout", "deliver")
    assert result.returncode == 0 and "delivered 0" in result.stdout


def test_clients_require_acr_sets_and_clears_the_minimum(hub: Hub) -> None:
    from idp.models import Client
    from idp.services.signin.steps import ACR_CARD

    add = idp(
        hub,
        "clients",
        "add",
        "--name",
        "婦幼",
        "--client-id",
        "mch",
        "--redirect-uri",
        "http://127.0.0.1:5001/callback",
    )
    assert add.returncode == 0, add.stderr
    assert idp(hub, "clients", "require-acr", "mch", ACR_CARD).returncode == 0
    with hub.database.unit_of_work() as db:
        assert db.query(Client).filter_by(client_id="mch").one().min_acr == ACR_CARD
    assert idp(hub, "clients", "require-acr", "mch", "urn:other").returncode != 0
    assert idp(hub, "clients", "require-acr", "nobody", ACR_CARD).returncode != 0
    assert idp(hub, "clients", "require-acr", "mch").returncode == 0
    with hub.database.unit_of_work() as db:
        assert db.query(Client).filter_by(client_id="mch").one().min_acr == ""


def test_worker_process_sends_mail_and_stops_on_sigterm(hub: Hub, smtp: SmtpServer) -> None:
    """``IDP_WORKER=process``: the server processes run no background work, and
    ``idp worker`` does it until SIGTERM."""
    env = hub_environment(
        hub,
        hub.settings.issuer_url,
        IDP_WORKER="process",
        IDP_SMTP_URL=smtp.url,
        IDP_BACKCHANNEL_RETRY_SECONDS="1",
    )
    has_worker = subprocess.run(
        [
            sys.executable,
            "-c",
            "import idp.wsgi; print('onedoor_worker' in idp.wsgi.app.extensions)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert has_worker.stdout.strip() == "False", has_worker.stderr
    with hub.database.unit_of_work() as db:
        mail.send_later(db, to="worker@example.org", kind="account_created")
    worker = subprocess.Popen(
        [sys.executable, "-m", "idp.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        received = smtp.inbox.wait_for(1, seconds=30)
        assert [m["To"] for m in received] == ["worker@example.org"]
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(20) == 0
