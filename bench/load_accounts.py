"""Fill a PostgreSQL database with a national-size hub: units, accounts, subsystem
accounts and a year of sign-in log, written with COPY so a million accounts load in
minutes.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/onedoor_scale \\
        .venv/bin/python -m bench.load_accounts --accounts 1000000

The database is emptied and migrated to the newest schema first. Every account has the
same password (``PASSWORD``), hashed once with the hub's argon2id settings and the hash
reused, so the benchmark can sign in as anyone. Per account, on average: 0.735 subsystem
accounts (bound to it), ``--signins`` hub sign-ins, half as many subsystem sign-ins and
as many audit rows, spread over the last 365 days. The people who run the admin pages in
the benchmark (``ACTORS``) are written first, with fixed usernames.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Table, create_engine, text

from idp.config import Settings
from idp.migrate import upgrade
from idp.models import (
    Account,
    AuditEvent,
    Base,
    Binding,
    HubSession,
    SubsystemAccount,
    SubsystemSignin,
    Unit,
)
from idp.models.base import table_of
from idp.services.signin.passwords import Passwords

PASSWORD = "Bench~Password2026"
#: Subsystems the loaded subsystem accounts belong to (the demo catalogue's codes).
SUBSYSTEMS = ("mch", "cancer", "cessation")
AUTHORITY_CODE = "9900000001"
#: The admin-page actors: the authority's admin and a security admin.
AUTHORITY_ADMIN = "benchauthority"
SECURITY_ADMIN = "benchsecurity"
#: Unit admin of the first medical unit (``UNIT_CODE``) and the account signing in.
UNIT_ADMIN = "benchunitadmin"
UNIT_CODE = "0100000001"
SIGNER = "benchsigner"
COUNTIES = (
    "臺北市", "新北市", "桃園市", "臺中市", "臺南市", "高雄市", "基隆市", "新竹市", "嘉義市",
    "新竹縣", "苗栗縣", "彰化縣", "南投縣", "雲林縣", "嘉義縣", "屏東縣", "宜蘭縣", "花蓮縣",
    "臺東縣", "澎湖縣", "金門縣", "連江縣",
)  # fmt: skip
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余"
GIVEN = "家怡雅婷志明俊傑淑芬美玲建宏宗翰佳穎冠宇承恩宜蓁柏翰欣妤文彥秀英麗華國強明哲惠"
UNIT_WORDS = ("綜合醫院", "診所", "衛生所", "醫院", "聯合診所", "牙醫診所", "藥局", "檢驗所")
DAY = 86400
#: NULL in COPY text.
NULL = "\\N"
YEAR = 365 * DAY


def _settings() -> Settings:
    return Settings(secret_key="bench-secret-0123456789-abcdefghijklmnop")  # noqa: S106


def copy_rows(
    conn: psycopg.Connection[Any], table: Table, columns: list[str], rows: Iterable[str]
) -> int:
    """COPY text lines (tab-separated, ``\\N`` for NULL) into ``table``; checks first that
    every NOT NULL column without a server default is among ``columns``."""
    required = {
        c.name
        for c in table.columns
        if not c.nullable and c.server_default is None and c.autoincrement is not True
    }
    missing = required - set(columns) - {c.name for c in table.primary_key if c.autoincrement}
    if missing:
        raise SystemExit(f"{table.name}: no value for {sorted(missing)}")
    count = 0
    buffer = io.StringIO()
    with conn.cursor().copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for line in rows:
            buffer.write(line)
            count += 1
            if count % 20000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


class Clock:
    """Naive-UTC timestamps as COPY text, ``seconds`` back from now."""

    def __init__(self) -> None:
        self.now = int(time.time())

    def ago(self, seconds: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.now - seconds))


def units(count: int, rand: random.Random) -> Iterator[str]:
    """id 1 the authority, 2..23 the counties' 衛生局, then medical units (codes from
    ``UNIT_CODE`` up)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    yield f"1\t{AUTHORITY_CODE}\t國民健康署\tauthority\t\t\t\t\t{NULL}\t{stamp}\t{stamp}\n"
    for n, county in enumerate(COUNTIES):
        yield (
            f"{n + 2}\t99{n + 10:08d}\t{county}衛生局\thealth_bureau\t{county}\t\t\t\t{NULL}"
            f"\t{stamp}\t{stamp}\n"
        )
    base = len(COUNTIES) + 2
    for n in range(count - base + 1):
        place = rand.randrange(len(COUNTIES))
        word = UNIT_WORDS[n % len(UNIT_WORDS)]
        kind = "hospital" if "醫院" in word else "health_station" if word == "衛生所" else "clinic"
        name = f"{COUNTIES[place][:2]}{rand.choice(SURNAMES)}{rand.choice(GIVEN)}{word}"
        yield (
            f"{base + n}\t{int(UNIT_CODE) + n:010d}\t{name}\t{kind}\t{COUNTIES[place]}"
            f"\t\t\t\t{place + 2}\t{stamp}\t{stamp}\n"
        )


