"""Faults a production hub must survive, on a PostgreSQL and a Redis of the test's own
and two ``idp serve`` processes: Redis stopped, PostgreSQL restarted, the mail server
down, a replica killed. Each is bounded in time and stays on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from idp.hub import Hub
from idp.models import (
    Account,
    AccountStatus,
    Application,
    ApplicationStatus,
    AuditEvent,
    HubSession,
    InboxMessage,
    MailMessage,
)
from idp.services.audit_log.verify import verify
from idp.services.messaging import mail
from idp.services.signin.passwords import Passwords

from ..support.applications import (
    HOSPITAL,
    add_admin,
    add_unit,
    applying,
    member_form,
    national_id,
    submit_confirmed,
)
from ..support.helpers import PASSWORD, Person, add_account, form_with
from ..support.hub import DATABASE_URL, free_port
from ..support.smtp import SmtpServer
from ..support.topology import Topology, eventually, topology

#: They bring their own PostgreSQL and Redis: the suite's PostgreSQL pass adds nothing.
pytestmark = pytest.mark.skipif(bool(DATABASE_URL), reason="run by the embedded-default pass")


SMTP_PORT = free_port()


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    """One topology for the module: every test leaves it whole again."""
    yield from topology(
        tmp_path_factory.mktemp("faults"), IDP_SMTP_URL=f"smtp://127.0.0.1:{SMTP_PORT}"
    )


@pytest.fixture(autouse=True)
def whole_again(replicas: Topology) -> Iterator[None]:
    """A test that fails half-way still leaves both replicas serving for the next."""
    yield
    for name, process in list(replicas.processes.items()):
        if process.poll() is not None:
            replicas.start_replica(name)


def signin_successes(hub: Hub) -> int:
    with hub.database.unit_of_work() as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "signin.success")
            )
            or 0
        )


def test_redis_stopped_answers_503_and_comes_back(replicas: Topology) -> None:
    hub, url_a, url_b = replicas.hub, replicas.url_a, replicas.url_b
    add_account(hub, username="redis01")
    person = Person(hub, url_a, username="redis01")
    assert person.sign_in_at_home().status_code == 302
    before = signin_successes(hub)

    replicas.redis.stop()
    try:
        for url in (url_a, url_b):
            page = requests.get(url + "/signin", timeout=10)
            assert page.status_code == 503 and "暫停服務" in page.text
            assert page.headers["Retry-After"]
            english = requests.get(url + "/signin", cookies={"lang": "en"}, timeout=10)
            assert english.status_code == 503
            as_json = requests.post(
                url + "/token",
                data={"grant_type": "client_credentials", "client_id": "x"},
                timeout=10,
            )
            assert as_json.status_code == 503
            assert as_json.json()["error"] == "temporarily_unavailable"
            assert requests.get(url + "/readyz", timeout=10).json()["checks"]["store"] != "ok"
            assert requests.get(url + "/healthz", timeout=10).status_code == 200
        # Sign-ins during the outage (a known browser, a new one): refused, none let in.
        for attempt in (person, Person(hub, url_b, username="redis01")):
            response = attempt.http.post(
                url_b + "/signin",
                data={"username": "redis01", "password": PASSWORD},
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 503
        assert signin_successes(hub) == before
    finally:
        replicas.redis.start()
    started = time.monotonic()
    fresh = Person(hub, url_b, username="redis01")
    assert eventually(lambda: fresh.sign_in_at_home().status_code == 302, seconds=10)
    assert time.monotonic() - started < 10
    assert requests.get(url_a + "/readyz", timeout=10).status_code == 200


def _approve(reviewer: Person, url: str, application_id: int) -> int:
    """Approve one application on the review page; the final status (200 when done)."""
    try:
        page = reviewer.http.get(url, timeout=15)
        if page.status_code != 200:
            return page.status_code
        token = form_with(page.text, "csrf_token")["fields"]["csrf_token"]
        data = {"csrf_token": token, "ids": [str(application_id)], "decision": "approve"}
        asked = reviewer.http.post(url, data=data, timeout=15)
        if asked.status_code != 200 or "是否確定" not in asked.text:
            return asked.status_code
        done = reviewer.http.post(url, data={**data, "confirmed": "yes"}, timeout=15)
        return 200 if done.status_code == 200 and "已核定" in done.text else done.status_code
    except requests.ConnectionError:
        return -1


def test_postgres_restarted_during_approvals_leaves_each_whole_or_failed(
    replicas: Topology,
) -> None:
    hub, url_a = replicas.hub, replicas.url_a
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_admin(hub, "reviewer01", HOSPITAL)
    ids = []
    with hub.database.unit_of_work() as db:
        for n in range(12):
            application = submit_confirmed(
                db,
                applying(hub),
                member_form(
                    username=f"approve{n:02d}",
                    national_id=national_id("B", "2" + f"{3456780 + n * 7:07d}"),
                    email=f"approve{n:02d}@example.org",
                ),
            )
            db.flush()
            ids.append(application.id)
    reviewer = Person(hub, url_a, username="reviewer01")
    assert reviewer.sign_in_at_home().status_code == 302
    url = url_a + "/review/applications"
    outcome: dict[int, int] = {}

    def approve_all() -> None:
        for application_id in ids:
            outcome[application_id] = _approve(reviewer, url, application_id)
            time.sleep(0.15)

    worker = threading.Thread(target=approve_all)
    worker.start()
    time.sleep(0.6)
    replicas.postgres.stop()
    time.sleep(1.0)
    replicas.postgres.start()
    worker.join(120)
    assert not worker.is_alive()
    hub.database.engine.dispose()  # this process's own connections died with the server
    # Whatever failed was reported (503), never a server error or a half-written page.
    assert set(outcome.values()) <= {200, 503}, outcome
    assert 503 in outcome.values() and 200 in outcome.values(), outcome

    with hub.database.unit_of_work() as db:
        for application_id, status in outcome.items():
            application = db.get(Application, application_id)
            assert application is not None
            account = application.account
            approved_rows = db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == "application.approve",
                    AuditEvent.target == account.username,
                )
            )
            notices = db.scalar(
                select(func.count())
                .select_from(InboxMessage)
                .where(InboxMessage.account_id == account.id)
            )
            if application.status is ApplicationStatus.APPROVED:
                assert account.status is AccountStatus.ACTIVE
                assert approved_rows == 1 and notices and notices >= 1
            else:
                assert status != 200, "an approval answered as done was lost"
                assert application.status is ApplicationStatus.PENDING
                assert account.status is AccountStatus.PENDING
                assert approved_rows == 0
        assert verify(db).ok
    # Back: what failed and was not kept can be approved now (a failure reported while
    # the commit went through leaves the application whole and decided).
    with hub.database.unit_of_work() as db:
        pending = [
            i
            for i, status in outcome.items()
            if status != 200 and db.get(Application, i).status is ApplicationStatus.PENDING  # type: ignore[union-attr]
        ]
    assert pending
    assert eventually(lambda: _approve(reviewer, url, pending[0]) == 200, seconds=15)


def test_mail_waits_while_smtp_is_down_and_leaves_once(replicas: Topology) -> None:
    hub = replicas.hub
    with hub.database.unit_of_work() as db:
        message = mail.send_later(db, to="waiting@example.org", kind="account_created")
        db.flush()
        message_id = message.id

    def attempts() -> int:
        with hub.database.unit_of_work() as db:
            row = db.get(MailMessage, message_id)
            assert row is not None and row.sent_at is None
            return row.attempts

    assert eventually(lambda: attempts() >= 1, seconds=10)
    server = SmtpServer(SMTP_PORT)
    server.start()
    try:

        def to_waiting() -> int:
            return sum(m["To"] == "waiting@example.org" for m in server.inbox.messages)

        assert eventually(to_waiting, seconds=30)
        time.sleep(3)  # both replicas' workers have looked again
        assert to_waiting() == 1
    finally:
        server.stop()
    with hub.database.unit_of_work() as db:
        assert db.get(MailMessage, message_id).sent_at is not None  # type: ignore[union-attr]


def test_a_replica_killed_mid_request_leaves_no_corrupt_row(
    replicas: Topology, tmp_path: Path
) -> None:
    hub, url_a, url_b = replicas.hub, replicas.url_a, replicas.url_b
    # A password whose hash takes a while to check: the sign-in is in flight when B dies.
    add_account(hub, username="killed01")
    with hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "killed01"))
        assert account is not None
        account.password_hash = slow_hash()
    sessions_before = _count(hub, HubSession)
    person = Person(hub, url_b, username="killed01")
    page = person.http.get(url_b + "/", timeout=10)
    answer: dict[str, Any] = {}

    def sign_in() -> None:
        try:
            answer["status"] = person.sign_in_form(page).status_code
        except requests.ConnectionError as error:
            answer["error"] = error

    thread = threading.Thread(target=sign_in)
    thread.start()
    time.sleep(1.0)
    # The server process and its workers, as the machine's OOM killer or a crash would.
    os.killpg(replicas.processes["b"].pid, signal.SIGKILL)
    replicas.processes["b"].wait(10)
    thread.join(30)
    assert "error" in answer, answer  # the request died with its process

    # The other replica serves on, and the killed request left nothing half-written.
    assert Person(hub, url_a, username="killed01").sign_in_at_home().status_code == 302
    with hub.database.unit_of_work() as db:
        assert verify(db).ok
        stuck = db.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE state LIKE 'idle in transaction%' AND datname = current_database()"
            )
        )
        assert stuck == 0
    assert _count(hub, HubSession) == sessions_before + 1
    replicas.start_replica("b")


def slow_hash(seconds: float = 3.0) -> str:
    """A hash of ``PASSWORD`` whose check takes about ``seconds`` on this machine as it
    is now (a fixed cost is over in under a second on a quiet machine): the sign-in is
    still in flight when the test acts on its server a second after sending it."""
    started = time.perf_counter()
    Passwords(time_cost=10, memory_kib=19456, parallelism=1).hash(PASSWORD)
    per_pass = (time.perf_counter() - started) / 10
    cost = max(10, min(2000, round(seconds / per_pass)))
    return Passwords(time_cost=cost, memory_kib=19456, parallelism=1).hash(PASSWORD)


def _count(hub: Hub, model: Any) -> int:
    with hub.database.unit_of_work() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_sigterm_lets_the_request_in_flight_finish(replicas: Topology) -> None:
    hub, url_b = replicas.hub, replicas.url_b
    add_account(hub, username="stopping01")
    with hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "stopping01"))
        assert account is not None
        account.password_hash = slow_hash()
    person = Person(hub, url_b, username="stopping01")
    page = person.http.get(url_b + "/", timeout=10)
    answer: dict[str, Any] = {}

    def sign_in() -> None:
        answer["status"] = person.sign_in_form(page).status_code

    thread = threading.Thread(target=sign_in)
    thread.start()
    time.sleep(1.0)
    process = replicas.processes["b"]
    process.send_signal(signal.SIGTERM)
    thread.join(30)
    assert answer == {"status": 302}  # finished, though the server was told to stop
    assert process.wait(30) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(url_b + "/healthz", timeout=5)  # and it takes no new request
    replicas.start_replica("b")
