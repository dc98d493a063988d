"""The hub at national size: sign-in latency, the admin pages, and Redis per session, on
a database filled by ``bench.load_accounts``.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/onedoor_scale \\
        .venv/bin/python -m bench.scale

It migrates the database (``idp init``), registers a benchmark client, starts one
``idp serve`` on 127.0.0.1 with Redis (``BENCH_REDIS_URL``, emptied first) and measures,
one request at a time:

- the whole password sign-in (``/authorize`` → ``/signin`` → ``/token``) of ``SIGNINS``
  different members, p50 and p99;
- each admin page ``PAGE_ROUNDS`` times as the loader's unit admin, authority admin and
  security admin, p50 and p95;
- Redis bytes per active hub session: every key left after the sign-ins, by kind, with
  the short-lived ones (expiring within the hour) apart.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urljoin

import redis
import requests
from sqlalchemy import create_engine, text

from .load_accounts import (
    AUTHORITY_ADMIN,
    PASSWORD,
    SECURITY_ADMIN,
    UNIT_ADMIN,
    UNIT_CODE,
)

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "5078"))
BASE = f"http://127.0.0.1:{PORT}"
REDIRECT_URI = "http://127.0.0.1:9/cb"
CLIENT_ID = "bench-scale"
SIGNINS = int(os.environ.get("SIGNINS", "200"))
PAGE_ROUNDS = int(os.environ.get("PAGE_ROUNDS", "20"))
WARMUP = 5
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ATTR_RE = re.compile(r'([\w-]+)="([^"]*)"')
INPUT_RE = re.compile(r"<input\b([^>]*)>", re.S)


def _env(url: str, redis_url: str, instance: str) -> dict[str, str]:
    return {
        **os.environ,
        "IDP_DATABASE_URL": url,
        "IDP_REDIS_URL": redis_url,
        "IDP_INSTANCE_PATH": instance,
        "IDP_ISSUER": BASE,
        "IDP_CAPTCHA": "off",
        # Fixed: the signing keys in the database are sealed with it from the first run.
        "IDP_SECRET_KEY": "bench-scale-secret-0123456789-abcdefghij",
        # This checkout's hub, whatever the virtual environment's install points at.
        "PYTHONPATH": str(ROOT),
        "IDP_LOG_LEVEL": "WARNING",
    }


def _idp(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (the hub's own command line)
        [sys.executable, "-m", "idp.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"idp {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _forms(page: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for form_attrs, body in FORM_RE.findall(page):
        action = dict(ATTR_RE.findall(form_attrs)).get("action", "")
        fields = {}
        for input_attrs in INPUT_RE.findall(body):
            a = {k: html.unescape(v) for k, v in ATTR_RE.findall(input_attrs)}
            if "name" in a:
                fields[a["name"]] = a.get("value", "")
        found.append((html.unescape(action), fields))
    return found


def _form_with(page: requests.Response, field: str) -> tuple[str, dict[str, str]]:
    for action, fields in _forms(page.text):
        if field in fields:
            return urljoin(page.url, action), fields
    sys.exit(f"no form with {field!r} at {page.url} ({page.status_code}):\n{page.text[:1500]}")


def _follow(http: requests.Session, response: requests.Response) -> requests.Response | str:
    for _ in range(10):
        if response.status_code not in (301, 302, 303):
            return response
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(REDIRECT_URI):
            return location
        response = http.get(location, allow_redirects=False)
    sys.exit("too many redirects")


def _sign_in_form(
    http: requests.Session, page: requests.Response, username: str
) -> requests.Response | str:
    action, fields = _form_with(page, "password")
    fields.update(username=username, password=PASSWORD)
    return _follow(http, http.post(action, data=fields, allow_redirects=False))


def whole_signin(username: str, secret: str) -> float:
    """One person's sign-in from a fresh browser to tokens, in seconds."""
    http = requests.Session()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    started = time.perf_counter()
    result = _follow(http, http.get(f"{BASE}/authorize?{urlencode(params)}", allow_redirects=False))
    for _ in range(3):
        if isinstance(result, str):
            break
        if 'name="password"' in result.text:
            result = _sign_in_form(http, result, username)
        elif 'name="decision"' in result.text:
            action, fields = _form_with(result, "decision")
            fields["decision"] = "allow"
            result = _follow(http, http.post(action, data=fields, allow_redirects=False))
        else:
            sys.exit(
                f"unexpected page {result.url}:\n{re.sub(r'<[^>]+>', '', result.text)[-1500:]}"
            )
    if not isinstance(result, str) or "code=" not in result:
        sys.exit(f"sign-in of {username} ended without a code: {result}")
    code = result.split("code=")[1].split("&")[0]
    token = http.post(
        f"{BASE}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, secret),
    )
    elapsed = time.perf_counter() - started
    if token.status_code != 200 or "id_token" not in token.json():
        sys.exit(f"token for {username}: {token.status_code} {token.text[:500]}")
    return elapsed