UNIT_COLUMNS = [
    "id", "code", "name", "kind", "county", "district", "phone", "address", "bureau_id",
    "created_at", "updated_at",
]  # fmt: skip
ACCOUNT_COLUMNS = [
    "id", "subject", "username", "password_hash", "password_changed_at", "must_change_password",
    "name", "title", "email", "email_backup", "phone", "phone_backup", "mobile", "unit_phone",
    "national_id_sealed", "national_id_hash", "unit_id", "role", "status", "is_security_admin",
    "created_at", "updated_at", "last_signin_at", "idle_since", "disable_on",
]  # fmt: skip


def accounts(
    count: int, unit_count: int, password_hash: str, clock: Clock, rand: random.Random
) -> Iterator[str]:
    """Accounts spread over the medical units (the first of each its unit admin); the
    named actors first. 5 % disabled, 2 % pending, 3 % dormant, 1 % with a disable_on."""
    first_medical = len(COUNTIES) + 2
    medical = unit_count - first_medical + 1
    actors = {
        1: (AUTHORITY_ADMIN, 1, "unit_admin", "f"),
        2: (SECURITY_ADMIN, 1, "member", "t"),
        3: (UNIT_ADMIN, first_medical, "unit_admin", "f"),
        4: (SIGNER, first_medical, "member", "f"),
    }
    statuses = ["active"] * 89 + ["disabled"] * 5 + ["pending"] * 2 + ["dormant"] * 3 + ["returned"]
    for i in range(1, count + 1):
        if i in actors:
            username, unit, role, security = actors[i]
            status = "active"
        else:
            username = f"u{i:07d}"
            unit = first_medical + (i - 5) % medical
            role = "unit_admin" if i - 5 < medical else "member"
            security = "f"
            status = statuses[rand.randrange(100)]
        name = rand.choice(SURNAMES) + rand.choice(GIVEN) + rand.choice(GIVEN)
        created = clock.ago(rand.randrange(3 * YEAR))
        # Within the password policy's age, so nobody is asked for a new one.
        changed = clock.ago(rand.randrange(30 * DAY))
        last = clock.ago(rand.randrange(YEAR)) if status == "active" else None
        disable_on = (
            (datetime.now(UTC) + timedelta(days=rand.randrange(-30, 365))).strftime("%Y-%m-%d")
            if rand.randrange(100) == 0
            else NULL
        )
        yield (
            f"{i}\t{i:032x}\t{username}\t{password_hash}\t{changed}\tf"
            f"\t{name}\t\t{username}@example.tw\t\t\t\t\t"
            f"\t\t\t{unit}\t{role}\t{status}\t{security}"
            f"\t{created}\t{created}\t{last or NULL}\t{last or created}\t{disable_on}\n"
        )


SUBSYSTEM_ACCOUNT_COLUMNS = [
    "id", "subsystem", "username", "unit_id", "role", "duty", "menu_roles", "status",
    "created_at",
]  # fmt: skip
BINDING_COLUMNS = ["id", "public_id", "account_id", "subsystem_account_id", "label", "created_at"]


def subsystem_accounts(
    count: int, accounts_total: int, unit_count: int, clock: Clock
) -> Iterator[tuple[str, str]]:
    """Subsystem account ``n`` bound to account ``n`` (first ``count`` accounts)."""
    first_medical = len(COUNTIES) + 2
    medical = unit_count - first_medical + 1
    for n in range(1, min(count, accounts_total) + 1):
        unit = 1 if n <= 2 else first_medical + (n - 5) % medical if n > 4 else first_medical
        subsystem = SUBSYSTEMS[n % len(SUBSYSTEMS)]
        stamp = clock.ago(n % YEAR)
        yield (
            f"{n}\t{subsystem}\tsa{n:08d}\t{unit}\tmember\tcase\t[]\tactive\t{stamp}\n",
            f"{n}\tbnd_{n:020d}\t{n}\t{n}\t{subsystem[:10]}\t{stamp}\n",
        )


