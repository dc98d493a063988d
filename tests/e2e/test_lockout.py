"""Lockout (3 wrong passwords → 30 minutes) and rate limits per source address."""

from __future__ import annotations

import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from idp.hub import Hub
from idp.models import AuditEvent
from idp.services import policy
from idp.services.accounts.directory import find_by_username
from idp.services.signin import captcha
from idp.services.signin.throttle import LOCKED, Throttle
from idp.store import RedisStore, SqlStore

from ..support.helpers import PASSWORD, Person, add_account, client_sign_in, page_fields

WRONG = "Wrong~Password9"


def locked(hub: Hub, account_name: str) -> bool:
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, account_name)
        assert account is not None
        return Throttle(hub.store, hub.policy.current().lockout).locked(account.id)


def remaining_lock_seconds(hub: Hub, account_id: int) -> float:
    key = f"{LOCKED}{account_id}"
    if isinstance(hub.store, RedisStore):
        return float(hub.store.client.pttl(hub.store.prefix + key)) / 1000
    assert isinstance(hub.store, SqlStore)
    with hub.store.engine.connect() as conn:
        row = conn.execute(hub.store.table.select().where(hub.store.table.c.key == key)).one()
    return float(row.expires_at) - time.time()


def test_three_wrong_passwords_lock_the_account_for_thirty_minutes(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = app.test_client()
    for _ in range(3):
        assert client_sign_in(client, hub, password=WRONG).status_code == 401
    assert locked(hub, "tester01")
    refused = client_sign_in(client, hub)  # the right password, while locked
    assert refused.status_code == 401
    assert "暫停登入至" in refused.get_data(as_text=True)  # locked, and until when
    assert "忘記密碼" in refused.get_data(as_text=True)
    with hub.database.unit_of_work() as db:
        event = db.query(AuditEvent).filter_by(action="account.locked").one()
        assert remaining_lock_seconds(hub, event.actor_account_id or 0) > 29 * 60
        assert remaining_lock_seconds(hub, event.actor_account_id or 0) <= 30 * 60


def test_a_name_nobody_holds_locks_the_same_way(app: Flask, hub: Hub) -> None:
    """No enumeration: once the policy's failures are reached, any name is told it is
    locked, in the same words, whether or not an account has it."""
    add_account(hub)

    def alert(response) -> str:  # type: ignore[no-untyped-def]
        found = re.search(r'role="alert"[^>]*>(.*?)<', response.get_data(as_text=True))
        assert found is not None
        return found.group(1)

    answers = {}
    for name in ("tester01", "nobody99"):
        client = app.test_client()
        for n in range(3):
            first = client_sign_in(client, hub, username=name, password=WRONG, ip=f"10.1.{n}.1")
            assert first.status_code == 401
        right = client_sign_in(client, hub, username=name, ip="10.2.0.1")
        assert right.status_code == 401
        answers[name] = alert(right)
    assert "暫停登入至" in answers["tester01"]
    assert re.sub(r"\d", "0", answers["tester01"]) == re.sub(r"\d", "0", answers["nobody99"])


def test_a_success_forgets_earlier_failures(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = app.test_client()
    for _ in range(2):
        client_sign_in(client, hub, password=WRONG)
    assert client_sign_in(client, hub).status_code == 302
    for _ in range(2):
        client_sign_in(app.test_client(), hub, password=WRONG)
    assert not locked(hub, "tester01")


def test_lockout_counts_across_two_server_processes(replicas: tuple[Hub, str, str]) -> None:
    hub, url_a, url_b = replicas
    add_account(hub)
    for url in (url_a, url_b, url_a):
        person = Person(hub, url, password=WRONG)
        assert person.sign_in_at_home().status_code == 401
    assert locked(hub, "tester01")
    assert Person(hub, url_b).sign_in_at_home().status_code == 401  # right password, locked


def test_one_address_cannot_lock_out_many_accounts(app: Flask, hub: Hub) -> None:
    names = [f"victim{n:02d}" for n in range(6)]
    for name in names:
        add_account(hub, username=name)
    client = app.test_client()
    statuses = [
        client_sign_in(client, hub, username=name, password=WRONG, ip="10.9.8.7").status_code
        for name in names
        for _ in range(3)
    ]
    policy = hub.policy.current().lockout
    assert statuses[: policy.address_failures] == [401] * policy.address_failures
    assert set(statuses[policy.address_failures :]) == {429}
    locked_names = [name for name in names if locked(hub, name)]
    assert len(locked_names) == policy.address_failures // policy.max_failures
    # Another address is not affected, and the accounts not locked still work.
    assert (
        client_sign_in(app.test_client(), hub, username=names[-1], ip="10.1.1.1").status_code == 302
    )


def _visible(response) -> str:  # type: ignore[no-untyped-def]
    """The page without what differs on every request (tokens, captcha ids, what was typed)."""
    text = response.get_data(as_text=True)
    text = re.sub(r'(content|value)="[^"]*"', "", text)
    return re.sub(r"/captcha/[\w-]+", "", text)


def test_no_enumeration_at_sign_in_by_answer_or_by_time(app: Flask, hub: Hub) -> None:
    add_account(hub)
    answers: dict[str, list[float]] = {"tester01": [], "nobody77": []}
    pages = {}
    for round_ in range(8):
        for name in answers:
            client = app.test_client()
            start = time.perf_counter()
            response = client_sign_in(
                client, hub, username=name, password=WRONG, ip=f"10.3.{round_}.{len(name)}"
            )
            answers[name].append(time.perf_counter() - start)
            pages[name] = (response.status_code, _visible(response))
    assert pages["tester01"] == pages["nobody77"]
    existing, absent = (statistics.median(v) for v in answers.values())
    assert abs(existing - absent) < max(0.25 * max(existing, absent), 0.010), (existing, absent)


def test_captcha_only_after_a_failure_when_the_policy_says_so(app: Flask, hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        policy.change_policy(db, {"captcha.mode": "after_failure"}, actor="t", reason="r")
    hub.policy.reload()
    client = app.test_client()
    environ = {"REMOTE_ADDR": "10.4.4.4"}
    assert 'name="captcha_id"' not in client.get("/signin", environ_base=environ).get_data(
        as_text=True
    )
    assert client_sign_in(client, hub, password=WRONG, ip="10.4.4.4").status_code == 401
    page = client.get("/signin", environ_base=environ).get_data(as_text=True)
    assert 'name="captcha_id"' in page  # asked for once the address has failed
    # Leaving it out is refused; answering it lets the right password in.
    fields = page_fields(page)
    refused = client.post(
        "/signin",
        environ_base=environ,
        data={"csrf_token": fields["csrf_token"], "username": "tester01", "password": PASSWORD},
    )
    assert "驗證碼錯誤" in refused.get_data(as_text=True)
    assert client_sign_in(client, hub, ip="10.4.4.4").status_code == 302


def test_captcha_length_follows_the_policy(app: Flask, hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        policy.change_policy(db, {"captcha.length": "7"}, actor="t", reason="r")
    hub.policy.reload()
    fields = page_fields(app.test_client().get("/signin").get_data(as_text=True))
    assert len(captcha.answer_of(hub.store, fields["captcha_id"]) or "") == 7


def test_forgot_password_and_captcha_requests_are_limited_per_address(app: Flask, hub: Hub) -> None:
    client = app.test_client()
    limit = hub.policy.current().lockout.captcha_per_minute
    statuses = [
        client.get("/captcha/new", environ_base={"REMOTE_ADDR": "10.5.5.5"}).status_code
        for _ in range(limit + 1)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    limit = hub.policy.current().lockout.forgot_password_per_hour
    environ = {"REMOTE_ADDR": "10.6.6.6"}
    codes = []
    for _ in range(limit + 1):
        fields = page_fields(
            client.get("/password/forgot", environ_base=environ).get_data(as_text=True)
        )
        codes.append(
            client.post(
                "/password/forgot",
                environ_base=environ,
                data={
                    "csrf_token": fields["csrf_token"],
                    "username": "x",
                    "email": "x@example.org",
                    "captcha_id": fields.get("captcha_id", ""),
                    "captcha_answer": "0",
                },
            ).status_code
        )
    assert codes[-1] == 429 and 429 not in codes[:-1]


def _sign_in_at_once(
    hub: Hub, urls: tuple[str, str], passwords: list[str]
) -> tuple[list[int], list[str]]:
    """One sign-in of tester01 per password, all at once, alternating between the two
    server processes: their status codes, and what the audit log says of each
    ("credentials" for a wrong password checked, "locked" for one refused unchecked,
    "success")."""
    add_account(hub)
    with hub.database.unit_of_work() as db:  # every request comes from 127.0.0.1 here
        policy.change_policy(
            db,
            {"lockout.address_failures": "1000", "lockout.signin_per_minute": "1000"},
            actor="t",
            reason="r",
        )
    time.sleep(1.5)  # the server processes read the policy again each second
    people = [Person(hub, urls[n % 2], password=p) for n, p in enumerate(passwords)]
    pages = [person.http.get(person.base_url + "/") for person in people]
    start = threading.Barrier(len(people))

    def attempt(n: int) -> int:
        start.wait(30)
        return people[n].sign_in_form(pages[n]).status_code

    with ThreadPoolExecutor(len(people)) as pool:
        statuses = list(pool.map(attempt, range(len(people))))
    with hub.database.unit_of_work() as db:
        outcomes = [
            "success" if e.action == "signin.success" else str(e.details.get("reason"))
            for e in db.query(AuditEvent).filter(AuditEvent.actor == "tester01")
            if e.action in ("signin.success", "signin.failure")
        ]
    return statuses, outcomes


def test_parallel_sign_ins_check_at_most_the_policys_failures(
    replicas: tuple[Hub, str, str],
) -> None:
    """12 wrong passwords for one account at once over two server processes: each
    attempt is reserved before its password is checked, so exactly ``max_failures`` are
    checked, the rest are refused unchecked, and then even the right one is refused."""
    hub, url_a, url_b = replicas
    statuses, outcomes = _sign_in_at_once(hub, (url_a, url_b), [WRONG] * 12)
    max_failures = hub.policy.current().lockout.max_failures
    assert 302 not in statuses
    assert outcomes.count("credentials") == max_failures, statuses
    assert outcomes.count("locked") == 12 - max_failures, statuses

    rightful = Person(hub, url_b, password=PASSWORD)
    answer = rightful.sign_in_form(rightful.http.get(url_b + "/"))
    assert answer.status_code != 302
    assert "暫停登入至" in answer.text


def test_right_passwords_at_once_all_get_in(replicas: tuple[Hub, str, str]) -> None:
    """Eight sign-ins with the right password at once (more than ``max_failures``): none
    is refused as locked, and nothing counts against the address."""
    hub, url_a, url_b = replicas
    statuses, outcomes = _sign_in_at_once(hub, (url_a, url_b), [PASSWORD] * 8)
    assert statuses == [302] * 8, outcomes
    assert outcomes == ["success"] * 8


def test_a_right_password_in_a_burst_starts_the_count_again_once(
    replicas: tuple[Hub, str, str],
) -> None:
    """11 wrong and 1 right at once: the right one succeeds only if it was among the
    first ``max_failures`` reserved; a success starts the count of consecutive failures
    again, so at most ``max_failures`` wrong passwords are checked before it and
    ``max_failures`` after it, never the burst's 11."""
    hub, url_a, url_b = replicas
    statuses, outcomes = _sign_in_at_once(hub, (url_a, url_b), [WRONG] * 11 + [PASSWORD])
    max_failures = hub.policy.current().lockout.max_failures
    assert len(outcomes) == 12, statuses
    assert statuses.count(302) == outcomes.count("success") <= 1
    if outcomes.count("success"):
        assert outcomes.count("credentials") <= 2 * max_failures, statuses
    else:
        assert outcomes.count("credentials") == max_failures, statuses