def admin_session(username: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{BASE}/signin", allow_redirects=False)
    _sign_in_form(http, page, username)
    if http.get(f"{BASE}/unit/", allow_redirects=False).status_code != 200 and (
        username != SECURITY_ADMIN
    ):
        sys.exit(f"{username} cannot open 管理首頁")
    return http


def _ms(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_page(http: requests.Session, path: str) -> tuple[float, float, int]:
    """p50 and p95 in ms of ``PAGE_ROUNDS`` loads of ``path`` (after a warm-up), and the
    number of rows in the page's table."""
    times = []
    rows = 0
    for n in range(WARMUP + PAGE_ROUNDS):
        started = time.perf_counter()
        response = http.get(BASE + path, allow_redirects=False)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{path}: {response.status_code} {response.text[:500]}")
        if n >= WARMUP:
            times.append(elapsed)
        rows = response.text.count("<tr") - response.text.count("<thead")
    return _ms(times, 50), _ms(times, 95), rows


def redis_per_session(client: redis.Redis, sessions: int) -> list[str]:
    """Every key by kind (its name up to the id), in bytes per sign-in; the hub sessions'
    own keys (``sess``) are what an active session holds, the rest expire within the hour."""
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key in client.scan_iter(count=1000):
        kind = re.sub(r":[^:]*[0-9A-Za-z_-]{16,}.*$", ":…", key.decode())
        totals = kinds[kind]
        totals[0] += 1
        totals[1] += int(client.memory_usage(key) or 0)  # type: ignore[arg-type]
        totals[2] = max(totals[2], int(client.ttl(key)))  # type: ignore[arg-type]
    lines = [
        f"  {kind:<30} {n:>6} keys {used / sessions:>6.0f} B per sign-in, expire within {ttl} s"
        for kind, (n, used, ttl) in sorted(kinds.items())
    ]
    held = sum(used for kind, (_n, used, _ttl) in kinds.items() if kind.startswith("idp:sess:"))
    lines.append(f"  Redis bytes per active session (idp:sess:…): {held / sessions:.0f} B")
    return lines


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database filled by bench.load_accounts")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    with tempfile.TemporaryDirectory(prefix="onedoor-scale-") as instance:
        env = _env(url, redis_url, instance)
        _idp(env, "init")
        engine = create_engine(url)
        with engine.begin() as conn:
            accounts = conn.scalar(text("SELECT count(*) FROM account")) or 0
            members = list(
                conn.scalars(
                    text(
                        "SELECT username FROM account WHERE status = 'active' AND role = 'member'"
                        " AND username LIKE 'u%' ORDER BY md5(username) LIMIT :n"
                    ),
                    {"n": SIGNINS + WARMUP},
                )
            )
            conn.execute(text("DELETE FROM client WHERE client_id = :c"), {"c": CLIENT_ID})
        engine.dispose()
        secret = _client_secret(env)
        _idp(
            env,
            "policy",
            "set",
            "lockout.signin_per_minute=10000",
            "--reason",
            "benchmark: all sign-ins from one address",
        )
        server = subprocess.Popen(  # noqa: S603 (the hub's own command line)
            [sys.executable, "-m", "idp.cli", "serve", "--port", str(PORT), "--threads", "8"],
            env=env,
            cwd=instance,
        )
        try:
            _wait_for_server()
            print(f"== {accounts:,} accounts; {SIGNINS} sign-ins, {PAGE_ROUNDS} rounds a page")
            _report(store, members, secret)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _client_secret(env: dict[str, str]) -> str:
    out = _idp(
        env,
        "clients",
        "add",
        "--name",
        "bench",
        "--client-id",
        CLIENT_ID,
        "--redirect-uri",
        REDIRECT_URI,
        "--grant-type",
        "authorization_code",
        "--grant-type",
        "refresh_token",
    )
    return str(json.loads(out)["client_secret"])


def _wait_for_server() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{BASE}/.well-known/openid-configuration", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    sys.exit("the hub did not start")


def _report(store: redis.Redis, members: list[str], secret: str) -> None:
    for username in members[:WARMUP]:
        whole_signin(username, secret)
    store.flushdb()
    times = [whole_signin(username, secret) for username in members[WARMUP:]]
    print(
        f"whole password sign-in            p50 {_ms(times, 50):7.1f} ms   "
        f"p99 {_ms(times, 99):7.1f} ms   (mean {1000 * statistics.mean(times):.1f})"
    )
    print(f"Redis after {len(times)} sign-ins (one active hub session each):")
    for line in redis_per_session(store, len(times)):
        print(line)

    month_start = time.strftime("%Y-%m-%d", time.localtime(time.time() - 30 * 86400))
    today = time.strftime("%Y-%m-%d")
    unit, authority, security = (
        admin_session(UNIT_ADMIN),
        admin_session(AUTHORITY_ADMIN),
        admin_session(SECURITY_ADMIN),
    )
    pages = [
        ("unit admin account list, no filter", "/unit/accounts", unit),
        ("unit admin account list, by status", "/unit/accounts?status=disabled", unit),
        ("authority search by person's name", "/unit/accounts?name=陳家怡", authority),
        ("authority search by unit code", f"/unit/accounts?unit_code={UNIT_CODE[:7]}", authority),
        ("security admin /admin/accounts?q=", "/admin/accounts?q=u00123", security),
        (
            "sign-in log, one unit, one month",
            f"/unit/signins?from={month_start}&to={today}",
            unit,
        ),
        ("sign-in log, authority, no dates", "/unit/signins", authority),
        ("subsystem sign-ins, authority", "/unit/subsystem-signins", authority),
        ("管理首頁, unit admin", "/unit/", unit),
        ("管理首頁, authority", "/unit/", authority),
    ]
    for label, path, who in pages:
        p50, p95, rows = timed_page(who, path)
        print(f"{label:<38} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({rows} table rows)")


if __name__ == "__main__":
    main()
