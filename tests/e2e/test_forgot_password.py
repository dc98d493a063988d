"""忘記密碼: same answer either way, a single-use link valid one hour, through a real
SMTP server that can also be down."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from idp.models import MailMessage, PasswordReset, utcnow
from idp.services.signin import captcha

from ..support.helpers import (
    PASSWORD,
    Person,
    add_account,
    add_client,
    form_with,
    wait_for_reset_requests,
)
from ..support.hub import LiveHub, start_live_hub
from ..support.oidc import exchange, oidc_client, start
from ..support.smtp import Inbox, SmtpServer

NEW_PASSWORD = "Harbor~Lantern7Quiet"


@pytest.fixture
def live(settings_for, smtp: SmtpServer) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(settings_for, smtp_url=smtp.url)


def ask_reset(
    live: LiveHub, username: str, email: str, http: requests.Session | None = None
) -> requests.Response:
    person = Person(live.hub, live.url)
    http = http or person.http
    page = http.get(live.url + "/password/forgot", timeout=5)
    form = form_with(page.text, "email")
    data = dict(form["fields"], username=username, email=email)
    if "captcha_id" in data:
        data["captcha_answer"] = captcha.answer_of(live.hub.store, data["captcha_id"]) or ""
    return http.post(live.url + form["action"], data=data, timeout=10)


def reset_link(inbox: Inbox, index: int = 0) -> str:
    body = Inbox.body(inbox.wait_for(index + 1)[index])
    match = re.search(r"http://\S+/password/reset/\S+", body)
    assert match, body
    return match.group(0)


def set_new_password(
    http: requests.Session, link: str, password: str = NEW_PASSWORD
) -> requests.Response:
    page = http.get(link, timeout=5)
    assert page.status_code == 200, page.text[:300]
    form = form_with(page.text, "new_password")
    data = dict(form["fields"], new_password=password, confirm=password)
    return http.post(link, data=data, timeout=10)


def test_reset_by_mail_link(live: LiveHub, smtp: SmtpServer) -> None:
    add_account(live.hub)
    answer = ask_reset(live, "tester01", "wang@example.org")
    assert "若帳號與電子郵件相符" in answer.text
    message = smtp.inbox.wait_for(1)[0]
    assert message["To"] == "wang@example.org"
    link = reset_link(smtp.inbox)
    assert link.startswith(live.url + "/password/reset/")  # built on the issuer, not Host
    http = requests.Session()
    done = set_new_password(http, link)
    assert "密碼已更新" in done.text
    assert Person(live.hub, live.url, password=NEW_PASSWORD).sign_in_at_home().status_code == 302
    assert Person(live.hub, live.url).sign_in_at_home().status_code == 401  # old one gone
    again = http.get(link, timeout=5)  # single use
    assert again.status_code == 400 and "已失效" in again.text


def test_same_answer_and_no_mail_when_they_do_not_match(live: LiveHub, smtp: SmtpServer) -> None:
    add_account(live.hub)
    right = ask_reset(live, "tester01", "wang@example.org")
    wrong_mail = ask_reset(live, "tester01", "someone@example.org")
    no_account = ask_reset(live, "nobody77", "wang@example.org")

    def visible(response: requests.Response) -> str:
        text = re.sub(r'(content|value)="[^"]*"', "", response.text)
        return re.sub(r"/captcha/[\w-]+", "", text)

    assert right.status_code == wrong_mail.status_code == no_account.status_code == 200
    assert visible(right) == visible(wrong_mail) == visible(no_account)
    wait_for_reset_requests(live.hub)
    with live.hub.database.unit_of_work() as db:
        assert db.query(MailMessage).count() == 1
        assert db.query(PasswordReset).count() == 1


def test_forgot_password_takes_the_same_time_either_way(live: LiveHub, smtp: SmtpServer) -> None:
    add_account(live.hub)
    times: dict[str, list[float]] = {"match": [], "other": []}
    for _ in range(8):
        for kind, name in (("match", "tester01"), ("other", "nobody77")):
            http = requests.Session()
            started = time.perf_counter()
            ask_reset(live, name, "wang@example.org", http)
            times[kind].append(time.perf_counter() - started)
    match, other = (statistics.median(v) for v in times.values())
    assert abs(match - other) < max(0.3 * max(match, other), 0.015), (match, other)


def test_reset_link_expires(live: LiveHub, smtp: SmtpServer) -> None:
    add_account(live.hub)
    ask_reset(live, "tester01", "wang@example.org")
    link = reset_link(smtp.inbox)
    with live.hub.database.unit_of_work() as db:
        reset = db.query(PasswordReset).one()
        assert timedelta(minutes=59) < reset.expires_at - reset.created_at <= timedelta(minutes=60)
        reset.expires_at = utcnow() - timedelta(seconds=1)
    assert requests.get(link, timeout=5).status_code == 400


def test_reset_unlocks_ends_sessions_and_revokes_refresh_tokens(
    live: LiveHub, smtp: SmtpServer
) -> None:
    add_account(live.hub)
    client = add_client(live.hub)
    person = Person(live.hub, live.url)
    session = oidc_client(live, client, scope="openid offline_access")
    url, verifier, _ = start(live, session, prompt="consent")
    token = exchange(live, session, person.authorize(url), verifier)
    for _ in range(3):
        Person(live.hub, live.url, password="Wrong~Password9").sign_in_at_home()
    assert Person(live.hub, live.url).sign_in_at_home().status_code == 401  # locked
    ask_reset(live, "tester01", "wang@example.org")
    set_new_password(requests.Session(), reset_link(smtp.inbox))
    assert Person(live.hub, live.url, password=NEW_PASSWORD).sign_in_at_home().status_code == 302
    assert 'name="password"' in person.http.get(live.url + "/", timeout=5).text  # session over
    refreshed = requests.post(
        live.url + "/token",
        auth=(client.client_id, client.secret or ""),
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        timeout=5,
    )
    assert refreshed.json()["error"] == "invalid_grant"


def test_new_password_must_follow_the_policy(live: LiveHub, smtp: SmtpServer) -> None:
    add_account(live.hub)
    ask_reset(live, "tester01", "wang@example.org")
    http = requests.Session()
    refused = set_new_password(http, reset_link(smtp.inbox), "short")
    assert refused.status_code == 400 and "長度至少 12 個字元" in refused.text
    refused = set_new_password(http, reset_link(smtp.inbox), PASSWORD)  # the current one
    assert refused.status_code == 400 and "最近" in refused.text


def test_mail_waits_while_the_mail_server_is_down(live: LiveHub, smtp: SmtpServer) -> None:
    add_account(live.hub)
    smtp.stop()
    ask_reset(live, "tester01", "wang@example.org")
    wait_for_reset_requests(live.hub)

    def message() -> MailMessage:
        with live.hub.database.unit_of_work() as db:
            return db.query(MailMessage).one()

    deadline = time.monotonic() + 10
    while message().attempts == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    failed = message()
    assert failed.sent_at is None and failed.attempts >= 1 and failed.last_error
    smtp.start()
    with live.hub.database.unit_of_work() as db:
        db.query(MailMessage).one().next_attempt_at = utcnow()
    live.app.extensions["onedoor_worker"].kick()
    assert reset_link(smtp.inbox)
    deadline = time.monotonic() + 10  # the worker records the delivery just after it
    while message().sent_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert message().sent_at is not None
