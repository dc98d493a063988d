"""The ``idp`` command, run as a program against a test hub."""

from __future__ import annotations

import os
import subprocess
import sys

from idp.hub import Hub


def idp(hub: Hub, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """``idp *args`` in another process, configured for ``hub``'s database and store."""
    settings = hub.settings
    env = dict(
        os.environ,
        IDP_INSTANCE_PATH=settings.instance_path,
        IDP_DATABASE_URL=settings.sqlalchemy_url(),
        IDP_REDIS_URL=settings.redis_url,
        IDP_SECRET_KEY=settings.secret_key,
        IDP_ISSUER=settings.issuer,
    )
    return subprocess.run(
        [sys.executable, "-m", "idp.cli", *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