HUB_SESSION_COLUMNS = [
    "sid", "account_id", "store_key", "created_at", "ended_at", "end_reason", "ip",
    "user_agent", "acr", "amr",
]  # fmt: skip
SUBSYSTEM_SIGNIN_COLUMNS = [
    "id", "account_id", "subsystem_account_id", "client_id", "label", "ip", "signed_in_at",
]  # fmt: skip
AUDIT_COLUMNS = [
    "id", "at", "action", "actor", "actor_account_id", "target", "ip", "details", "prev_hash",
    "hash",
]  # fmt: skip


def hub_sessions(
    count: int, accounts_total: int, clock: Clock, rand: random.Random
) -> Iterator[str]:
    for n in range(count):
        account = rand.randrange(1, accounts_total + 1)
        at = clock.ago(rand.randrange(YEAR))
        yield (
            f"s{n:042d}\t{account}\tsession:s{n}\t{at}\t{at}\tsignout\t10.{n % 250}.{n % 200}.1"
            f'\tMozilla/5.0\tpwd\t["pwd"]\n'
        )


def subsystem_signins(count: int, bound: int, clock: Clock, rand: random.Random) -> Iterator[str]:
    for n in range(1, count + 1):
        account = rand.randrange(1, bound + 1)
        subsystem = SUBSYSTEMS[account % len(SUBSYSTEMS)]
        at = clock.ago(rand.randrange(YEAR))
        yield f"{n}\t{account}\t{account}\t{subsystem}\t{subsystem[:10]}\t10.0.{n % 250}.1\t{at}\n"


def audit_rows(count: int, accounts_total: int, clock: Clock, rand: random.Random) -> Iterator[str]:
    """Sign-ins, failed sign-ins (one in ten) and sign-outs, outside the hash chain."""
    for n in range(1, count + 1):
        account = rand.randrange(1, accounts_total + 1)
        roll = n % 10
        action = "signin.failure" if roll == 0 else "signout" if roll < 4 else "signin.success"
        details = '{"reason": "bad_password"}' if roll == 0 else "{}"
        at = clock.ago(rand.randrange(YEAR))
        yield (
            f"{n}\t{at}\t{action}\tu{account:07d}\t{account}\tu{account:07d}"
            f"\t10.1.{n % 250}.1\t{details}\t\t\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--per-unit", type=int, default=50, help="accounts per unit")
    parser.add_argument("--signins", type=float, default=3.0, help="hub sign-ins per account")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database")
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    engine.dispose()

    settings = _settings()
    password_hash = Passwords(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    ).hash(PASSWORD)
    rand = random.Random(2026)  # noqa: S311 (test data)
    clock = Clock()
    total = args.accounts
    unit_count = max(len(COUNTIES) + 3, total // args.per_unit)
    bound = int(total * 0.735)
    signins = int(total * args.signins)
    started = time.perf_counter()
    bound_pairs = list(subsystem_accounts(bound, total, unit_count, clock))
    loads: list[tuple[type[Base], list[str], Iterable[str]]] = [
        (Unit, UNIT_COLUMNS, units(unit_count, rand)),
        (Account, ACCOUNT_COLUMNS, accounts(total, unit_count, password_hash, clock, rand)),
        (SubsystemAccount, SUBSYSTEM_ACCOUNT_COLUMNS, (p[0] for p in bound_pairs)),
        (Binding, BINDING_COLUMNS, (p[1] for p in bound_pairs)),
        (HubSession, HUB_SESSION_COLUMNS, hub_sessions(signins, total, clock, rand)),
        (
            SubsystemSignin,
            SUBSYSTEM_SIGNIN_COLUMNS,
            subsystem_signins(signins // 2, bound, clock, rand),
        ),
        (AuditEvent, AUDIT_COLUMNS, audit_rows(signins, total, clock, rand)),
    ]
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=False) as conn:
        for model, columns, rows in loads:
            table = table_of(model)
            began = time.perf_counter()
            count = copy_rows(conn, table, columns, rows)
            print(
                f"{table.name:>18}: {count:>10,} rows in {time.perf_counter() - began:6.1f} s",
                flush=True,
            )
        for name in (
            "unit",
            "account",
            "subsystem_account",
            "binding",
            "subsystem_signin",
            "audit_event",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {name}))"
            )
        conn.commit()
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"{'total':>18}: {time.perf_counter() - started:6.1f} s (with VACUUM ANALYZE)")


if __name__ == "__main__":
    main()
