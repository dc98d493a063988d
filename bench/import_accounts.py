"""Time ``idp accounts import`` (the old portal's accounts at cut-over): a CSV of
100,000 accounts in 20 units, loaded into an empty database, then loaded again (the
re-run every row of which is unchanged).

    .venv/bin/python -m bench.import_accounts                   # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/onedoor_bench \\
        .venv/bin/python -m bench.import_accounts               # PostgreSQL (emptied first)
    ROWS=10000 .venv/bin/python -m bench.import_accounts
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from idp.config import Settings
from idp.hub import Hub
from idp.migrate import upgrade
from idp.models import Base, Unit, UnitKind
from idp.models.base import table_of
from idp.services.accounts.migration import HEADER, Migrating, import_portal_accounts
from idp.services.accounts.national_id import LETTER_VALUES, WEIGHTS

SECRET = "bench-secret-0123456789-abcdefghijklmnop"
UNITS = 20
DIGITS = "零一二三四五六七八九"


def national_id(n: int) -> str:
    letter, body = "A", f"1{n:07d}"
    tens, units = divmod(LETTER_VALUES[letter], 10)
    digits = [tens, units, *(int(c) for c in body)]
    total = sum(w * d for w, d in zip(WEIGHTS[:-1], digits, strict=True))
    return f"{letter}{body}{(10 - total % 10) % 10}"


def write_file(path: Path, rows: int) -> None:
    old_hash = hashlib.md5(b"old-portal-pw1").hexdigest()  # noqa: S324 - the old format
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            writer.writerow(
                [
                    f"01010{n % UNITS:05d}",
                    f"olduser{n:06d}",
                    "王" + "".join(DIGITS[int(d)] for d in str(n)),
                    national_id(n),
                    f"old{n}@example.org",
                    "02-12345678",
                    "",
                    "member",
                    "active",
                    old_hash,
                    "",
                ]
            )


def prepare(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(Unit)),
            [
                {"code": f"01010{u:05d}", "name": f"示範醫院{u}", "kind": UnitKind.HOSPITAL.value}
                for u in range(UNITS)
            ],
        )
    engine.dispose()


def main() -> None:
    rows = int(os.environ.get("ROWS", "100000"))
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        prepare(url)
        path = Path(folder) / "portal.csv"
        write_file(path, rows)
        hub = Hub(Settings(instance_path=folder, database_url=url, secret_key=SECRET))
        migrating = Migrating(hub.national_ids, hub.catalogues)
        try:
            for run in ("first load", "loaded again"):
                start = time.perf_counter()
                with hub.database.unit_of_work() as db:
                    report = import_portal_accounts(db, migrating, path)
                seconds = time.perf_counter() - start
                print(
                    f"{run}: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s) "
                    f"on {url.split(':')[0]}: {report.summary()}"
                )
        finally:
            hub.close()


if __name__ == "__main__":
    main()
