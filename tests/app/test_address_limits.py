"""Limits per source address: failures count, successes do not; trusted networks have
their own limit; X-Forwarded-For is honoured only from the configured proxies."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from idp.app import create_app
from idp.config import Settings
from idp.http.proxies import TrustedProxies
from idp.hub import Hub
from idp.services import policy
from idp.services.policy import PolicyError

from ..support.helpers import add_account, client_sign_in

WRONG = "Wrong~Password9"


def set_policy(hub: Hub, **changes: str) -> None:
    with hub.database.unit_of_work() as db:
        policy.change_policy(
            db, {f"lockout.{k}": v for k, v in changes.items()}, actor="t", reason="r"
        )
    hub.policy.reload()


def wrong_sign_ins(app: Flask, hub: Hub, count: int, ip: str, **headers: str) -> list[int]:
    """``count`` wrong passwords from ``ip``, each for a different name (no lock)."""
    client = app.test_client()
    statuses = []
    for n in range(count):
        client.environ_base.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
        statuses.append(client_sign_in(client, hub, f"nobody{n:04d}", WRONG, ip=ip).status_code)
    return statuses


def test_successful_sign_ins_do_not_count_per_address(app: Flask, hub: Hub) -> None:
    """A shift change: every nurse of a hospital signs in through one public address."""
    add_account(hub)
    limit = hub.policy.current().lockout.signin_per_minute
    client = app.test_client()
    statuses = [client_sign_in(client, hub, ip="10.2.2.2").status_code for _ in range(limit + 5)]
    assert set(statuses) == {302}


def test_failed_sign_ins_per_minute_are_limited_per_address(app: Flask, hub: Hub) -> None:
    set_policy(hub, address_failures="1000", signin_per_minute="8")
    statuses = wrong_sign_ins(app, hub, 10, "10.2.2.3")
    assert statuses == [401] * 8 + [429] * 2


def test_a_trusted_network_has_its_own_limit(app: Flask, hub: Hub) -> None:
    set_policy(hub, trusted_networks="10.20.0.0/16=12, 192.0.2.7=9")
    failures = hub.policy.current().lockout.address_failures
    assert wrong_sign_ins(app, hub, 14, "10.20.3.4") == [401] * 12 + [429] * 2
    assert wrong_sign_ins(app, hub, 10, "192.0.2.7") == [401] * 9 + [429]
    assert wrong_sign_ins(app, hub, failures + 1, "10.21.0.1") == [401] * failures + [429]


@pytest.mark.parametrize("value", ["10.0.0.0/8", "10.0.0.0/8=0", "nonsense=5", "10.0.0.1=x"])
def test_trusted_networks_are_checked(hub: Hub, value: str) -> None:
    with pytest.raises(PolicyError), hub.database.unit_of_work() as db:
        policy.change_policy(db, {"lockout.trusted_networks": value}, actor="t", reason="r")


def test_forwarded_for_is_ignored_unless_a_proxy_sends_it(app: Flask, hub: Hub) -> None:
    failures = hub.policy.current().lockout.address_failures
    # Not a configured proxy: a new X-Forwarded-For on every request changes nothing.
    client = app.test_client()
    statuses = []
    for n in range(failures + 1):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        statuses.append(
            client_sign_in(client, hub, f"nobody{n:04d}", WRONG, ip="10.3.3.3").status_code
        )
    assert statuses == [401] * failures + [429]


def test_forwarded_for_from_a_configured_proxy_names_the_client(hub: Hub) -> None:
    settings = dataclasses.replace(hub.settings, trusted_proxies="10.0.0.5, 10.1.0.0/24")
    app = create_app(settings, hub=hub)
    failures = hub.policy.current().lockout.address_failures
    behind = {"x_forwarded_for": "203.0.113.9, 10.1.0.7"}  # client, then an inner proxy
    assert wrong_sign_ins(app, hub, failures + 1, "10.0.0.5", **behind) == (
        [401] * failures + [429]
    )
    # Another client behind the same proxy is not refused; nor is the proxy itself.
    other = {"x_forwarded_for": "203.0.113.10"}
    assert wrong_sign_ins(app, hub, 1, "10.0.0.5", **other) == [401]


def test_the_client_behind_the_proxies() -> None:
    proxies = TrustedProxies(
        lambda e, s: [], Settings(trusted_proxies="10.0.0.5,10.1.0.0/24").proxy_networks()
    )  # type: ignore[arg-type]
    assert proxies.client("10.0.0.5", "203.0.113.9, 10.1.0.7") == "203.0.113.9"
    assert proxies.client("10.0.0.5", "1.1.1.1, 203.0.113.9") == "203.0.113.9"  # first hop lies
    assert proxies.client("192.0.2.1", "203.0.113.9") == "192.0.2.1"  # not a proxy
    assert proxies.client("10.0.0.5", "not-an-address") == "10.0.0.5"
    assert proxies.client("10.0.0.5", "") == "10.0.0.5"
