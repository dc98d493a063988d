"""Export the sign-in log (人員登入紀錄) to CSV, xlsx and ODS and report, per format and
row count, the time and the peak memory — which should stay flat as the rows grow.

    .venv/bin/python -m bench.export_signins                    # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/onedoor_bench \\
        .venv/bin/python -m bench.export_signins                # PostgreSQL (emptied first)
    ROWS=10000,100000 .venv/bin/python -m bench.export_signins

Each measurement runs in a fresh process: the rows are read through the same listing
and writers the export page uses, and the file is written to /dev/null. "peak RSS"
is the process's high-water mark (beside what it held before the export began);
"peak traced" is the most Python held at once (tracemalloc, a separate run, as tracing
slows the work down).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from idp.config import Settings
from idp.hub import Hub
from idp.migrate import upgrade
from idp.models import Account, AccountRole, AccountStatus, Base, HubSession, Unit, UnitKind, utcnow
from idp.models.base import table_of
from idp.services.reports import signin_logs
from idp.services.reports.spreadsheets import FORMATS

ACCOUNTS = 2000
SECRET = "bench-secret-0123456789-abcdefghijklmnop"


def settings(url: str, folder: str) -> Settings:
    return Settings(instance_path=folder, database_url=url, secret_key=SECRET)


def fill(url: str, folder: str, rows: int) -> None:
    """An authority unit, its admin, ``ACCOUNTS`` members and ``rows`` sign-ins."""
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(Unit)),
            [
                {"code": "9900000001", "name": "國民健康署", "kind": UnitKind.AUTHORITY.value},
                {"code": "0101090517", "name": "示範綜合醫院", "kind": UnitKind.HOSPITAL.value},
            ],
        )
        people = [
            {
                "subject": f"s{n:031d}",
                "username": f"user{n:06d}",
                "password_hash": "-",
                "name": f"使用者{n}",
                "unit_id": 1 if n == 0 else 2,
                "role": (AccountRole.UNIT_ADMIN if n == 0 else AccountRole.MEMBER).value,
                "status": AccountStatus.ACTIVE.value,
            }
            for n in range(ACCOUNTS)
        ]
        conn.execute(insert(table_of(Account)), people)
        batch = []
        for n in range(rows):
            batch.append(
                {
                    "sid": f"{n:043d}",
                    "account_id": 2 + n % (ACCOUNTS - 1),
                    "store_key": "-",
                    "created_at": now - timedelta(seconds=n * 30),
                    "ip": f"10.{n % 250}.{n % 200}.{n % 100}",
                    "user_agent": "bench",
                    "acr": "urn:onedoor:acr:password",
                    "amr": ["pwd"],
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(table_of(HubSession)), batch)
                batch.clear()
        if batch:
            conn.execute(insert(table_of(HubSession)), batch)
    engine.dispose()


def measure(url: str, folder: str, kind: str, traced: bool) -> dict[str, float]:
    """One export in this process: seconds, bytes, peak RSS above the start, traced peak."""
    hub = Hub(settings(url, folder))
    with hub.database.unit_of_work() as db:
        viewer = db.query(Account).filter_by(username="user000000").one()
        listing = signin_logs.hub_signins(viewer, signin_logs.SigninFilter())
        writer = FORMATS[kind].write
        if traced:
            tracemalloc.start()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        size = 0
        with open(os.devnull, "wb") as sink:
            for chunk in writer(listing.headings(), listing.export_rows(db, "-at"), "signins"):
                size += len(chunk)
                sink.write(chunk)
        seconds = time.perf_counter() - start
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_traced = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
    hub.close()
    return {
        "seconds": seconds,
        "bytes": size,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss,
        "peak_traced_kib": peak_traced / 1024,
    }


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        _, _, kind, traced, url = sys.argv
        print(json.dumps(measure(url, os.environ["BENCH_FOLDER"], kind, traced == "1")))
        return
    counts = [int(n) for n in os.environ.get("ROWS", "10000,100000").split(",")]
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"database: {url.split('@')[-1]}")
        print(
            f"{'rows':>8} {'format':>6} {'seconds':>8} {'MiB out':>8} "
            f"{'RSS before/peak MiB':>20} {'peak traced MiB':>16}"
        )
        for rows in counts:
            fill(url, folder, rows)
            for kind in FORMATS:
                results = [
                    json.loads(
                        subprocess.run(  # noqa: S603 (this script, as a child)
                            [
                                sys.executable,
                                "-m",
                                "bench.export_signins",
                                "--measure",
                                kind,
                                traced,
                                url,
                            ],
                            env=dict(os.environ, BENCH_FOLDER=folder),
                            cwd=Path(__file__).resolve().parents[1],
                            capture_output=True,
                            text=True,
                            check=True,
                        ).stdout
                    )
                    for traced in ("0", "1")
                ]
                timed, traced_run = results
                print(
                    f"{rows:>8} {kind:>6} {timed['seconds']:>8.2f} "
                    f"{timed['bytes'] / 2**20:>8.1f} "
                    f"{timed['rss_before_kib'] / 1024:>11.1f}/{timed['peak_rss_kib'] / 1024:<8.1f} "
                    f"{traced_run['peak_traced_kib'] / 1024:>16.1f}"
                )


if __name__ == "__main__":
    main()
