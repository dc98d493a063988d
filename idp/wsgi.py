"""WSGI entry point for ``idp serve`` (and any WSGI server): settings from IDP_*.

With ``IDP_WORKER=thread`` every server process runs the background work in a thread of
its own; with ``process`` only ``idp worker`` does."""

from .app import create_app
from .config import Settings

settings = Settings.from_env()
app = create_app(settings, start_worker=settings.worker == "thread")
