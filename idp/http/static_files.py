"""Static files under versioned URLs (``/static/style.css?v=<hash of the content>``),
kept by browsers and proxies for a year: a changed file gets a new URL, so nothing stale
is ever served. An unversioned or outdated URL is answered too, but must be checked
again (``no-cache``)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

FAR_FUTURE = "public, max-age=31536000, immutable"


@cache
def _version(folder: str, filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256 (read once per process)."""
    path = Path(folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return ""


def init_app(app: Flask) -> None:
    folder = app.static_folder
    assert folder is not None

    @app.url_defaults
    def _versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = _version(folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            given = request.args.get("v")
            fresh = given and given == _version(folder, filename)
            response.headers["Cache-Control"] = FAR_FUTURE if fresh else "no-cache"
        return response
