"""What a change says once it is done (POST/redirect/GET): the view that changed
something leaves a notice in the browser session and redirects; the page it lands on
shows the notice once (``base.html``), so Back and reload neither resend nor lose it."""

from __future__ import annotations

from typing import Any

from flask import session

KEY = "_notices"


def tell(template: str, **params: Any) -> None:
    """A zh-TW text (translated when shown) with its parameters."""
    session[KEY] = [*session.get(KEY, []), {"template": template, "params": params}]


def take() -> list[dict[str, Any]]:
    """The notices left for this page, each shown once."""
    found: list[dict[str, Any]] = session.pop(KEY, []) if KEY in session else []
    return found
