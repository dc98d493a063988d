"""Single sign-on across subsystems, RP-initiated logout and back-channel logout."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from joserfc import jwt
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from idp.models import Client, LogoutDelivery
from idp.oidc.backchannel import EVENT, logout_token
from idp.worker import deliver_logout_notifications

from ..support.helpers import ClientInfo, Person, add_account, add_client, form_with, query
from ..support.hub import LiveHub, free_port
from ..support.oidc import exchange, oidc_client, start
from ..support.rps import LiveRP, start_rps
from ..support.switch_in import hold


@pytest.fixture
def rps(live_hub: LiveHub) -> Iterator[list[LiveRP]]:
    add_account(live_hub.hub)
    for subsystem in ("mch", "cancer", "cessation"):  # the demo subsystems need a binding
        hold(live_hub.hub, "tester01", subsystem, f"tester01@{subsystem}", menu_roles=())
    yield from start_rps(live_hub, ("mch", "cancer", "cessation"))


def rp_home(person: Person, rp: LiveRP) -> str:
    return person.http.get(rp.url + "/", timeout=5).text


def sign_in_at(person: Person, rp: LiveRP, live: LiveHub) -> None:
    person.authorize(rp.url + "/login", stop_at=rp.url + "/callback")
    # Let the RP finish its callback (code exchange) with the browser's cookies.
    final = person.http.get(rp.url + "/login", timeout=5)
    assert "已登入" in final.text, final.text[:500]


def wait_until(condition, seconds: float = 10) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def count_password_posts(person: Person) -> list[int]:
    posts: list[int] = []
    original = person.sign_in_form

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        posts.append(1)
        return original(*args, **kwargs)

    person.sign_in_form = counting  # type: ignore[method-assign]
    return posts


def test_one_sign_in_reaches_every_subsystem_and_hub_sign_out_ends_them_all(
    live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    person = Person(live_hub.hub, live_hub.url)
    posts = count_password_posts(person)
    mch, cancer, cessation = rps
    sign_in_at(person, mch, live_hub)
    sign_in_at(person, cancer, live_hub)
    sign_in_at(person, cessation, live_hub)
    assert len(posts) == 1  # one password, three subsystems
    for rp in rps:
        assert "王小明" in rp_home(person, rp)

    home = person.http.get(live_hub.url + "/", timeout=5)
    signout = form_with(home.text, "csrf_token")
    person.http.post(live_hub.url + signout["action"], data=signout["fields"], timeout=5)
    for rp in rps:
        assert wait_until(lambda rp=rp: "尚未登入" in rp_home(person, rp)), rp.rp.name

    def all_recorded() -> bool:  # the worker records each delivery just after it
        with live_hub.hub.database.unit_of_work() as db:
            deliveries = db.query(LogoutDelivery).all()
            return len(deliveries) == 3 and all(d.delivered_at for d in deliveries)

    assert wait_until(all_recorded)


def test_rp_initiated_logout_with_id_token_hint(live_hub: LiveHub, rps: list[LiveRP]) -> None:
    person = Person(live_hub.hub, live_hub.url)
    mch, cancer, _ = rps
    sign_in_at(person, mch, live_hub)
    sign_in_at(person, cancer, live_hub)
    response = person.http.post(mch.url + "/logout", allow_redirects=False, timeout=5)
    end_session = response.headers["Location"]
    assert query(end_session)["id_token_hint"]
    back = person.http.get(end_session, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    assert back.headers["Location"] == mch.url + "/"
    assert "尚未登入" in rp_home(person, mch)
    assert wait_until(lambda: "尚未登入" in rp_home(person, cancer))
    # The hub session is over too.
    assert 'name="password"' in person.http.get(live_hub.url + "/", timeout=5).text


def test_logout_without_hint_asks_for_confirmation(live_hub: LiveHub, rps: list[LiveRP]) -> None:
    person = Person(live_hub.hub, live_hub.url)
    mch = rps[0]
    sign_in_at(person, mch, live_hub)
    url = (
        live_hub.url
        + "/logout?"
        + urlencode({"client_id": "mch", "post_logout_redirect_uri": mch.url + "/", "state": "bye"})
    )
    page = person.http.get(url, timeout=5)
    assert "確定要登出嗎" in page.text
    assert "王小明" in rp_home(person, mch)  # nothing happened yet
    form = form_with(page.text, "csrf_token")
    done = person.http.post(
        live_hub.url + form["action"], data=form["fields"], allow_redirects=False, timeout=5
    )
    assert done.headers["Location"] == mch.url + "/?state=bye"
    assert wait_until(lambda: "尚未登入" in rp_home(person, mch))


def test_logout_refuses_unregistered_post_logout_redirect(
    live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    person = Person(live_hub.hub, live_hub.url)
    mch = rps[0]
    sign_in_at(person, mch, live_hub)
    response = person.http.post(mch.url + "/logout", allow_redirects=False, timeout=5)
    id_token = query(response.headers["Location"])["id_token_hint"]
    url = (
        live_hub.url
        + "/logout?"
        + urlencode(
            {"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example/"}
        )
    )
    done = person.http.get(url, allow_redirects=False, timeout=5)
    assert done.status_code == 200
    assert "您已登出" in done.text


def test_logout_token_claims(live_hub: LiveHub, rps: list[LiveRP]) -> None:
    with live_hub.hub.database.unit_of_work() as db:
        client = db.query(Client).filter_by(client_id="mch").one()
        delivery = LogoutDelivery(client_id="mch", uri="x", subject="s1", sid="sid1", jti="j1")
        token = logout_token(live_hub.hub, client, delivery)
    decoded = jwt.decode(token, live_hub.hub.keyring.current().public)
    assert decoded.header["typ"] == "logout+jwt"
    claims = decoded.claims
    assert claims["iss"] == live_hub.url and claims["aud"] == "mch"
    assert claims["events"] == {EVENT: {}}
    assert claims["sid"] == "sid1" and claims["sub"] == "s1" and claims["jti"] == "j1"
    assert claims["exp"] > claims["iat"] and "nonce" not in claims


def test_failed_back_channel_delivery_is_kept_and_retried(live_hub: LiveHub) -> None:
    """A subsystem that is down gets the notification once it is back up."""
    add_account(live_hub.hub)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    add_client(
        live_hub.hub,
        client_id="late",
        name="late",
        redirect_uris=[base + "/callback"],
        backchannel_logout_uri=base + "/backchannel-logout",
    )
    person = Person(live_hub.hub, live_hub.url)
    session = oidc_client(live_hub, ClientInfo("late", None, base + "/callback"))
    url, _, _ = start(live_hub, session)
    person.authorize(url, stop_at=base + "/callback")
    home = person.http.get(live_hub.url + "/", timeout=5)
    form = form_with(home.text, "csrf_token")
    person.http.post(live_hub.url + form["action"], data=form["fields"], timeout=5)

    def attempts() -> int:
        with live_hub.hub.database.unit_of_work() as db:
            return int(db.query(LogoutDelivery).one().attempts)

    assert wait_until(lambda: attempts() >= 1)
    live_hub.app.extensions["onedoor_worker"].stop()  # from here on, the test delivers
    with live_hub.hub.database.unit_of_work() as db:
        row = db.query(LogoutDelivery).one()
        assert row.delivered_at is None and "Connection" in row.last_error
        row.next_attempt_at = row.created_at  # due again now

    received: list[str] = []

    @Request.application
    def receiver(request: Request) -> Response:
        received.append(request.form["logout_token"])
        return Response("", status=200)

    server = make_server("127.0.0.1", port, receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        delivered, failed = deliver_logout_notifications(live_hub.hub)
        assert (delivered, failed) == (1, 0)
        claims = jwt.decode(received[0], live_hub.hub.keyring.current().public).claims
        assert claims["aud"] == "late"
    finally:
        server.shutdown()


def test_sign_out_revokes_session_tokens(live_hub: LiveHub) -> None:
    add_account(live_hub.hub)
    client = add_client(live_hub.hub)
    person = Person(live_hub.hub, live_hub.url)
    session = oidc_client(live_hub, client)
    url, verifier, _ = start(live_hub, session)
    token = exchange(live_hub, session, person.authorize(url), verifier)
    home = person.http.get(live_hub.url + "/", timeout=5)
    form = form_with(home.text, "csrf_token")
    person.http.post(live_hub.url + form["action"], data=form["fields"], timeout=5)
    userinfo = requests.get(
        live_hub.url + "/userinfo",
        timeout=5,
        headers={"Authorization": "Bearer " + token["access_token"]},
    )
    assert userinfo.status_code == 401
