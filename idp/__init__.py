"""OneDoor: the single-sign-on hub.

``idp.create_app`` builds the web application; importing ``idp`` alone loads nothing of
it, so a small part (the card challenge format) can be used without the hub's
dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
