"""OneDoor: the single-sign-on hub."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
