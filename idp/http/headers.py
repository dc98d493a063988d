"""Headers every answer of the hub carries, pages and protocol answers alike."""

from __future__ import annotations

#: A year; no ``includeSubDomains``: other hosts of the issuer's domain are not the hub's.
HSTS = "max-age=31536000"


def api_headers(issuer_url: str) -> list[tuple[str, str]]:
    """``nosniff`` always; HSTS when the hub is served over TLS."""
    headers = [("X-Content-Type-Options", "nosniff")]
    if issuer_url.startswith("https://"):
        headers.append(("Strict-Transport-Security", HSTS))
    return headers
