"""The hub as ``idp serve`` runs it, with every request profiled by pyinstrument.

    BENCH_PROFILE=1 bash bench/run.sh project --workloads W3,W4,W5,W6
    .venv/bin/python -m bench.profile_server bench/results/profile-<stamp>   # the report

Requests are grouped by workload (W3 ``token-client_credentials``, W4
``token-refresh_token``, W5 ``introspect``, and ``signin`` for every request of a
sign-in, the code exchange included). While the server runs, each group's profiles are
merged and saved every few seconds under ``$BENCH_PROFILE_DIR/raw/``; the report merges
them and writes, per group, pyinstrument's flat list (own time per function) and its
call tree to ``<dir>/<group>.txt``. run.sh gives the server one request thread, so
that a profile's wall time is that request's own work and waits, not other threads'
turns. Profiling slows the server: use these for where the time goes, never for figures.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

SAVE_EVERY_SECONDS = 5.0
#: Sampling interval: requests take a few milliseconds.
INTERVAL = 0.0005

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def merged(sessions: list[Session]) -> Session:
    """Combine pairwise, so that merging n profiles costs n log n, not n squared."""
    while len(sessions) > 1:
        pairs = [sessions[i : i + 2] for i in range(0, len(sessions), 2)]
        sessions = [Session.combine(*pair) if len(pair) == 2 else pair[0] for pair in pairs]
    return sessions[0]


def group_of(environ: Environ) -> str:
    path = environ.get("PATH_INFO", "")
    if path == "/introspect":
        return "introspect"
    if path == "/token":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        grant_type = parse_qs(body.decode()).get("grant_type", ["?"])[0]
        if grant_type in ("client_credentials", "refresh_token"):
            return "token-" + grant_type
    return "signin"


class Profiled:
    def __init__(self, app: WsgiApp, out: Path) -> None:
        self.app = app
        self.raw = out / "raw"
        self.lock = threading.Lock()
        self.pending: dict[str, list[Session]] = {}
        self.saved = time.monotonic()
        self.batch = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        group = group_of(environ)
        profiler = Profiler(interval=INTERVAL, async_mode="disabled")
        profiler.start()
        try:
            body = list(self.app(environ, start_response))
        finally:
            session = profiler.stop()
        with self.lock:
            self.pending.setdefault(group, []).append(session)
            if time.monotonic() - self.saved > SAVE_EVERY_SECONDS:
                self.save()
        return body

    def save(self) -> None:
        self.raw.mkdir(parents=True, exist_ok=True)
        self.batch += 1
        for group, sessions in self.pending.items():
            path = self.raw / f"{group}.{self.batch:05d}.json"
            path.write_text(json.dumps({"requests": len(sessions), **merged(sessions).to_json()}))
        self.pending = {}
        self.saved = time.monotonic()


def report(out: Path) -> None:
    groups: dict[str, list[Path]] = {}
    for path in sorted((out / "raw").glob("*.json")):
        groups.setdefault(path.name.split(".")[0], []).append(path)
    for group, paths in groups.items():
        documents = [json.loads(p.read_text()) for p in paths]
        requests = sum(d.pop("requests") for d in documents)
        session = merged([Session.from_json(d) for d in documents])
        flat = ConsoleRenderer(flat=True, time="percent_of_total").render(session)
        tree = ConsoleRenderer(time="percent_of_total").render(session)
        (out / f"{group}.txt").write_text(
            f"{group}: {requests} requests, {session.cpu_time / requests * 1000:.2f} ms CPU "
            f"and {session.duration / requests * 1000:.2f} ms wall per request under the "
            "profiler\n\n" + flat + "\n" + tree
        )
        print(out / f"{group}.txt")


if __name__ == "__main__":
    report(Path(sys.argv[1]))
else:
    from idp.wsgi import app as hub_app

    app = Profiled(hub_app, Path(os.environ.get("BENCH_PROFILE_DIR", "profiles")))
