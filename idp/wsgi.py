"""WSGI entry point for ``idp serve`` (and any WSGI server): settings from IDP_*."""

from .app import create_app

app = create_app(start_worker=True)
