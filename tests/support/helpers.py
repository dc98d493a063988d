"""Helpers shared by tests: registering clients and accounts, and a browser-less
person who signs in through the hub's real pages (captcha read from the store)."""

from __future__ import annotations

import html
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from idp.hub import Hub
from idp.models import AccountRole, AccountStatus, ResetRequest
from idp.services.accounts.directory import create_account
from idp.services.signin import captcha
from idp.services.subsystems.clients import ClientRegistration, register_client
from idp.services.units.directory import ensure_unit

PASSWORD = "Correct~Horse9Battery"
REDIRECT_URI = "http://127.0.0.1:9/cb"


@dataclass
class ClientInfo:
    client_id: str
    secret: str | None
    redirect_uri: str


def add_client(hub: Hub, **changes: Any) -> ClientInfo:
    values: dict[str, Any] = {
        "name": "測試子系統",
        "client_id": "client-" + secrets.token_hex(4),
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
    }
    values.update(changes)
    with hub.database.unit_of_work() as db:
        client, secret = register_client(db, hub.client_secrets, ClientRegistration(**values))
    return ClientInfo(client.client_id, secret, values["redirect_uris"][0])


def add_account(
    hub: Hub, username: str = "tester01", password: str = PASSWORD, **changes: Any
) -> str:
    with hub.database.unit_of_work() as db:
        unit = ensure_unit(db, "0101090517", "示範綜合醫院")
        account = create_account(
            db,
            hub.passwords,
            username=username,
            password=password,
            name=changes.pop("name", "王小明"),
            email=changes.pop("email", "wang@example.org"),
            phone=changes.pop("phone", "02-12345678#123"),
            unit=unit,
            role=changes.pop("role", AccountRole.MEMBER),
            status=changes.pop("status", AccountStatus.ACTIVE),
        )
        return account.subject


FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
INPUT_RE = re.compile(r"<input\b([^>]*)>", re.S)
ATTR_RE = re.compile(r'([\w-]+)="([^"]*)"')


def forms(page: str) -> list[dict[str, Any]]:
    found = []
    for form_attrs, body in FORM_RE.findall(page):
        attrs = {k: html.unescape(v) for k, v in ATTR_RE.findall(form_attrs)}
        fields = {}
        for input_attrs in INPUT_RE.findall(body):
            a = {k: html.unescape(v) for k, v in ATTR_RE.findall(input_attrs)}
            if "name" in a:
                fields[a["name"]] = a.get("value", "")
        found.append({"action": attrs.get("action", ""), "fields": fields})
    return found


def form_with(page: str, field: str) -> dict[str, Any]:
    for form in forms(page):
        if field in form["fields"]:
            return form
    raise AssertionError(f"no form with {field!r} in page:\n{page[:2000]}")


class Person:
    """Someone at a browser (a requests session with cookies), using the hub's pages."""

    def __init__(
        self, hub: Hub, base_url: str, username: str = "tester01", password: str = PASSWORD
    ) -> None:
        self.hub = hub
        self.base_url = base_url
        self.username = username
        self.password = password
        self.http = requests.Session()
        self.last_page: requests.Response | None = None

    def follow(
        self, response: requests.Response, stop_at: str = REDIRECT_URI
    ) -> requests.Response | str:
        """Follow redirects until a page, or a redirect to ``stop_at`` (returned as URL)."""
        for _ in range(20):
            if response.status_code not in (301, 302, 303, 307, 308):
                self.last_page = response
                return response
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(stop_at):
                return location
            response = self.http.get(location, allow_redirects=False)
        raise AssertionError("too many redirects")

    def sign_in_form(
        self,
        page: requests.Response,
        password: str | None = None,
        captcha_answer: str | None = None,
    ) -> requests.Response:
        form = form_with(page.text, "password")
        data = dict(form["fields"])
        data["username"] = self.username
        data["password"] = self.password if password is None else password
        if "captcha_id" in data:
            answer = captcha.answer_of(self.hub.store, data["captcha_id"])
            data["captcha_answer"] = answer if captcha_answer is None else captcha_answer
        return self.http.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)

    def authorize(self, url: str, stop_at: str = REDIRECT_URI, consent: bool = True) -> str:
        """Go to an authorization URL, sign in and consent as needed; return the redirect."""
        result = self.follow(self.http.get(url, allow_redirects=False), stop_at)
        for _ in range(5):
            if isinstance(result, str):
                return result
            page = result
            assert page.status_code == 200, (page.status_code, page.text[:1000])
            if 'name="password"' in page.text:
                result = self.follow(self.sign_in_form(page), stop_at)
            elif 'name="decision"' in page.text:
                form = form_with(page.text, "rid")
                data = dict(form["fields"], decision="allow" if consent else "deny")
                result = self.follow(
                    self.http.post(
                        urljoin(page.url, form["action"]), data=data, allow_redirects=False
                    ),
                    stop_at,
                )
            else:
                raise AssertionError(f"unexpected page: {page.text[:1000]}")
        raise AssertionError("no redirect to the client")

    def sign_in_at_home(self) -> requests.Response:
        page = self.http.get(self.base_url + "/")
        return self.sign_in_form(page)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


FIELD_RE = re.compile(r'name="([^"]+)"[^>]*value="([^"]*)"')


def page_fields(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in FIELD_RE.findall(page)}


def client_sign_in(
    client: Any,
    hub: Hub,
    username: str = "tester01",
    password: str = PASSWORD,
    ip: str = "127.0.0.1",
) -> Any:
    """Sign in with Flask's test client from ``ip``, answering the captcha if asked."""
    environ = {"REMOTE_ADDR": ip}
    fields = page_fields(client.get("/signin", environ_base=environ).get_data(as_text=True))
    data = {
        "csrf_token": fields["csrf_token"],
        "username": username,
        "password": password,
        "rid": "",
    }
    if "captcha_id" in fields:
        data["captcha_id"] = fields["captcha_id"]
        data["captcha_answer"] = captcha.answer_of(hub.store, fields["captcha_id"]) or ""
    return client.post("/signin", data=data, environ_base=environ)


def wait_for_reset_requests(hub: Hub, seconds: float = 10) -> None:
    """Until the background worker has handled every 忘記密碼 request."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with hub.database.unit_of_work() as db:
            if db.query(ResetRequest).count() == 0:
                return
        time.sleep(0.05)
    raise AssertionError("reset requests not handled")
