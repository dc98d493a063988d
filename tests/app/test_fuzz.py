"""Every route, fuzzed (Hypothesis) as every kind of visitor: anonymous, a member, a unit
admin, the authority and a security admin. Whatever the query string, form, path ids,
headers and encodings, the hub never answers 5xx, never logs a traceback, and a request
it refuses (4xx) commits no change to the database but the audit of the refusal.

``make test`` runs ``FUZZ_EXAMPLES`` (4) examples per route and visitor; ``make fuzz``
runs many more."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from idp.hub import Hub
from idp.models import Account, AccountStatus
from idp.oidc.machine import ENDPOINTS as MACHINE_ENDPOINTS

from ..support import fuzz
from ..support.portal import ROLES, Visitor, make_people, visitor

pytestmark = pytest.mark.fuzz

#: Routes left out, each because it ends the visitor's own session on purpose.
SESSION_ENDERS = {"portal.signout", "oidc.logout_confirm"}
VISITORS = ["anonymous", "member", "unit_admin", "authority", "security_admin"]


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """Flask's routes, and the token, introspection and revocation endpoints answered
    before Flask."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in SESSION_ENDERS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    for path, (_, endpoint) in MACHINE_ENDPOINTS.items():
        found.extend((Rule(path, endpoint=endpoint), method) for method in ("GET", "POST"))
    return found


def back_in(app: Flask, hub: Hub, role: str) -> Visitor:
    """The role's visitor signed in again, its account made usable again if a fuzzed
    request (an admin's, on an id that happened to be its own) disabled or locked it."""
    with hub.database.unit_of_work() as db:
        account = db.query(Account).filter_by(username=ROLES[role]).one()
        account.status = AccountStatus.ACTIVE
        hub.throttle.unlock(account.id)
    return visitor(app, hub, ROLES[role])


def still_signed_in(person: Visitor) -> bool:
    return person.client.get("/account/profile").status_code == 200


@pytest.mark.parametrize("role", VISITORS)
def test_no_route_fails_whatever_it_is_sent(app: Flask, hub: Hub, role: str) -> None:
    make_people(hub)
    person = (
        Visitor(app.test_client(), "", "")
        if role == "anonymous"
        else visitor(app, hub, ROLES[role])
    )
    names = fuzz.parameter_names()
    tracebacks = fuzz.Tracebacks()
    logging.getLogger().addHandler(tracebacks)
    problems: list[str] = []
    try:
        for rule, method in routes(app):
            problem = fuzz_route(rule, method, role, person, hub, names, tracebacks)
            if problem:
                problems.append(problem)
            if role != "anonymous" and not still_signed_in(person):
                person = back_in(app, hub, role)
    finally:
        logging.getLogger().removeHandler(tracebacks)
    assert not problems, "\n".join(problems)


def fuzz_route(
    rule: Rule,
    method: str,
    role: str,
    person: Visitor,
    hub: Hub,
    names: list[str],
    tracebacks: fuzz.Tracebacks,
) -> str | None:
    """The first failure of ``EXAMPLES`` fuzzed requests to one route, or None."""

    @settings(
        max_examples=fuzz.EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        # The first failure is reported as drawn: shrinking it replays the route many
        # times over, for a message that already names the route and the answer.
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
    )
    @given(
        parts=st.fixed_dictionaries({name: fuzz.path_values for name in rule.arguments}),
        query=fuzz.params(names),
        form=fuzz.params(names),
        headers=fuzz.headers,
        with_csrf=st.booleans(),
    )
    def one_request(
        parts: dict[str, str],
        query: list[tuple[str, str]],
        form: list[tuple[str, str]],
        headers: dict[str, str],
        with_csrf: bool,
    ) -> None:
        body: Any = list(form)
        if with_csrf and person.csrf:
            body.append(("csrf_token", person.csrf))
        tracebacks.records.clear()
        with fuzz.watch_writes(hub.database.engine) as writes:
            response = person.client.open(
                fuzz.fill(rule, parts),
                method=method,
                query_string=MultiDict(query),
                data=MultiDict(body) if method != "GET" else None,
                headers=headers,
            )
            response.close()
        where = f"{method} {rule.rule} as {role}"
        assert response.status_code < 500, (
            f"{where}: {response.status_code} {parts} {query} {form} {headers}"
        )
        assert not tracebacks.records, f"{where}: {tracebacks.records[0].getMessage()}"
        if response.status_code >= 400:
            changed = writes.committed - fuzz.WRITTEN_ON_REFUSAL
            assert not changed, f"{where}: refused ({response.status_code}) but wrote {changed}"

    try:
        one_request()
    except AssertionError as failure:
        return str(failure).splitlines()[0]
    return None
