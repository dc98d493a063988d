"""Per-request access to the hub and to who is asking."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from ..hub import Hub


def current_hub() -> Hub:
    hub: Hub = current_app.extensions["onedoor"]
    return hub


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for mail, built on the issuer URL — never on the request's Host
    header, which whoever sends the request chooses."""
    return current_hub().settings.issuer_url + url_for(endpoint, **values)


def client_ip() -> str:
    return request.remote_addr or ""
